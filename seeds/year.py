"""A year of the demo county's cases, built through the services users call, on a pretended
clock.

Every service takes the action time (`at=`), so every row (events, agreements, follow-ups,
inspection reports) carries the time it would have had.

Each case follows a plan drawn from fixed random seeds: where it is settled (village ~85%,
town ~12%, county ~3% of the concluded), whether the sweep escalated it at a missed deadline,
agreement form, follow-up, judicial confirmation. Steps whose time is still in the future are
not played, so recent cases are open now, as they would be. A few plans are left stuck on
purpose (overdue now); a sweep at the real time then acts on them as the beat would.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from assessment.periods import parse_period
from assessment.services import snapshot_period
from cases import services as cs
from cases.calendar import add_working_days, is_workday
from cases.choices import Level, Outcome
from cases.models import Case, HandlingPeriod
from config.errors import DomainError
from mediation import services as ms
from mediation.choices import ConfirmationStatus, FollowUpMethod, Satisfaction
from mediation.models import InspectionReport

from . import lawgates
from .agreements import follow_up_day, joint_applicants
from .org import Staff
from .pace import yield_to_pages
from .people import (
    CATEGORIES,
    CATEGORY_WEIGHTS,
    SOURCE_WEIGHTS,
    SOURCES,
    agreement_terms,
    case_text,
    id_number,
    mobile,
    person_name,
)

CASES_PER_MONTH = 104
# Spring Festival (Jan/Feb) and the autumn harvest bring more disputes.
MONTH_WEIGHT = {1: 1.3, 2: 1.25, 3: 1.0, 4: 0.95, 5: 0.9, 6: 0.85, 7: 0.9, 8: 0.95, 9: 1.05,
                10: 1.1, 11: 0.95, 12: 1.1}  # fmt: skip
COURTS = "宜君县人民法院"


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def office_hours(moment: datetime, rng: random.Random) -> datetime:
    """The moment, or the next working morning when it falls outside office hours."""
    moment = timezone.localtime(moment)
    if is_workday(moment.date()) and time(8, 30) <= moment.time() <= time(17, 45):
        return moment
    day = moment.date()
    if moment.time() > time(17, 45) or not is_workday(day):
        day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return local(day, 8, 30) + timedelta(minutes=rng.randrange(0, 90))


@dataclass
class Tally:
    """What the year produced, for the summary."""

    cases: int = 0
    steps: Counter = field(default_factory=Counter)
    reports: int = 0
    zero_reports: int = 0
    refused: list = field(default_factory=list)


class Stop(Exception):
    """The next step lies in the future: the case stays as it is now."""


class Year:
    """Plays the demo county's year of cases."""

    def __init__(
        self,
        staff: Staff,
        *,
        months: int,
        now: datetime,
        seed: int = 610222,
        after: datetime | None = None,
    ):
        self.staff = staff
        self.now = now
        # Resuming a year cut short: the cases reported up to `after` are there already.
        self.after = after
        self.rng = random.Random(seed)
        self.tally = Tally()
        today = timezone.localtime(now).date()
        first = today.replace(day=1)
        for _ in range(months - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        self.start = first
        self.months = months
        villages = [v for t in staff.towns for v in staff.villages[t.id]]
        # The demo accounts' villages get a little more traffic, so their queues are lively.
        self.villages = villages
        self.village_weights = [
            3
            if any(u.username.startswith("village_mediator") for u in staff.village_mediators[v.id])
            else 1
            for v in villages
        ]

    # ---------------------------------------------------------------- driving

    def at(self, moment: datetime) -> datetime:
        """The time of the next step, if it is not in the future (else Stop)."""
        if moment > self.now:
            raise Stop
        return moment

    def run(self, progress=None) -> Tally:
        """Play the year; `progress(done, total)` is called after each case.

        Each case is its own transaction (and each month's inspection reports one more), so the
        pages read the year while it fills and a writer waits for one case at most; a run cut
        short is resumed with `after`, the time of the last case reported."""
        plans = self.plans()
        done = 0
        for month, chunk in _by_month(plans):
            for plan in chunk:
                if self.after is not None and plan[0] <= self.after:
                    self.rng.random()  # the draw play() would make: later cases stay the same
                else:
                    self.play(plan)
                done += 1
                if progress is not None:
                    progress(done, len(plans))
            self.inspections(month)
        self.sweep()
        return self.tally

    def plans(self):
        """(reported_at, path, kind) for every case of the year, in time order."""
        plans = []
        month = self.start
        today = timezone.localtime(self.now).date()
        while month <= today:
            nxt = (month + timedelta(days=32)).replace(day=1)
            days = [
                month + timedelta(days=d)
                for d in range((nxt - month).days)
                if month + timedelta(days=d) <= today
            ]
            count = round(CASES_PER_MONTH * MONTH_WEIGHT[month.month] * len(days) / 30)
            for _ in range(count):
                day = self.rng.choice(days)
                # Fewer reports at weekends and holidays.
                if not is_workday(day) and self.rng.random() < 0.6:
                    day = self.rng.choice(days)
                moment = local(day, 8) + timedelta(minutes=self.rng.randrange(0, 600))
                if moment < self.now - timedelta(minutes=30):
                    plans.append((moment, self.path(), "normal"))
            month = nxt
        plans.extend(self.stuck_plans())
        plans.sort(key=lambda p: p[0])
        return plans

    def path(self) -> str:
        r = self.rng.random()
        if r < 0.01:
            return "rejected"
        if r < 0.02:
            return "withdrawn"
        r = self.rng.random()
        if r < 0.03:
            return "county"
        if r < 0.15:
            return "town_intake" if self.rng.random() < 0.25 else "town"
        return "village"

    def stuck_plans(self):
        """Cases overdue right now: never assigned, or stalled past the resolve deadline."""
        plans = []
        for days in (3, 5, 8):
            plans.append((self._back(days), "stuck_pending", "stuck"))
        for days in (18, 24):
            plans.append((self._back(days), "stuck_village", "stuck"))
        for days in (62, 70):
            plans.append((self._back(days), "stuck_county", "stuck"))
        return plans

    def _back(self, working_days: int) -> datetime:
        day = timezone.localtime(self.now).date()
        counted = 0
        while counted < working_days:
            day -= timedelta(days=1)
            if is_workday(day):
                counted += 1
        return local(day, 9) + timedelta(minutes=self.rng.randrange(0, 420))

    # ---------------------------------------------------------------- one case

    def play(self, plan):
        reported_at, path, _ = plan
        rng = random.Random(self.rng.random())
        try:
            # A savepoint per case: a step a service refuses drops that case, not the year.
            with transaction.atomic():
                self._play(rng, reported_at, path)
            self.tally.cases += 1
        except DomainError as exc:
            self.tally.refused.append(f"{path} case reported {reported_at:%Y-%m-%d}: {exc}")
        yield_to_pages()

    def _play(self, rng, reported_at, path):
        try:
            case = self.report(rng, reported_at, path)
            if path == "rejected":
                return
            self.handle(rng, case, path)
        except Stop:
            pass

    def report(self, rng, reported_at, path) -> Case:
        staff = self.staff
        village = rng.choices(self.villages, weights=self.village_weights)[0]
        grids = staff.grids.get(village.id, [])
        category = rng.choices(CATEGORIES, weights=CATEGORY_WEIGHTS)[0]
        source = rng.choices(SOURCES, weights=SOURCE_WEIGHTS)[0]
        if path.startswith("stuck"):
            source = "walk_in"
        if grids and (source == "grid_inspection" or rng.random() < 0.4):
            origin = rng.choice(grids)
            reporter = staff.grid_workers.get(origin.id) or staff.village_mediators[village.id][0]
        else:
            origin = village
            reporter = rng.choice(staff.village_mediators[village.id])
            if source == "grid_inspection":
                source = "walk_in"
        a, b = person_name(rng), person_name(rng)
        parties = [self.party(rng, a, "applicant", village), self.party(rng, b, "respondent",
                                                                          village)]  # fmt: skip
        people = 2
        risk = rng.choices(["green", "yellow"], weights=[80, 20])[0]
        risk = lawgates.sometimes_red(rng, path, risk)
        if path == "town_intake":
            people = rng.randrange(5, 16)
            a = f"{a}等{people - 1}人"
        title, facts = case_text(rng, category, a, b)
        at = self.at(reported_at)
        screening = ""
        if path == "rejected":
            screening = rng.choice(["court", "police"])
        case = cs.case_report(
            actor=reporter,
            title=title,
            facts=facts,
            category=category,
            source=source,
            area=origin,
            parties=parties,
            risk=risk,
            occurred_on=timezone.localtime(at).date() - timedelta(days=rng.randrange(0, 20)),
            amount=rng.choice([None, None, 800, 2000, 5000, 12000, 30000]),
            people_involved=people,
            screening=screening,
            screening_note="当事人已向有关部门提出，告知其依法途径。" if screening else "",
            at=at,
        )
        self.tally.steps["report"] += 1
        return case

    def party(self, rng, name, role, village):
        data = {"name": name, "role": role, "area": village, "address": f"{village.name}"}
        if rng.random() < 0.85:
            data["id_number"] = id_number(rng, village.code)
        if rng.random() < 0.9:
            data["phone"] = mobile(rng)
        return data

    def handle(self, rng, case, path):
        """Play the case's turns at each level it reaches."""
        arrived = case.reported_at
        if path == "stuck_pending":
            return
        if path == "withdrawn":
            self.assign(rng, case, arrived)
            t = office_hours(arrived + timedelta(hours=rng.randrange(20, 60)), rng)
            cs.case_close(
                actor=case.assignee,
                case_id=case.pk,
                outcome=Outcome.WITHDRAWN,
                note="当事人自行和解，申请撤回。",
                at=self.at(t),
            )
            self.tally.steps["withdrawn"] += 1
            return
        if path == "town_intake" and rng.random() < 0.3:
            # The town hands a group dispute down to the village (交办) with guidance.
            t = office_hours(arrived + timedelta(hours=rng.uniform(0.5, 5)), rng)
            officer = self.staff.town_officers[case.town_id]
            cs.case_delegate(
                actor=officer,
                case_id=case.pk,
                area=case.village,
                note="交由村调委会先行调解，镇司法所跟踪指导。",
                at=self.at(t),
            )
            self.tally.steps["delegate"] += 1
            arrived = t
            path = "village"
        stops = {
            "village": [Level.VILLAGE],
            "town": [Level.VILLAGE, Level.TOWN],
            "town_intake": [Level.TOWN],
            "county": [Level.VILLAGE, Level.TOWN, Level.COUNTY],
            "stuck_village": [Level.VILLAGE],
            "stuck_county": [Level.VILLAGE, Level.TOWN, Level.COUNTY],
        }[path]
        for i in range(len(stops)):
            last = i == len(stops) - 1
            assigned_at = self.assign(rng, case, arrived)
            responded_at = self.respond(rng, case, assigned_at, arrived)
            if not last:
                forced = path.startswith("stuck")
                arrived = self.escalate(rng, case, arrived, responded_at, by_handler=forced)
                continue
            if path.startswith("stuck"):
                return
            self.conclude(rng, case, arrived, responded_at)

    def _period(self, case) -> HandlingPeriod:
        return HandlingPeriod.objects.get(case=case, ended_at__isnull=True)

    def assign(self, rng, case, arrived) -> datetime:
        staff = self.staff
        case.refresh_from_db()
        period = self._period(case)
        if rng.random() < 0.05:
            t = period.assign_due + timedelta(hours=rng.uniform(1, 20))  # late: reminded
        else:
            t = arrived + timedelta(hours=rng.uniform(0.2, 5))
            t = min(office_hours(t, rng), period.assign_due - timedelta(minutes=5))
        t = max(t, arrived + timedelta(minutes=5))
        if case.level == Level.VILLAGE:
            mediators = staff.village_mediators[case.village_id]
            actor = assignee = mediators[0] if rng.random() < 0.75 else rng.choice(mediators)
        elif case.level == Level.TOWN:
            actor = staff.town_officers[case.town_id]
            assignee = rng.choice(staff.town_mediators[case.town_id])
        else:
            actor = staff.county_officer
            pool = staff.traffic_mediators if case.category == "traffic" else []
            assignee = rng.choice(pool or staff.county_mediators)
        case = cs.case_assign(actor=actor, case_id=case.pk, assignee=assignee, at=self.at(t))
        lawgates.after_assign(case, t, self.now)
        self.tally.steps["assign"] += 1
        return t

    def respond(self, rng, case, assigned_at, arrived) -> datetime:
        period = self._period(case)
        if rng.random() < 0.04:
            t = period.respond_due + timedelta(hours=rng.uniform(1, 30))
        else:
            t = office_hours(assigned_at + timedelta(hours=rng.uniform(0.5, 20)), rng)
            t = min(t, period.respond_due - timedelta(minutes=5))
        t = max(t, assigned_at + timedelta(minutes=10))
        self.at(t)
        case.refresh_from_db()
        lawgates.before_session(case, t)
        # The first mediation session is the first contact: it records the response.
        ms.session_record(
            actor=case.assignee,
            case_id=case.pk,
            held_at=t,
            place=f"{case.holder.name}调解室" if case.level != "village" else "村委会调解室",
            minutes=f"调解员向双方告知权利义务，听取陈述，了解争议焦点：{case.title}。",
            attendees="双方当事人",
            at=t,
        )
        self.tally.steps["respond"] += 1
        return t

    def escalate(self, rng, case, arrived, responded_at, by_handler=False) -> datetime:
        period = self._period(case)
        if not by_handler and rng.random() < 0.3:
            # Not settled by the deadline: the sweep escalates it (the system, no actor).
            t = period.resolve_due + timedelta(seconds=rng.randrange(30, 90))
            cs.case_escalate(
                actor=None, case_id=case.pk, reason="办结期限已过，系统自动上报。", at=self.at(t)
            )
            self.tally.steps["escalate_system"] += 1
        else:
            wd = rng.randrange(2, 9)
            t = office_hours(add_working_days(arrived, wd) + timedelta(hours=rng.uniform(0, 3)),
                             rng)  # fmt: skip
            t = max(t, responded_at + timedelta(hours=1))
            t = min(t, period.resolve_due - timedelta(minutes=10))
            case.refresh_from_db()
            cs.case_escalate(
                actor=case.assignee,
                case_id=case.pk,
                reason="矛盾较大，本级调解难以化解，申请上级调处。",
                at=self.at(t),
            )
            self.tally.steps["escalate"] += 1
        return t

    def conclude(self, rng, case, arrived, responded_at):
        period = self._period(case)
        case.refresh_from_db()
        actor = case.assignee
        budget = {Level.VILLAGE: 13, Level.TOWN: 18, Level.COUNTY: 27}[Level(case.level)]
        if rng.random() < 0.03:
            wd = rng.randrange(3, budget)
            t = office_hours(add_working_days(arrived, wd), rng)
            t = max(t, responded_at + timedelta(hours=2))
            t = min(t, period.resolve_due - timedelta(minutes=10))
            outcome = rng.choice([Outcome.FAILED, Outcome.FAILED, Outcome.REFERRED])
            note = (
                "经多次调解，双方分歧较大，调解不成，告知当事人通过诉讼途径解决。"
                if outcome == Outcome.FAILED
                else "引导当事人申请劳动仲裁（诉讼）解决。"
            )
            cs.case_close(
                actor=actor,
                case_id=case.pk,
                outcome=outcome,
                note=note,
                routes=["litigation"] if outcome == Outcome.FAILED else None,
                at=self.at(t),
            )
            self.tally.steps[outcome] += 1
            return
        extended = case.level == Level.VILLAGE and rng.random() < 0.03
        if extended:
            t = office_hours(add_working_days(arrived, 12), rng)
            until = timezone.localtime(period.resolve_due).date() + timedelta(days=10)
            cs.case_extend(
                actor=actor,
                case_id=case.pk,
                until=until,
                parties=list(case.parties.values_list("pk", flat=True)),
                agreed_on=timezone.localtime(max(t, responded_at + timedelta(hours=1))).date(),
                consent_note="双方当事人同意延长调解期限，已签字确认。",
                at=self.at(max(t, responded_at + timedelta(hours=1))),
            )
            self.tally.steps["extend"] += 1
            wd = rng.randrange(15, 19)
        else:
            # Most disputes settle within a week or two (skewed short).
            wd = min(int(rng.expovariate(1 / 4)) + 1, budget)
        t = office_hours(add_working_days(arrived, wd) - timedelta(hours=rng.uniform(0, 6)), rng)
        t = max(t, responded_at + timedelta(hours=1))
        self.resolve(rng, case, t)

    def resolve(self, rng, case, t):
        case.refresh_from_db()
        actor = case.assignee
        parties = list(case.parties.order_by("id"))
        written = len(parties) >= 2 and rng.random() < 0.55
        reached = timezone.localtime(t).date()
        perform_by = reached + timedelta(days=rng.choice((0, 7, 10, 15, 30)))
        a, b = parties[0].name, parties[-1].name
        agreement = {"form": "written" if written else "oral", "terms": agreement_terms(rng, a, b)}
        if written:
            agreement.update(
                perform_by=perform_by,
                facts=case.facts,
                responsibilities=f"{b}对纠纷的发生负主要责任，{a}负次要责任。",
                performance_method="现金或银行转账支付，调委会见证履行。",
            )
        self.at(t)
        cs.case_resolve(actor=actor, case_id=case.pk, agreement=agreement, at=t)
        self.tally.steps["resolve"] += 1
        if written:
            sign_on = reached + timedelta(days=rng.choice((0, 0, 1, 2)))
            ms.agreement_sign(
                actor=actor,
                case_id=case.pk,
                parties={p.pk: sign_on for p in parties},
                mediator_signed_on=sign_on,
                sealed_on=sign_on,
                at=self.at(max(t, local(sign_on, 16))),
            )
            effective = sign_on
        else:
            effective = reached
        # Judicial confirmation: a few written agreements go to court, the rest decline it.
        settled = effective
        if written and rng.random() < 0.08:
            applied = effective + timedelta(days=rng.randrange(1, 4))
            ms.confirmation_apply(
                actor=actor,
                case_id=case.pk,
                court=COURTS,
                applied_on=applied,
                applicants=joint_applicants(case),
                at=self.at(local(applied, 10)),
            )
            self.tally.steps["confirmation_applied"] += 1
            ruled = applied + timedelta(days=rng.randrange(2, 6))
            settled = ruled
            ms.confirmation_result(
                actor=actor,
                case_id=case.pk,
                result=ConfirmationStatus.CONFIRMED,
                result_on=ruled,
                ruling_number=f"（{ruled.year}）陕0222民特{rng.randrange(1, 400)}号",
                at=self.at(local(ruled, 15)),
            )
        elif written and rng.random() < 0.25:
            ms.confirmation_decline(
                actor=actor,
                case_id=case.pk,
                note="当事人表示自觉履行，不申请。",
                at=self.at(max(t, local(effective, 17))),
            )
        # The first follow-up at the performance date (or within ten working days).
        follow = follow_up_day(
            rng, reached=reached, perform_by=perform_by if written else None, settled=settled
        )
        follow_at = office_hours(local(follow, 10), rng)
        self.at(follow_at)
        performed = rng.random() > 0.015
        satisfaction = rng.choices(
            [Satisfaction.SATISFIED, Satisfaction.BASICALLY, Satisfaction.DISSATISFIED],
            weights=[84, 13, 3],
        )[0]
        ms.follow_up_record(
            actor=actor,
            case_id=case.pk,
            method=rng.choice(list(FollowUpMethod.values)),
            performed=performed,
            satisfaction=satisfaction if performed else Satisfaction.DISSATISFIED,
            performed_on=timezone.localtime(follow_at).date(),
            note="协议已履行完毕，双方关系缓和。" if performed else "对方未按期履行协议。",
            at=follow_at,
        )
        self.tally.steps["follow_up"] += 1
        if not performed:
            cs.case_reopen(
                actor=actor, case_id=case.pk, reason="协议未履行，重新调解。", at=follow_at
            )
            self.tally.steps["reopen"] += 1
            again = office_hours(follow_at + timedelta(days=rng.randrange(3, 9)), rng)
            self.at(again)
            cs.case_resolve(
                actor=actor,
                case_id=case.pk,
                agreement={"form": "oral", "terms": "经再次调解，双方就履行方式重新达成一致。"},
                at=again,
            )
            follow_at = office_hours(again + timedelta(days=rng.randrange(3, 8)), rng)
            self.at(follow_at)
            ms.follow_up_record(
                actor=actor,
                case_id=case.pk,
                method=FollowUpMethod.VISIT,
                performed=True,
                satisfaction=Satisfaction.BASICALLY,
                performed_on=timezone.localtime(follow_at).date(),
                note="重新调解后协议已履行。",
                at=follow_at,
            )
        close_at = follow_at + timedelta(hours=rng.uniform(0.5, 30))
        lawgates.before_close(case, self.at(close_at))
        cs.case_close(
            actor=actor,
            case_id=case.pk,
            outcome=Outcome.AGREEMENT,
            note="协议履行完毕，回访满意，结案归档。",
            at=self.at(close_at),
        )
        self.tally.steps["close"] += 1

    # ---------------------------------------------------------------- reports and sweep

    def inspections(self, month: date):
        """Each grid worker files the month's inspection report (most do; a few forget), with
        the cases the grid's inspections found that month; a report already filed is kept.
        A report is a transaction of its own (the service's)."""
        rng = random.Random(f"inspection-{month}")
        today = timezone.localtime(self.now).date()
        nxt = (month + timedelta(days=32)).replace(day=1)
        found_in = defaultdict(list)  # grid id -> [case], in report order
        for case in Case.objects.filter(
            county=self.staff.county,
            source="grid_inspection",
            grid__isnull=False,
            reported_at__gte=local(month, 0),
            reported_at__lt=local(nxt, 0),
        ).order_by("reported_at", "pk"):
            found_in[case.grid_id].append(case)
        filed = set(
            InspectionReport.objects.filter(county=self.staff.county, period=month).values_list(
                "grid_id", flat=True
            )
        )
        for village in self.villages:
            for grid in self.staff.grids.get(village.id, []):
                if rng.random() < 0.06:
                    continue
                day = month.replace(day=rng.randrange(20, 29))
                if day > today:
                    continue
                worker = self.staff.grid_workers.get(grid.id)
                if worker is None or grid.id in filed:
                    continue
                found = [
                    c
                    for c in found_in.get(grid.id, [])
                    if timezone.localtime(c.reported_at).date() <= day
                ]
                filed_at = local(day, 17) + timedelta(minutes=rng.randrange(0, 60))
                ms.inspection_file(
                    grid=grid,
                    actor=worker,
                    period=month,
                    zero=not found,
                    cases=found,
                    note="本月排查未发现矛盾纠纷。" if not found else "排查发现纠纷已登记。",
                    at=filed_at,
                )
                self.tally.reports += 1
                self.tally.zero_reports += not found
                yield_to_pages()

    def sweep(self):
        """The sweep at the real time acts on what is overdue now, as the beat would."""
        try:
            from cases.sweep import sweep_all
        except ImportError:
            return None
        return sweep_all(now=self.now)


def _by_month(plans):
    """Plans grouped by their local month, in order."""
    groups = {}
    for plan in plans:
        month = timezone.localtime(plan[0]).date().replace(day=1)
        groups.setdefault(month, []).append(plan)
    return sorted(groups.items())


def assessment_periods(start: date, end: date) -> list[str]:
    """Every month, quarter and year key overlapping [start, end]."""
    keys = []
    month = start.replace(day=1)
    while month <= end:
        keys.append(f"{month.year}-{month.month:02d}")
        quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
        if quarter not in keys:
            keys.append(quarter)
        if str(month.year) not in keys:
            keys.append(str(month.year))
        month = (month + timedelta(days=32)).replace(day=1)
    return keys


def snapshot_year(start: date, now: datetime) -> int:
    """KPI snapshots of every month, quarter and year of the seeded span, a transaction each;
    the year of `now` last, since its county snapshot marks the demo year whole."""
    written = 0
    keys = assessment_periods(start, timezone.localtime(now).date())
    keys.sort(key=lambda key: key == year_key(now))
    for key in keys:
        with transaction.atomic():
            written += snapshot_period(parse_period(key), now=now)
    return written


def year_key(moment: datetime) -> str:
    return str(timezone.localtime(moment).year)


def status_counts(county) -> dict:
    """Cases of the county by status."""
    return dict(Counter(Case.objects.filter(county=county).values_list("status", flat=True)))
