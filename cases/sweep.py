"""The SLA sweep (DESIGN.md §7): finds what is overdue through indexed deadline columns and acts
on each breach exactly once.

Handling periods: open periods whose `next_deadline` has come (`cursor_periods`, the partial
index): the sweep's own cursor, what it has still to act on, never read as "overdue" (that is
`cases.overdue`, which also says which stages the sweep acts on). They are taken in batches with `SELECT … FOR UPDATE OF period, case SKIP LOCKED`, so
two sweeps at once share the work and never wait on each other or on a user's action (which
locks the case first). Each breach is recorded in the ledger (`cases.breaches`, unique per
subject and kind) in the same transaction as what the sweep does about it, so a breach is acted
on once: a sweep killed half-way rolls back its batch and the next one finds the same rows; a
breach already recorded is never acted on again. A batch is written set-based (its breaches,
events, notifications, outbox rows and cursors: one statement each, whatever its size), except
escalations, which go through `case_escalate` one period at a time; a batch that fails is done
again one period at a time, so one broken case does not hold up the others.

- assign or respond overdue → a reminder to the responsible people (the assignee, else the
  holder's officers) and a notice (提醒函) to the officers of the level above;
- resolve overdue at village or town → escalated to the next level by the system;
- resolve overdue at county → supervised (督办): flag, event, notice to county officers and viewers.

Deadlines that belong to the apps above cases (the mediation records: judicial confirmation,
consultations, follow-ups) live in those apps, which register them here (`register`, from their
`AppConfig.ready()`); the sweep only drives them: every sweep runs the sources due by the
minute, an hourly pass (`follow_up_run`) those due by the day.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from grids.models import Area
from notifications.choices import NotificationKind
from notifications.services import Message, notify, notify_many

from .breaches import BreachRow, period_subject, record_breach, record_breaches, resolve_acted_on
from .choices import DeadlineKind, EventKind, Level
from .events import case_event, case_events
from .models import Case, HandlingPeriod
from .overdue import STAGE_LABELS
from .selectors import overdue_stages, stage_due

logger = logging.getLogger(__name__)

ESCALATE_REASON = "办结超期，系统自动上报"
MAX_BATCHES = 10_000

# The stage names of the one overdue rule (the queue, the case page and the notices agree).
DEADLINE_LABELS = {DeadlineKind(kind): label for kind, label in STAGE_LABELS.items()}


# ---------------------------------------------------------------- deadline sources


@dataclass(frozen=True)
class DeadlineSource:
    """A kind of deadline that an app above cases owns, as the sweep drives it.

    `due(now)` is the indexed look for what has fallen due, taken without a transaction or a
    lock (the sweep calls `act` only when it finds rows); `act(now=, report=, people=)` acts on
    at most a batch of them in a transaction of its own, recording each breach in the ledger
    first, and adds what it did to the report's figure `counter`. `hourly` sources are run by
    the hourly pass instead of every sweep (their deadlines fall due by the day)."""

    name: str
    counter: str
    due: Callable[[datetime], QuerySet]
    act: Callable[..., None]
    hourly: bool = False


_SOURCES: dict[str, DeadlineSource] = {}


def register(source: DeadlineSource) -> None:
    """Add a deadline source to the sweep (idempotent by name)."""
    _SOURCES[source.name] = source


def deadline_sources(*, hourly: bool) -> list[DeadlineSource]:
    """The registered sources of one cadence, in registration order."""
    return [source for source in _SOURCES.values() if source.hourly == hourly]


def _counters() -> list[str]:
    return [source.counter for source in _SOURCES.values()]


@dataclass
class SweepReport:
    """What one sweep did: the handling periods' figures, and one figure per registered
    deadline source (`report.judicial_reminders`, read through `counts`)."""

    now: datetime
    periods: int = 0
    breaches: int = 0
    already_recorded: int = 0
    reminded: int = 0
    escalated: int = 0
    supervised: int = 0
    counts: dict = field(default_factory=dict)
    failed: list = field(default_factory=list)

    def __getattr__(self, name: str) -> int:
        if name != "counts" and name in _counters():
            return self.counts.get(name, 0)
        raise AttributeError(name)

    def count(self, counter: str, n: int = 1) -> None:
        """Add to a source's figure."""
        self.counts[counter] = self.counts.get(counter, 0) + n

    def add(self, other: "SweepReport") -> None:
        """Add another pass's breaches and source figures to this report."""
        self.breaches += other.breaches
        for counter, n in other.counts.items():
            self.count(counter, n)

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k not in ("now", "counts")}
        data.update({counter: self.counts.get(counter, 0) for counter in _counters()})
        data["now"] = self.now.isoformat()
        return data


class People:
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

    def responsible(self, case: Case, area_id: int | None) -> list[int]:
        """Who answers for a case's deadline: its assignee, else the queue keepers of
        `area_id` (the period's area, or the case's holder)."""
        if case.assignee_id:
            return [case.assignee_id]
        return self.queue_keepers(area_id)

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
    """Act once on everything overdue at `now` (default: the current time): the handling
    periods, then the registered sources due by the minute."""
    now = now or timezone.now()
    report = SweepReport(now=now)
    people = People()
    for _ in range(MAX_BATCHES):
        # A plain indexed look first: with nothing due, no transaction and no locks.
        if not _due_periods(now).exclude(pk__in=report.failed).exists():
            break
        taken = _period_batch(now=now, batch_size=batch_size, report=report, people=people)
        if taken < batch_size:
            break
    deadline_sources_run(now=now, report=report, people=people)
    if report.breaches or report.failed:
        logger.info("sweep at %s: %s", now.isoformat(), report.as_dict())
    return report


def deadline_sources_run(
    *, now: datetime, report: SweepReport | None = None, people=None, hourly: bool = False
) -> SweepReport:
    """The registered deadline sources of one cadence: one indexed look each, a transaction
    only when something is due."""
    report = report or SweepReport(now=now)
    people = people or People()
    for source in deadline_sources(hourly=hourly):
        if source.due(now).exists():
            source.act(now=now, report=report, people=people)
    return report


def follow_up_run(*, now: datetime | None = None) -> SweepReport:
    """The hourly pass: the registered sources whose deadlines fall due by the day (the first
    follow-up of a resolved case), which the every-minute sweep need not read."""
    now = now or timezone.now()
    report = deadline_sources_run(now=now, hourly=True)
    if report.breaches:
        logger.info("hourly deadline pass at %s: %s", now.isoformat(), report.as_dict())
    return report


def sweep_all(*, now: datetime | None = None, batch_size: int = 500) -> SweepReport:
    """The sweep and the hourly pass at one moment, as one report (`manage.py sweep`, a
    seeded history's first sweep, a benchmark catching up)."""
    report = sweep_run(now=now, batch_size=batch_size)
    report.add(follow_up_run(now=report.now))
    return report


# ---------------------------------------------------------------- handling periods


def cursor_periods(now):
    """Open handling periods whose cursor has come (`next_deadline <= now`): what the sweep has
    still to act on, through the partial index `period_next_deadline_open`."""
    return HandlingPeriod.objects.filter(
        ended_at__isnull=True, next_deadline__isnull=False, next_deadline__lte=now
    )


def _due_periods(now):
    """The periods the sweep has still to act on, except those parked on a resolve deadline
    already acted on (a supervised county case)."""
    return cursor_periods(now).exclude(
        Q(next_deadline_kind=DeadlineKind.RESOLVE) & Q(resolve_acted_on())
    )


@transaction.atomic
def _period_batch(*, now, batch_size, report, people) -> int:
    """One batch of due periods, locked in one statement. Reminders and supervision are
    written set-based (the ledger's rows, the events, the notifications and their outbox rows,
    the cursors: one statement each for the batch); an escalation moves the case and opens
    the next level's period through `case_escalate`, one period at a time (rare: a resolve
    deadline missed at village or town)."""
    periods = list(
        _due_periods(now)
        .select_for_update(skip_locked=True, of=("self", "case"))
        .select_related("case")
        .exclude(pk__in=report.failed)
        .order_by("next_deadline", "id")[:batch_size]
    )
    people.preload({p.area_id for p in periods})
    together = []
    for period in periods:
        if _escalates(period, now):
            _one_period(period, now=now, report=report, people=people)
        else:
            together.append(period)
    if together:
        cursors = [(p.next_deadline, p.next_deadline_kind, p.case.supervised) for p in together]
        try:
            with transaction.atomic():
                counts = _handle_periods(together, now=now, people=people)
        except Exception:  # find the broken case: the batch again, one period at a time
            logger.exception("sweep: a batch of %s periods failed; one by one", len(together))
            for period, (due, kind, supervised) in zip(together, cursors, strict=True):
                period.next_deadline, period.next_deadline_kind = due, kind
                period.case.supervised = supervised
            for period in together:
                _one_period(period, now=now, report=report, people=people)
        else:
            for name, n in counts.items():
                setattr(report, name, getattr(report, name) + n)
            for period in together:
                report.periods += 1
                after_period_hook(period)
    return len(periods)


def _escalates(period: HandlingPeriod, now) -> bool:
    """Whether the sweep escalates this period now: its resolve deadline passed below county."""
    return period.level != Level.COUNTY and period.resolve_due <= now


def _one_period(period: HandlingPeriod, *, now, report, people) -> None:
    report.periods += 1
    try:
        with transaction.atomic():
            _handle_period(period, now=now, report=report, people=people)
    except Exception:  # one broken case must not stop the sweep; it is retried next time
        logger.exception("sweep: period %s of case %s failed", period.pk, period.case_id)
        report.failed.append(period.pk)
    after_period_hook(period)


def _handle_periods(periods: list[HandlingPeriod], *, now, people) -> Counter:
    """Act on the overdue stages of periods that do not escalate (reminders, supervision), in
    a constant number of statements: the breaches first, in one INSERT … ON CONFLICT DO
    NOTHING, so only what this sweep recorded is acted on."""
    stages, rows = [], []
    for period in periods:
        for kind in overdue_stages(period, now):
            due = stage_due(period, kind)
            action = "supervise" if kind == DeadlineKind.RESOLVE else "remind"
            stages.append((period, kind, due, action))
            rows.append(
                BreachRow(
                    case_id=period.case_id,
                    period_id=period.pk,
                    kind=kind,
                    subject=period_subject(period, due),
                    due_at=due,
                    action=action,
                )
            )
    created = record_breaches(rows, now=now)
    counts = Counter()
    events, messages, supervised = [], [], []
    for (period, kind, due, action), row in zip(stages, rows, strict=True):
        if (row.subject, row.kind) not in created:
            counts["already_recorded"] += 1
            continue
        counts["breaches"] += 1
        if action == "supervise":
            event, notices = _supervision(period.case, period, due=due, people=people)
            supervised.append(period.case)
            counts["supervised"] += 1
        else:
            event, notices = _reminder(period.case, period, kind=kind, due=due, people=people)
            counts["reminded"] += 1
        events.append({**event, "at": now})
        messages += notices
    if supervised:
        Case.objects.filter(pk__in=[case.pk for case in supervised]).update(
            supervised=True, updated_at=now
        )
        for case in supervised:
            case.supervised = True
    case_events(events)
    notify_many(messages, now=now)
    for period in periods:
        _move_cursor(period, now)
    _save_cursors(periods)
    return counts


CURSORS_UPDATE = """
UPDATE {table} AS p SET next_deadline = v.due, next_deadline_kind = v.kind
FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[]) AS v(id, due, kind)
WHERE p.id = v.id
"""


def _save_cursors(periods: list[HandlingPeriod]) -> None:
    """Save the periods' `next_deadline`/`next_deadline_kind` in one statement."""
    if connection.vendor != "postgresql":  # SQLite (`make run`)
        HandlingPeriod.objects.bulk_update(periods, ["next_deadline", "next_deadline_kind"])
        return
    table = connection.ops.quote_name(HandlingPeriod._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            CURSORS_UPDATE.format(table=table),
            [
                [p.pk for p in periods],
                [p.next_deadline for p in periods],
                [str(p.next_deadline_kind) for p in periods],
            ],
        )


def _move_cursor(period: HandlingPeriod, now) -> None:
    """Everything overdue is now recorded: the next deadline is the next unmet one, if any
    (not saved)."""
    from . import clocks

    clocks.refresh_next_deadline(period, skip=set(overdue_stages(period, now)))
    if period.next_deadline is None:
        # Everything is acted on (the resolve deadline too): the period stays overdue on its
        # resolve deadline, which `_due_periods` no longer picks up.
        period.next_deadline, period.next_deadline_kind = period.resolve_due, DeadlineKind.RESOLVE


def _handle_period(period: HandlingPeriod, *, now, report, people) -> None:
    """Act on one period's overdue stages (an escalation; a batch that failed, one by one)."""
    case = period.case
    for kind in overdue_stages(period, now):
        due = stage_due(period, kind)
        if kind != DeadlineKind.RESOLVE:
            action = "remind"
        else:
            action = "supervise" if period.level == Level.COUNTY else "escalate"
        created = record_breach(
            case_id=case.pk,
            period=period,
            kind=kind,
            subject=period_subject(period, due),
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
    _move_cursor(period, now)
    period.save(update_fields=["next_deadline", "next_deadline_kind"])


def local_text(moment: datetime) -> str:
    """A deadline as the notices write it (local time, to the minute)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _reminder(case, period, *, kind, due, people) -> tuple[dict, list[Message]]:
    """The reminder of one overdue stage: its event (without its time) and its notices."""
    label = DEADLINE_LABELS[DeadlineKind(kind)]
    level = Level(period.level).label
    title = f"案件{case.number}{label}超期"
    body = f"「{case.title}」在{level}的{label}期限（{local_text(due)}）已过，请尽快办理。"
    responsible = people.responsible(case, period.area_id)
    above = people.officers(people.parent_id(period.area_id))
    notices = [
        Message(
            users=responsible, kind=NotificationKind.REMINDER, title=title, body=body, case=case
        ),
        Message(
            users=above,
            kind=NotificationKind.NOTICE,
            title=f"提醒函：{title}",
            body=f"下级{body[:-7]}，请督促办理。",
            case=case,
        ),
    ]
    event = {
        "case": case,
        "kind": EventKind.REMIND,
        "actor": None,
        "note": f"{label}超期提醒（期限 {local_text(due)}）",
        "data": {
            "deadline": kind,
            "due": due.isoformat(),
            "notified": responsible,
            "notice": above,
        },
    }
    return event, notices


def _remind(case, period, *, kind, due, now, people) -> None:
    event, notices = _reminder(case, period, kind=kind, due=due, people=people)
    notify_many(notices, now=now)
    case_event(**event, at=now)


def _escalate(case, period, *, due, now, people) -> None:
    from .services import case_escalate

    responsible = people.responsible(case, period.area_id)
    from_level = Level(period.level).label
    # The service tells the officers above (the reason is in their notice); the sweep tells
    # the people who let the deadline pass.
    escalated = case_escalate(actor=None, case_id=case.pk, reason=ESCALATE_REASON, at=now)
    to_level = Level(escalated.level).label
    notify(
        # The reporter was told of the escalation by the event itself (cases/alerts.py).
        users=[u for u in responsible if u != escalated.reported_by_id],
        kind=NotificationKind.REMINDER,
        title=f"案件{case.number}办结超期，已自动上报",
        body=f"「{case.title}」在{from_level}的办结期限（{local_text(due)}）已过，系统已上报至{to_level}。",
        case=case,
        now=now,
    )


def _supervision(case, period, *, due, people) -> tuple[dict, list[Message]]:
    """The supervision of a county case past its resolve deadline: its event (without its
    time) and its notice to the county's officers and viewers and the assignee."""
    note = f"县级办结期限（{local_text(due)}）已过，列入督办。"
    event = {
        "case": case,
        "kind": EventKind.SUPERVISE,
        "actor": None,
        "note": note,
        "data": {"deadline": DeadlineKind.RESOLVE, "due": due.isoformat()},
    }
    recipients = people.of(period.area_id, RoleKind.OFFICER, RoleKind.VIEWER)
    if case.assignee_id and case.assignee_id not in recipients:
        recipients = [case.assignee_id, *recipients]
    notice = Message(
        users=recipients,
        kind=NotificationKind.SUPERVISE,
        title=f"督办：案件{case.number}办结超期",
        body=f"「{case.title}」{note}",
        case=case,
    )
    return event, [notice]


def _supervise(case, period, *, due, now, people) -> None:
    Case.objects.filter(pk=case.pk).update(supervised=True, updated_at=now)
    case.supervised = True
    event, notices = _supervision(case, period, due=due, people=people)
    case_event(**event, at=now)
    notify_many(notices, now=now)
