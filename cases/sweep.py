"""The SLA sweep (DESIGN.md §7): finds what is overdue through indexed deadline columns and acts
on each breach exactly once.

Handling periods: open periods whose `next_deadline` has passed (the partial index), taken in
batches with `SELECT … FOR UPDATE OF period, case SKIP LOCKED`, so two sweeps at once share the
work and never wait on each other or on a user's action (which locks the case first). Each
breach is recorded as a Breach row (unique per subject and kind) in the same transaction as what
the sweep does about it, so a breach is acted on once: a sweep killed half-way rolls back its
batch and the next one finds the same rows; a breach already recorded is never acted on again.

- assign or respond overdue → a reminder to the responsible people (the assignee, else the
  holder's officers) and a notice (提醒函) to the officers of the level above;
- resolve overdue at village or town → escalated to the next level by the system;
- resolve overdue at county → supervised (督办): flag, event, notice to county officers and viewers.

Mediation deadlines remind the same way: judicial confirmation (day 20 of 30) and unanswered
consultations in every sweep; the first follow-up of a resolved case, due by the day, in an
hourly pass of its own (`follow_up_run`).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from grids.models import Area
from notifications.choices import NotificationKind
from notifications.services import notify

from .choices import DeadlineKind, EventKind, Level, Status
from .models import Breach, Case, CaseEvent, HandlingPeriod

logger = logging.getLogger(__name__)

ESCALATE_REASON = "办结超期，系统自动上报"
# Mediation deadlines further back than this are left alone (the sweep was down for longer).
LOOKBACK = timedelta(days=60)
MAX_BATCHES = 10_000

DEADLINE_LABELS = {
    DeadlineKind.ASSIGN: "分派",
    DeadlineKind.RESPOND: "首次响应",
    DeadlineKind.RESOLVE: "办结",
}


@dataclass
class SweepReport:
    """What one sweep did."""

    now: datetime
    periods: int = 0
    breaches: int = 0
    already_recorded: int = 0
    reminded: int = 0
    escalated: int = 0
    supervised: int = 0
    follow_up_reminders: int = 0
    judicial_reminders: int = 0
    consultation_reminders: int = 0
    failed: list = field(default_factory=list)

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "now"}
        data["now"] = self.now.isoformat()
        return data


class _People:
    """Officer/viewer look-ups for one sweep: the roles of an area, loaded once per sweep (a
    batch's areas and their parents in two queries)."""

    def __init__(self):
        self._roles = {}  # area id -> {role kind: {user ids}}
        self._areas = {}  # area id -> parent id

    def preload(self, area_ids) -> None:
        missing = {a for a in area_ids if a is not None and a not in self._areas}
        if missing:
            self._areas.update(Area.objects.filter(pk__in=missing).values_list("id", "parent_id"))
        wanted = {a for a in area_ids if a is not None}
        wanted |= {self._areas.get(a) for a in wanted} - {None}
        self._load_roles(wanted - set(self._roles))

    def _load_roles(self, area_ids) -> None:
        if not area_ids:
            return
        for area_id in area_ids:
            self._roles[area_id] = {}
        rows = Role.objects.filter(area_id__in=area_ids, user__is_active=True).values_list(
            "area_id", "kind", "user_id"
        )
        for area_id, kind, user_id in rows:
            self._roles[area_id].setdefault(kind, set()).add(user_id)

    def of(self, area_id: int | None, *kinds) -> list[int]:
        if area_id is None:
            return []
        if area_id not in self._roles:
            self._load_roles({area_id})
        roles = self._roles[area_id]
        return sorted(set().union(*(roles.get(kind, ()) for kind in kinds)))

    def officers(self, area_id):
        return self.of(area_id, RoleKind.OFFICER)

    def queue_keepers(self, area_id):
        """Who runs the queue at an area: its officers, else (a village without one) its
        mediators."""
        return self.officers(area_id) or self.of(area_id, RoleKind.MEDIATOR)

    def parent_id(self, area_id: int) -> int | None:
        if area_id not in self._areas:
            self._areas[area_id] = (
                Area.objects.filter(pk=area_id).values_list("parent_id", flat=True).first()
            )
        return self._areas[area_id]


def after_period_hook(period: HandlingPeriod) -> None:
    """Called after each handled period (tests use it to kill a sweep half-way)."""


# ---------------------------------------------------------------- entry point


def sweep_run(*, now: datetime | None = None, batch_size: int = 500) -> SweepReport:
    """Act once on everything overdue at `now` (default: the current time)."""
    now = now or timezone.now()
    report = SweepReport(now=now)
    people = _People()
    for _ in range(MAX_BATCHES):
        # A plain indexed look first: with nothing due, no transaction and no locks.
        if not _due_periods(now).exclude(pk__in=report.failed).exists():
            break
        taken = _period_batch(now=now, batch_size=batch_size, report=report, people=people)
        if taken < batch_size:
            break
    mediation_deadlines(now=now, report=report, people=people)
    if report.breaches or report.failed:
        logger.info("sweep at %s: %s", now.isoformat(), report.as_dict())
    return report


def mediation_deadlines(*, now: datetime, report: SweepReport | None = None, people=None):
    """The mediation part of a sweep: one indexed look per kind of deadline, a transaction only
    when something is due, at most 1,000 of each kind per call (the next sweep takes the rest).
    Follow-ups are not here: they fall due by the day and have their own, hourly pass."""
    report = report or SweepReport(now=now)
    people = people or _People()
    for candidates, act in (
        (_judicial_candidates, _judicial_reminders),
        (_consultation_candidates, _consultation_reminders),
    ):
        queryset = candidates(now)
        if queryset is not None and queryset.exists():
            act(now=now, report=report, people=people)
    return report


def follow_up_run(*, now: datetime | None = None) -> SweepReport:
    """Remind of first follow-ups (回访) that have fallen due: a resolved case's is due at the
    end of its performance date or 10 working days after resolution, so an hourly pass (beat)
    is timely; it reads the resolved cases of the look-back window, which the every-minute
    sweep need not do. At most 1,000 per call."""
    now = now or timezone.now()
    report = SweepReport(now=now)
    queryset = _follow_up_candidates(now)
    if queryset is not None and queryset.exists():
        _follow_up_reminders(now=now, report=report, people=_People())
    if report.breaches:
        logger.info("follow-up pass at %s: %s", now.isoformat(), report.as_dict())
    return report


def sweep_all(*, now: datetime | None = None, batch_size: int = 500) -> SweepReport:
    """The sweep and the follow-up pass at one moment, as one report (`manage.py sweep`, a
    seeded history's first sweep, a benchmark catching up)."""
    report = sweep_run(now=now, batch_size=batch_size)
    follow_ups = follow_up_run(now=report.now)
    report.follow_up_reminders += follow_ups.follow_up_reminders
    report.breaches += follow_ups.breaches
    return report


# ---------------------------------------------------------------- handling periods


def _due_periods(now):
    """Open periods whose next deadline has passed (served by the partial index), except those
    parked on a resolve deadline already acted on (a supervised county case stays overdue)."""
    acted = Breach.objects.filter(
        period_id=OuterRef("pk"), kind=DeadlineKind.RESOLVE, due_at=OuterRef("next_deadline")
    )
    return HandlingPeriod.objects.filter(
        ended_at__isnull=True, next_deadline__isnull=False, next_deadline__lte=now
    ).exclude(Q(next_deadline_kind=DeadlineKind.RESOLVE) & Q(Exists(acted)))


@transaction.atomic
def _period_batch(*, now, batch_size, report, people) -> int:
    periods = list(
        _due_periods(now)
        .select_for_update(skip_locked=True, of=("self", "case"))
        .select_related("case")
        .exclude(pk__in=report.failed)
        .order_by("next_deadline", "id")[:batch_size]
    )
    people.preload({p.area_id for p in periods})
    for period in periods:
        report.periods += 1
        try:
            with transaction.atomic():
                _handle_period(period, now=now, report=report, people=people)
        except Exception:  # one broken case must not stop the sweep; it is retried next time
            logger.exception("sweep: period %s of case %s failed", period.pk, period.case_id)
            report.failed.append(period.pk)
        after_period_hook(period)
    return len(periods)


def _due_of(period: HandlingPeriod, kind: str) -> datetime | None:
    return {
        DeadlineKind.ASSIGN: period.assign_due,
        DeadlineKind.RESPOND: period.respond_due,
        DeadlineKind.RESOLVE: period.resolve_due,
    }[DeadlineKind(kind)]


def _overdue_kinds(period: HandlingPeriod, now: datetime) -> list[str]:
    """The period's unmet deadlines that have passed, earliest first."""
    kinds = []
    if period.assigned_at is None and period.assign_due <= now:
        kinds.append(DeadlineKind.ASSIGN)
    if period.responded_at is None and period.respond_due and period.respond_due <= now:
        kinds.append(DeadlineKind.RESPOND)
    if period.resolve_due <= now:
        kinds.append(DeadlineKind.RESOLVE)
    return sorted(kinds, key=lambda k: _due_of(period, k))


BREACH_INSERT = """
INSERT INTO {table} (case_id, period_id, kind, subject, due_at, detected_at, action)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (subject, kind) DO NOTHING
RETURNING id
"""


def _record_breach(*, case_id, period, kind, subject, due_at, now, action="") -> bool:
    """Record the breach of (subject, kind) with what the sweep does about it, in one
    statement; False when an earlier sweep recorded it (the unique constraint decides)."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            BREACH_INSERT.format(table=ops.quote_name(Breach._meta.db_table)),
            [
                case_id,
                period.pk if period is not None else None,
                kind,
                subject,
                ops.adapt_datetimefield_value(due_at),
                ops.adapt_datetimefield_value(now),
                action,
            ],
        )
        return cursor.fetchone() is not None


def _period_subject(period: HandlingPeriod, due: datetime) -> str:
    # The deadline is part of the subject: an extended deadline that passes again is new.
    return f"period:{period.pk}@{int(due.timestamp())}"


def _handle_period(period: HandlingPeriod, *, now, report, people) -> None:
    from . import clocks

    case = period.case
    for kind in _overdue_kinds(period, now):
        due = _due_of(period, kind)
        if kind != DeadlineKind.RESOLVE:
            action = "remind"
        else:
            action = "supervise" if period.level == Level.COUNTY else "escalate"
        created = _record_breach(
            case_id=case.pk,
            period=period,
            kind=kind,
            subject=_period_subject(period, due),
            due_at=due,
            now=now,
            action=action,
        )
        if not created:
            report.already_recorded += 1
            continue
        report.breaches += 1
        if action == "escalate":
            _escalate(case, period, due=due, now=now, people=people)
            report.escalated += 1
            return  # the period ended; the next level's period has its own clocks
        if action == "supervise":
            _supervise(case, period, due=due, now=now, people=people)
            report.supervised += 1
        else:
            _remind(case, period, kind=kind, due=due, now=now, people=people)
            report.reminded += 1
    # Everything overdue is now recorded: the next deadline is the next unmet one, if any.
    clocks.refresh_next_deadline(period, skip=set(_overdue_kinds(period, now)))
    if period.next_deadline is None:
        # Everything is acted on (the resolve deadline too): the period stays overdue on its
        # resolve deadline, which `_due_periods` no longer picks up.
        period.next_deadline, period.next_deadline_kind = period.resolve_due, DeadlineKind.RESOLVE
    period.save(update_fields=["next_deadline", "next_deadline_kind"])


def _system_event(case: Case, *, kind: str, note: str, data: dict, now) -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=None,
        from_status=case.status,
        to_status=case.status,
        from_level=case.level,
        to_level=case.level,
        note=note,
        data={"system": True, **data},
        created_at=now,
    )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _responsible(case: Case, period: HandlingPeriod, people: _People) -> list[int]:
    if case.assignee_id:
        return [case.assignee_id]
    return people.queue_keepers(period.area_id)


def _remind(case, period, *, kind, due, now, people) -> None:
    label = DEADLINE_LABELS[DeadlineKind(kind)]
    level = Level(period.level).label
    title = f"案件{case.number}{label}超期"
    body = f"「{case.title}」在{level}的{label}期限（{_local(due)}）已过，请尽快办理。"
    responsible = _responsible(case, period, people)
    notify(
        users=responsible,
        kind=NotificationKind.REMINDER,
        title=title,
        body=body,
        case=case,
        now=now,
    )
    above = people.officers(people.parent_id(period.area_id))
    notify(
        users=above,
        kind=NotificationKind.NOTICE,
        title=f"提醒函：{title}",
        body=f"下级{body[:-7]}，请督促办理。",
        case=case,
        now=now,
    )
    _system_event(
        case,
        kind=EventKind.REMIND,
        note=f"{label}超期提醒（期限 {_local(due)}）",
        data={"deadline": kind, "due": due.isoformat(), "notified": responsible, "notice": above},
        now=now,
    )


def _escalate(case, period, *, due, now, people) -> None:
    from .services import case_escalate

    responsible = _responsible(case, period, people)
    from_level = Level(period.level).label
    # The service tells the officers above (the reason is in their notice); the sweep tells
    # the people who let the deadline pass.
    escalated = case_escalate(actor=None, case_id=case.pk, reason=ESCALATE_REASON, at=now)
    to_level = Level(escalated.level).label
    notify(
        users=responsible,
        kind=NotificationKind.REMINDER,
        title=f"案件{case.number}办结超期，已自动上报",
        body=f"「{case.title}」在{from_level}的办结期限（{_local(due)}）已过，系统已上报至{to_level}。",
        case=case,
        now=now,
    )


def _supervise(case, period, *, due, now, people) -> None:
    Case.objects.filter(pk=case.pk).update(supervised=True, updated_at=now)
    case.supervised = True
    note = f"县级办结期限（{_local(due)}）已过，列入督办。"
    _system_event(
        case,
        kind=EventKind.SUPERVISE,
        note=note,
        data={"deadline": DeadlineKind.RESOLVE, "due": due.isoformat()},
        now=now,
    )
    recipients = people.of(period.area_id, RoleKind.OFFICER, RoleKind.VIEWER)
    if case.assignee_id and case.assignee_id not in recipients:
        recipients = [case.assignee_id, *recipients]
    notify(
        users=recipients,
        kind=NotificationKind.SUPERVISE,
        title=f"督办：案件{case.number}办结超期",
        body=f"「{case.title}」{note}",
        case=case,
        now=now,
    )


# ---------------------------------------------------------------- mediation deadlines


def _model(label):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _subject_exists(kind: str, prefix: str):
    """A NOT EXISTS guard: a breach of `kind` for this row was already recorded."""
    return Exists(
        Breach.objects.filter(
            kind=kind,
            subject=Concat(
                Value(prefix), Cast(OuterRef("pk"), CharField()), output_field=CharField()
            ),
        )
    )


def _case_people(case: Case, people: _People) -> list[int]:
    if case.assignee_id:
        return [case.assignee_id]
    return people.queue_keepers(case.holder_id)


def _locked(queryset, order):
    """The rows of `queryset`, locked, skipping rows another sweep holds."""
    return list(queryset.select_for_update(skip_locked=True, of=("self",)).order_by(*order)[:1000])


JUDICIAL, CONSULTATION, FOLLOW_UP = "judicial_remind", "consultation_due", "follow_up_due"


def _judicial_candidates(now):
    JudicialConfirmation = _model("mediation.JudicialConfirmation")
    if JudicialConfirmation is None:
        return None
    return (
        JudicialConfirmation.objects.select_related("case")
        # Only while the 30-day window is still open: a reminder after it closed helps no one.
        .filter(status="open", remind_at__lte=now, remind_at__gt=now - LOOKBACK, due_at__gt=now)
        .exclude(_subject_exists(JUDICIAL, "judicial:"))
    )


def _consultation_candidates(now):
    Consultation = _model("mediation.Consultation")
    if Consultation is None:
        return None
    return (
        Consultation.objects.select_related("case")
        .filter(answered_at__isnull=True, due_at__lte=now, due_at__gt=now - LOOKBACK)
        .exclude(_subject_exists(CONSULTATION, "consultation:"))
    )


def _follow_up_due_q(now) -> Q:
    """Resolved cases whose first follow-up, 10 working days after resolution at the same
    local time (official calendar), is due by `now`: exact, so no case is read before then."""
    from mediation.selectors import FOLLOW_UP_WORKING_DAYS

    from .calendar import add_working_days

    def midnight(day):
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))

    local_now = timezone.localtime(now)
    today = local_now.date()
    # The due day never comes earlier for a later resolution day: walk back from the latest
    # day that could be due today, past the days due exactly today, to the last day due before.
    day, due_today = today - timedelta(days=FOLLOW_UP_WORKING_DAYS), []
    for _ in range(LOOKBACK.days):
        due_day = add_working_days(midnight(day), FOLLOW_UP_WORKING_DAYS).date()
        if due_day < today:
            break
        if due_day == today:
            due_today.append(day)
        day -= timedelta(days=1)
    due = Q(resolved_at__lt=midnight(day + timedelta(days=1)))
    if due_today:
        due |= Q(
            resolved_at__gte=midnight(min(due_today)),
            resolved_at__lt=midnight(max(due_today) + timedelta(days=1)),
            resolved_at__time__lte=local_now.time(),
        )
    return due


def _follow_up_candidates(now):
    FollowUp = _model("mediation.FollowUp")
    if FollowUp is None:
        return None
    counties = Area.objects.filter(level="county").values("pk")
    today = timezone.localdate(now)
    # Counties first so the (county, concluded_at) index serves the range on concluded_at.
    return (
        Case.objects.filter(
            county_id__in=counties,
            concluded_at__gt=now - LOOKBACK,
            concluded_at__lte=now,
            status=Status.RESOLVED,
        )
        # Due at the end of the performance date when the agreement has one, else 10 working
        # days after resolution.
        .filter(
            Q(agreement__perform_by__lt=today)
            | (Q(agreement__perform_by__isnull=True) & _follow_up_due_q(now))
        )
        .exclude(Exists(FollowUp.objects.filter(case_id=OuterRef("pk"))))
        .exclude(_subject_exists(FOLLOW_UP, "followup:"))
    )


def _mediation_breach(case, *, kind, subject, due_at, counter, now, report, notice, note, data):
    """Record one mediation deadline's breach and, the first time only, notify and log it.
    `notice` is (recipients, notification kind, title, body)."""
    if not _record_breach(
        case_id=case.pk, period=None, kind=kind, subject=subject, due_at=due_at, now=now
    ):
        return
    report.breaches += 1
    setattr(report, counter, getattr(report, counter) + 1)
    users, notification_kind, title, body = notice
    notify(users=users, kind=notification_kind, title=title, body=body, case=case, now=now)
    _system_event(case, kind=EventKind.REMIND, note=note, data=data, now=now)


@transaction.atomic
def _judicial_reminders(*, now, report, people) -> None:
    """Day 20 of the 30-day window to apply for judicial confirmation (人民调解法 art. 33)."""
    for row in _locked(_judicial_candidates(now), ("remind_at", "id")):
        case = row.case
        _mediation_breach(
            case,
            kind=JUDICIAL,
            subject=f"judicial:{row.pk}",
            due_at=row.due_at,
            counter="judicial_reminders",
            now=now,
            report=report,
            notice=(
                _case_people(case, people),
                NotificationKind.JUDICIAL_DUE,
                f"案件{case.number}司法确认申请期限提醒",
                f"「{case.title}」的调解协议已生效，请于{_local(row.due_at)}前向人民法院申请"
                "司法确认（如当事人需要）。",
            ),
            note="司法确认申请期限提醒（第20日）",
            data={"deadline": "judicial", "due": row.due_at.isoformat()},
        )


@transaction.atomic
def _consultation_reminders(*, now, report, people) -> None:
    """A 三官一律 consultation whose answer is overdue: remind the consultant and the asker."""
    for row in _locked(_consultation_candidates(now), ("due_at", "id")):
        case = row.case
        _mediation_breach(
            case,
            kind=CONSULTATION,
            subject=f"consultation:{row.pk}",
            due_at=row.due_at,
            counter="consultation_reminders",
            now=now,
            report=report,
            notice=(
                [u for u in (row.consultant_id, row.asked_by_id) if u],
                NotificationKind.CONSULTATION_DUE,
                f"案件{case.number}咨询答复超期",
                f"向{row.consultant_name}的咨询答复期限（{_local(row.due_at)}）已过，请尽快答复。",
            ),
            note=f"咨询答复超期提醒（{row.consultant_name}）",
            data={
                "deadline": "consultation",
                "consultation": row.pk,
                "due": row.due_at.isoformat(),
            },
        )


@transaction.atomic
def _follow_up_reminders(*, now, report, people) -> None:
    """A resolved case whose first follow-up (回访) is due and not recorded."""
    from mediation.selectors import follow_up_due

    for case in _locked(_follow_up_candidates(now), ("concluded_at", "id")):
        due = follow_up_due(case)
        if due is None:
            continue
        due_at = due if isinstance(due, datetime) else _day_end(due)
        if due_at > now:
            continue
        _mediation_breach(
            case,
            kind=FOLLOW_UP,
            subject=f"followup:{case.pk}",
            due_at=due_at,
            counter="follow_up_reminders",
            now=now,
            report=report,
            notice=(
                _case_people(case, people),
                NotificationKind.FOLLOW_UP_DUE,
                f"案件{case.number}回访到期",
                f"「{case.title}」已调解成功，首次回访已到期（{_local(due_at)}），请及时回访。",
            ),
            note="回访到期提醒",
            data={"deadline": "follow_up", "due": due_at.isoformat()},
        )


def _day_end(day) -> datetime:
    """A performance date is met until the end of that day (local time)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
