"""The SLA sweep (DESIGN.md §7): finds what is overdue through indexed deadline columns and acts
on each breach exactly once.

Handling periods: open periods whose cursor (`PeriodCursor`, a narrow table of its own) has
come (`cursor_periods`), but for those parked on a resolve deadline already acted on
(`_due_periods`, the partial index `cursor_to_act`): the sweep's own cursor, what it has still
to act on, never read as "overdue" (that is `cases.overdue`, which also says which stages the
sweep acts on). They are taken in batches with `SELECT … FOR UPDATE OF period, case SKIP
LOCKED`, so
two sweeps at once share the work and never wait on each other or on a user's action (which
locks the case first). Each breach is recorded in the ledger (`cases.breaches`, unique per
subject and kind) in the same transaction as what the sweep does about it, so a breach is acted
on once: a sweep killed half-way rolls back its batch and the next one finds the same rows; a
breach already recorded is never acted on again. A batch is written set-based (its breaches,
events, notifications, outbox rows and cursors: one statement each, whatever its size; its
escalations too: the periods ended, the cases moved and the next level's periods and their
cursors opened in one statement each, by the rules of `case_escalate`); a batch that fails is done again one period at
a time (an escalation through `case_escalate` itself), so one broken case does not hold up the
others.

- assign or respond overdue → a reminder to the responsible people (the assignee, else the
  holder's officers) and a notice (提醒函) to the officers of the level above;
- resolve overdue at village or town → escalated to the next level by the system;
- resolve overdue at county → supervised (督办): flag, event, notice to county officers and viewers.

Deadlines that belong to the apps above cases (the mediation records: judicial confirmation,
consultations, follow-ups) live in those apps, which register them here (`register`, from their
`AppConfig.ready()`); the sweep only drives them: every sweep runs the sources due by the
minute, an hourly pass (`follow_up_run`) those due by the day.
"""

import functools
import gc
import logging
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from grids.models import Area
from notifications.bulk_sql import pg_array
from notifications.choices import NotificationKind
from notifications.services import Message, notify_batch, notify_many

from . import clocks
from .breaches import BreachRow, period_subject, record_breach, record_breaches
from .choices import (
    LEVEL_RANK,
    NEXT_LEVEL,
    DeadlineKind,
    EventKind,
    Level,
    PeriodEnd,
    PeriodEntry,
    Status,
)
from .events import case_event, case_events, event_row, new_event
from .models import Case, HandlingPeriod, PeriodCursor
from .overdue import STAGE_LABELS
from .policy import TRANSITIONS
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

    def merge(self, other: "SweepReport") -> None:
        """Add another lane's figures of the same sweep (its list of failed periods is this
        report's own, shared)."""
        for name in ("periods", "already_recorded", "reminded", "escalated", "supervised"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.add(other)

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
    batch's areas and their parents in two queries); and the deadline arithmetic of the
    periods it opens (the policy of a level, a deadline from a moment) and the deadlines'
    text in the notices, remembered."""

    def __init__(self):
        self._roles = {}  # area id -> {role kind: {user ids}}
        self._areas = {}  # area id -> parent id
        self._people = {}  # (area id, role kinds) -> the sorted user ids `of` answered
        self.limits_of = functools.cache(clocks.limits_for)
        self.deadline_of = functools.cache(clocks.deadline)
        # A deadline as the notices write it: a batch's periods share their deadlines.
        self.local_text = functools.cache(local_text)

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
        """The active users with one of `kinds` at an area, sorted (one list per area and kinds,
        shared by the periods of a sweep: not to be changed)."""
        if area_id is None:
            return []
        found = self._people.get((area_id, kinds))
        if found is None:
            if area_id not in self._roles:
                self._load_roles({area_id})
            roles = self._roles[area_id]
            found = sorted(set().union(*(roles.get(kind, ()) for kind in kinds)))
            self._people[(area_id, kinds)] = found
        return found

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


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while a sweep works, and resumed after it.

    A batch builds thousands of short-lived objects (its periods and cases, their events and
    notices) that reference counting frees; the cyclic collector, run every few hundred
    allocations, would walk them and the process's whole heap again and again to find no
    cycle: measured, more than half of a batch's Python time. What cycles a sweep leaves are
    collected when the collector resumes (nested: the outermost resumes it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sweep_run(
    *, now: datetime | None = None, batch_size: int = 500, lanes: int | None = None
) -> SweepReport:
    """Act once on everything overdue at `now` (default: the current time): the handling
    periods, then the registered sources due by the minute.

    The periods are taken in `lanes` at once (default `settings.SWEEP_LANES`): each lane a
    thread with its own database connection taking batches until a batch comes back short.
    The lanes share the work as two sweeps do (`SKIP LOCKED`: a period is in one batch, and a
    breach is recorded once); while one lane's batch waits on the database the other's is
    built. One lane, in the calling thread, when the caller holds a transaction (the lanes'
    connections would not see what it has not committed) or on SQLite."""
    now = now or timezone.now()
    report = SweepReport(now=now)
    people = People()
    with collector_paused():
        # A plain indexed look first: with nothing due, no transaction, no lane and no lock.
        if _due_periods(now).exists():
            lanes = settings.SWEEP_LANES if lanes is None else lanes
            if lanes > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
                _lanes(lanes, now=now, batch_size=batch_size, report=report)
            else:
                _lane(now=now, batch_size=batch_size, report=report, people=people)
        deadline_sources_run(now=now, report=report, people=people)
    if report.breaches or report.failed:
        logger.info("sweep at %s: %s", now.isoformat(), report.as_dict())
    return report


def _lane(*, now, batch_size, report, people, stop=None) -> None:
    """Batches of due periods until one comes back short (or `stop` is set)."""
    for _ in range(MAX_BATCHES):
        # After a full batch the next is taken straight away (a look would read what it reads).
        taken = _period_batch(now=now, batch_size=batch_size, report=report, people=people)
        if taken < batch_size or (stop is not None and stop.is_set()):
            return


def _lanes(count: int, *, now, batch_size, report: SweepReport) -> None:
    """`count` lanes in threads, each with its own connection, report and look-ups; their
    figures added to `report` (one list of failed periods, shared, so no lane retries a period
    another gave up on). A lane that fails stops the others after their batch in hand (each
    batch commits or rolls back whole) and its error is raised here, as one lane's would be."""
    stop = threading.Event()
    errors = []
    reports = [SweepReport(now=now, failed=report.failed) for _ in range(count)]

    def lane(own: SweepReport) -> None:
        try:
            _lane(now=now, batch_size=batch_size, report=own, people=People(), stop=stop)
        except BaseException as error:  # raised again in the calling thread
            errors.append(error)
            stop.set()
        finally:
            connection.close()  # this thread's own

    threads = [
        threading.Thread(target=lane, args=(own,), name=f"sweep-lane-{n}", daemon=True)
        for n, own in enumerate(reports)
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # the task's time limit, a signal: the lanes end their batch in hand
        stop.set()
        for thread in threads:
            thread.join()
        raise
    for own in reports:
        report.merge(own)
    if errors:
        raise errors[0]


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
    with collector_paused():
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
    """Open handling periods whose cursor has come (`cursor.next_deadline <= now`): what the
    sweep has still to act on (the sweep reads it through `_due_periods`). Only an open period
    has a cursor, so the periods are not filtered: the look reads the cursors' index in its
    order and joins each to its period by key."""
    return HandlingPeriod.objects.filter(cursor__next_deadline__lte=now)


def _due_periods(now):
    """The periods the sweep has still to act on, except those parked on a resolve deadline
    already acted on (a supervised county case, `acted_due`): on the partial index
    `cursor_to_act`, so the parked cursors are never read."""
    return cursor_periods(now).filter(cursor__acted_due__isnull=True)


# What a batch does not read of a case: its long texts, its moments and its facts' figures (an
# escalation one at a time reads the case again through `case_escalate`), each a value the
# database would send and Python parse for every due period.
BATCH_DEFERRED = tuple(
    f"case__{name}"
    for name in (
        "facts",
        "outcome_note",
        "category",
        "source",
        "occurred_on",
        "amount",
        "people_involved",
        "repeat_dispute",
        "reported_at",
        "resolved_at",
        "closed_at",
        "concluded_at",
        "updated_at",
    )
)


@transaction.atomic
def _period_batch(*, now, batch_size, report, people) -> int:
    """One batch of due periods, locked in one statement, and written set-based (the ledger's
    rows, the events, the notifications and their outbox rows, the cursors, the escalations:
    one statement each for the batch). A period whose case does not stand where its period
    says goes through `case_escalate` on its own, which refuses it as it refuses a user."""
    periods = list(
        _due_periods(now)
        .select_for_update(skip_locked=True, of=("self", "case", "cursor"))
        .select_related("case", "cursor")
        .defer(*BATCH_DEFERRED)
        .exclude(pk__in=report.failed)
        .order_by("cursor__next_deadline", "cursor__period_id")[:batch_size]
    )
    people.preload({p.area_id for p in periods})
    together = []
    for period in periods:
        if _set_based(period, now):
            together.append(period)
        else:
            _one_period(period, now=now, report=report, people=people)
    if together:
        saved = [_state(period) for period in together]
        try:
            with transaction.atomic():
                counts = _handle_periods(together, now=now, people=people)
        except Exception:  # find the broken case: the batch again, one period at a time
            logger.exception("sweep: a batch of %s periods failed; one by one", len(together))
            for period, state in zip(together, saved, strict=True):
                _restore(period, state)
            for period in together:
                _one_period(period, now=now, report=report, people=people)
        else:
            for name, n in counts.items():
                setattr(report, name, getattr(report, name) + n)
            for period in together:
                report.periods += 1
                after_period_hook(period)
    return len(periods)


# What a batch changes on its periods, their cursors and their cases in hand (put back when
# it fails).
PERIOD_STATE = ("next_deadline", "next_deadline_kind", "ended_at", "end_reason")
CURSOR_FIELDS = ["next_deadline", "next_deadline_kind", "acted_due"]
CASE_STATE = ("supervised", "level", "peak_level", "holder_id", "status", "assignee_id")


def _state(period: HandlingPeriod) -> tuple:
    case = period.case
    return (
        [getattr(period, name) for name in PERIOD_STATE],
        [getattr(period.cursor, name) for name in CURSOR_FIELDS],
        [getattr(case, name) for name in CASE_STATE],
    )


def _restore(period: HandlingPeriod, state: tuple) -> None:
    for name, value in zip(PERIOD_STATE, state[0], strict=True):
        setattr(period, name, value)
    for name, value in zip(CURSOR_FIELDS, state[1], strict=True):
        setattr(period.cursor, name, value)
    for name, value in zip(CASE_STATE, state[2], strict=True):
        setattr(period.case, name, value)


def _escalates(period: HandlingPeriod, now) -> bool:
    """Whether the sweep escalates this period now: its resolve deadline passed below county."""
    return period.level != Level.COUNTY and period.resolve_due <= now


def _set_based(period: HandlingPeriod, now) -> bool:
    """Whether the batch may act on this period set-based: any period that does not escalate;
    one that does when its case stands at the period's level, in a status `case_escalate`
    moves, with a unit at the next level (else `case_escalate` alone, which refuses it)."""
    if not _escalates(period, now):
        return True
    case = period.case
    return (
        case.level == period.level
        and case.status in TRANSITIONS["escalate"]
        and _next_holder(case) is not None
    )


def _next_holder(case: Case) -> int | None:
    """The unit of the level above the case's (the sweep's escalation: `case_escalate` by the
    system, which sends it to the next level)."""
    to_level = NEXT_LEVEL.get(Level(case.level))
    if to_level is None:
        return None
    return {Level.TOWN: case.town_id, Level.COUNTY: case.county_id}[to_level]


def _one_period(period: HandlingPeriod, *, now, report, people) -> None:
    report.periods += 1
    try:
        with transaction.atomic():
            _handle_period(period, now=now, report=report, people=people)
    except Exception:  # one broken case must not stop the sweep; it is retried next time
        logger.exception("sweep: period %s of case %s failed", period.pk, period.case_id)
        report.failed.append(period.pk)
    after_period_hook(period)


def _action(period: HandlingPeriod, kind: str) -> str:
    """What the sweep does about an overdue stage of a period."""
    if kind != DeadlineKind.RESOLVE:
        return "remind"
    return "supervise" if period.level == Level.COUNTY else "escalate"


def _handle_periods(periods: list[HandlingPeriod], *, now, people) -> Counter:
    """Act on the overdue stages of many periods in a constant number of statements: the
    breaches first, in one INSERT … ON CONFLICT DO NOTHING, so only what this sweep recorded
    is acted on; then the reminders, the supervisions and the escalations (`_escalate_many`),
    the events and the notices, the cursors. As `_handle_period` does one period at a time:
    an escalation ends the period, so nothing after its resolve stage is looked at."""
    stages, rows = [], []
    for period in periods:
        for kind in overdue_stages(period, now):
            due = stage_due(period, kind)
            action = _action(period, kind)
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
            if action == "escalate":
                break
    created = record_breaches(rows, now=now)
    counts = Counter()
    events, messages, supervised, escalated = [], [], [], []
    for (period, kind, due, action), row in zip(stages, rows, strict=True):
        if (row.subject, row.kind) not in created:
            counts["already_recorded"] += 1
            continue
        counts["breaches"] += 1
        case = period.case
        if action == "escalate":
            event, notices = _escalation(case, period, due=due, now=now, people=people)
            escalated.append(period)
            counts["escalated"] += 1
        elif action == "supervise":
            event, notices = _supervision(case, period, due=due, people=people)
            supervised.append(case)
            counts["supervised"] += 1
        else:
            event, notices = _reminder(case, period, kind=kind, due=due, people=people)
            counts["reminded"] += 1
        # Built now: an event reads the case's status and level as they stand at this step (a
        # reminder's or a supervision's tells nobody: a row, without a model).
        if action == "escalate":
            events.append(new_event(**event, at=now))
        else:
            del event["actor"]
            events.append(event_row(**event, at=now))
        messages += notices
    if supervised:
        Case.objects.filter(pk__in=[case.pk for case in supervised]).update(
            supervised=True, updated_at=now
        )
        for case in supervised:
            case.supervised = True
    if escalated:
        _save_escalations(escalated, now=now, people=people)
    case_events(events, people=people)
    notify_batch(messages, now=now)
    moved = [period for period in periods if period.ended_at is None]
    for period in moved:
        _move_cursor(period, now)
    _save_cursors(moved)
    return counts


CURSORS_UPDATE = """
UPDATE {table} AS c SET next_deadline = v.due, next_deadline_kind = v.kind, acted_due = v.acted
FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[], %s::timestamptz[])
     AS v(id, due, kind, acted)
WHERE c.period_id = v.id
"""


def _save_cursors(periods: list[HandlingPeriod]) -> None:
    """Save the periods' cursors (`next_deadline`, `next_deadline_kind`, `acted_due`) in one
    statement: the narrow rows of `PeriodCursor`, not the periods."""
    if not periods:
        return
    cursors = [period.cursor for period in periods]
    if connection.vendor != "postgresql":  # SQLite (`make run`)
        PeriodCursor.objects.bulk_update(cursors, CURSOR_FIELDS)
        return
    table = connection.ops.quote_name(PeriodCursor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            CURSORS_UPDATE.format(table=table),
            [
                pg_array(c.period_id for c in cursors),
                pg_array(c.next_deadline for c in cursors),
                pg_array(str(c.next_deadline_kind) for c in cursors),
                pg_array(c.acted_due for c in cursors),
            ],
        )


def _move_cursor(period: HandlingPeriod, now) -> None:
    """Everything overdue is now recorded: the cursor goes to the next unmet deadline, if any
    (not saved). The period's own `next_deadline` (the earliest not met) stays."""
    cursor = period.cursor
    due, kind = clocks.next_deadline_of(period, skip=set(overdue_stages(period, now)))
    if due is None:
        # Everything is acted on (the resolve deadline too): the cursor stays on the resolve
        # deadline, marked acted on, which `_due_periods` no longer picks up.
        due, kind = period.resolve_due, DeadlineKind.RESOLVE
        cursor.acted_due = period.resolve_due
    cursor.next_deadline, cursor.next_deadline_kind = due, kind


def _handle_period(period: HandlingPeriod, *, now, report, people) -> None:
    """Act on one period's overdue stages (a case that does not stand where its period says;
    a batch that failed, one by one)."""
    case = period.case
    for kind in overdue_stages(period, now):
        due = stage_due(period, kind)
        action = _action(period, kind)
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
    period.cursor.save(update_fields=CURSOR_FIELDS)


def local_text(moment: datetime) -> str:
    """A deadline as the notices write it (local time, to the minute)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _reminder(case, period, *, kind, due, people) -> tuple[dict, list[Message]]:
    """The reminder of one overdue stage: its event (without its time) and its notices."""
    label = DEADLINE_LABELS[DeadlineKind(kind)]
    level = Level(period.level).label
    title = f"案件{case.number}{label}超期"
    body = f"「{case.title}」在{level}的{label}期限（{people.local_text(due)}）已过，请尽快办理。"
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
        "note": f"{label}超期提醒（期限 {people.local_text(due)}）",
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
    """One escalation through the service users call (`case_escalate`, by the system)."""
    from .services import case_escalate

    responsible = people.responsible(case, period.area_id)
    # The service tells the officers above (the reason is in their notice); the sweep tells
    # the people who let the deadline pass.
    escalated = case_escalate(actor=None, case_id=case.pk, reason=ESCALATE_REASON, at=now)
    notice = _escalation_notice(
        case, period, due=due, to_level=escalated.level, responsible=responsible
    )
    notify_many([notice], now=now)


def _escalation_notice(case, period, *, due, to_level, responsible) -> Message:
    """The sweep's notice of an escalation to the people who let the resolve deadline pass
    (the reporter was told of the escalation by the event itself, cases/alerts.py)."""
    return Message(
        users=[u for u in responsible if u != case.reported_by_id],
        kind=NotificationKind.REMINDER,
        title=f"案件{case.number}办结超期，已自动上报",
        body=(
            f"「{case.title}」在{Level(period.level).label}的办结期限（{local_text(due)}）已过，"
            f"系统已上报至{Level(to_level).label}。"
        ),
        case=case,
    )


def _escalation(case, period, *, due, now, people) -> tuple[dict, list[Message]]:
    """The escalation of a period past its resolve deadline below county, by the rules of
    `case_escalate` for the system (to the next level's unit, pending there, unassigned), on
    the case and period in hand, not saved (`_save_escalations` writes a batch's): its event
    (without its time) and the sweep's notice. The next level's period is opened, and its
    people told by the event (cases/alerts.py), when the batch is saved."""
    responsible = people.responsible(case, period.area_id)
    from_status, from_level = case.status, case.level
    to_level = NEXT_LEVEL[Level(case.level)]
    period.ended_at, period.end_reason = now, PeriodEnd.ESCALATED
    clocks.refresh_next_deadline(period)
    case.holder_id = _next_holder(case)
    case.level = to_level
    case.peak_level = max(case.peak_level, to_level, key=lambda level: LEVEL_RANK[Level(level)])
    case.status = Status.PENDING
    case.assignee_id = None
    event = {
        "case": case,
        "kind": EventKind.ESCALATE,
        "actor": None,
        "from_status": from_status,
        "from_level": from_level,
        "note": ESCALATE_REASON,
        "data": {"system": True, "holder": case.holder_id},
    }
    notice = _escalation_notice(case, period, due=due, to_level=to_level, responsible=responsible)
    return event, [notice]


CASES_MOVE = """
UPDATE {table} AS c SET level = v.level, peak_level = v.peak_level, holder_id = v.holder_id,
       status = v.status, assignee_id = NULL, updated_at = %s
FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::bigint[], %s::varchar[])
     AS v(id, level, peak_level, holder_id, status)
WHERE c.id = v.id
"""


def _save_escalations(periods: list[HandlingPeriod], *, now, people) -> None:
    """Write a batch's escalations (`_escalation`) in a constant number of statements: the
    periods ended and their cursors deleted, the cases moved, the next level's periods and
    their cursors opened (`clocks.new_period`, the deadlines of the batch's one moment counted
    once per level and policy), and the receiving units' people and the cases' places read
    for the events' notices."""
    HandlingPeriod.objects.filter(pk__in=[p.pk for p in periods]).update(
        ended_at=now, end_reason=PeriodEnd.ESCALATED, next_deadline=None, next_deadline_kind=""
    )
    PeriodCursor.objects.filter(period__in=[p.pk for p in periods]).delete()
    cases = [period.case for period in periods]
    updated = timezone.now()  # `updated_at` is the wall clock (auto_now), as `save` writes it
    for case in cases:
        case.updated_at = updated
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                CASES_MOVE.format(table=connection.ops.quote_name(Case._meta.db_table)),
                [
                    updated,
                    pg_array(c.pk for c in cases),
                    pg_array(str(c.level) for c in cases),
                    pg_array(str(c.peak_level) for c in cases),
                    pg_array(c.holder_id for c in cases),
                    pg_array(str(c.status) for c in cases),
                ],
            )
    else:  # SQLite (`make run`)
        Case.objects.bulk_update(
            cases, ["level", "peak_level", "holder_id", "status", "assignee_id", "updated_at"]
        )
    opened = HandlingPeriod.objects.bulk_create(
        [
            clocks.new_period(
                case=case,
                entered_by=PeriodEntry.ESCALATE,
                at=now,
                limits_of=people.limits_of,
                deadline_of=people.deadline_of,
            )
            for case in cases
        ]
    )
    PeriodCursor.objects.bulk_create([clocks.new_cursor(period) for period in opened])
    people.preload({case.holder_id for case in cases})
    origins = Area.objects.only("id", "name").in_bulk({case.origin_id for case in cases})
    for case in cases:
        case.origin = origins[case.origin_id]


def _supervision(case, period, *, due, people) -> tuple[dict, list[Message]]:
    """The supervision of a county case past its resolve deadline: its event (without its
    time) and its notice to the county's officers and viewers and the assignee."""
    note = f"县级办结期限（{people.local_text(due)}）已过，列入督办。"
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
