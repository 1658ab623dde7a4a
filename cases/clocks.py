"""Handling-period clocks: the deadlines of each level's turn with a case (DESIGN.md §7).

All three deadlines of a period are counted from its arrival (`arrived_at`): assign due, respond
due (first contact) and resolve due. Working-day amounts use `cases.calendar` (same local time
on the n-th working day after); hour amounts are calendar hours (red risk).

`next_deadline` of an open period is the earliest deadline not yet met: assign_due until
assigned, respond_due until responded, resolve_due until the period ends; None once ended. Every
service that touches a period calls `refresh_next_deadline` before saving it, and the period's
sweep cursor (`PeriodCursor`) is set to it: opened with the period (`period_open`), reset when
its clocks change (`period_update`: the sweep finds again what it acted on, which its ledger
says), deleted when it ends (`period_end`). The sweep alone moves a cursor past what it acted on.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q

from .calendar import add_hours, add_working_days
from .choices import DeadlineKind, DeadlineUnit, Level, PeriodEnd, PeriodEntry, Risk
from .models import Case, HandlingPeriod, PeriodCursor, SlaPolicy


@dataclass(frozen=True)
class Limits:
    """One level's deadlines as (amount, unit) pairs."""

    assign: tuple[int, str]
    respond: tuple[int, str]
    resolve: tuple[int, str]


WD, H = DeadlineUnit.WORKING_DAYS, DeadlineUnit.HOURS

# DESIGN.md §7; also seeded as SlaPolicy rows by a data migration (editable there).
DEFAULT_LIMITS = {
    (Level.VILLAGE, False): Limits((1, WD), (2, WD), (15, WD)),
    (Level.VILLAGE, True): Limits((2, H), (6, H), (3, WD)),
    (Level.TOWN, False): Limits((1, WD), (2, WD), (20, WD)),
    (Level.TOWN, True): Limits((2, H), (6, H), (5, WD)),
    (Level.COUNTY, False): Limits((1, WD), (2, WD), (30, WD)),
    (Level.COUNTY, True): Limits((1, WD), (2, WD), (30, WD)),
}


def limits_for(level: str, red: bool, county_id: int | None = None) -> Limits:
    """The policy of this level (red or not): the county's own row, else the default row, else
    the design defaults."""
    policy = (
        SlaPolicy.objects.filter(level=level, red=red)
        .filter(Q(county_id=county_id) | Q(county__isnull=True))
        .order_by(F("county_id").asc(nulls_last=True))
        .first()
    )
    if policy is None:
        return DEFAULT_LIMITS[(Level(level), red)]
    return Limits(
        (policy.assign_value, policy.assign_unit),
        (policy.respond_value, policy.respond_unit),
        (policy.resolve_value, policy.resolve_unit),
    )


def deadline(start: datetime, amount: tuple[int, str]) -> datetime:
    """`start` plus an (amount, unit) pair."""
    value, unit = amount
    if unit == DeadlineUnit.HOURS:
        return add_hours(start, value)
    return add_working_days(start, value)


def next_deadline_of(period: HandlingPeriod, skip=()) -> tuple[datetime | None, str]:
    """The earliest unmet deadline of an open period and its kind; (None, "") once ended.
    `skip` leaves out kinds already dealt with (a sweep that acted on a breach)."""
    if period.ended_at is not None:
        return None, ""
    candidates = []
    if period.assigned_at is None and DeadlineKind.ASSIGN not in skip:
        candidates.append((period.assign_due, DeadlineKind.ASSIGN))
    if (
        period.responded_at is None
        and period.respond_due is not None
        and DeadlineKind.RESPOND not in skip
    ):
        candidates.append((period.respond_due, DeadlineKind.RESPOND))
    if DeadlineKind.RESOLVE not in skip:
        candidates.append((period.resolve_due, DeadlineKind.RESOLVE))
    if not candidates:
        return None, ""
    due, kind = min(candidates, key=lambda item: item[0])
    return due, str(kind)


def refresh_next_deadline(period: HandlingPeriod, skip=()) -> None:
    """Set `next_deadline`/`next_deadline_kind` from the period's clocks (not saved)."""
    period.next_deadline, period.next_deadline_kind = next_deadline_of(period, skip)


def period_open(
    *,
    case: Case,
    entered_by: str,
    at: datetime,
    assigned_at: datetime | None = None,
    responded_at: datetime | None = None,
) -> HandlingPeriod:
    """Open the handling period of the case's current level and holder, with its clocks."""
    period = new_period(
        case=case, entered_by=entered_by, at=at, assigned_at=assigned_at, responded_at=responded_at
    )
    period.save()
    new_cursor(period).save(force_insert=True)
    return period


def new_cursor(period: HandlingPeriod) -> PeriodCursor:
    """The sweep's cursor of a new open period, on its next deadline (not saved)."""
    period.cursor = PeriodCursor(
        period=period,
        next_deadline=period.next_deadline,
        next_deadline_kind=period.next_deadline_kind,
    )
    return period.cursor


def new_period(
    *,
    case: Case,
    entered_by: str,
    at: datetime,
    assigned_at: datetime | None = None,
    responded_at: datetime | None = None,
    limits_of=None,
    deadline_of=None,
) -> HandlingPeriod:
    """The period `period_open` opens, not saved (the sweep's batch saves many at once, with
    `limits_of` and `deadline_of` remembered for the batch: its periods share one moment)."""
    limits_of, deadline_of = limits_of or limits_for, deadline_of or deadline
    red = case.risk == Risk.RED
    limits = limits_of(case.level, red, case.county_id)
    period = HandlingPeriod(
        case=case,
        level=case.level,
        area_id=case.holder_id,
        entered_by=PeriodEntry(entered_by),
        red=red,
        arrived_at=at,
        assign_due=deadline_of(at, limits.assign),
        respond_due=deadline_of(at, limits.respond),
        resolve_due=deadline_of(at, limits.resolve),
        assigned_at=assigned_at,
        responded_at=responded_at,
    )
    refresh_next_deadline(period)
    return period


def period_end(*, period: HandlingPeriod, at: datetime, reason: str) -> None:
    """End a handling period (escalated, delegated, resolved, closed)."""
    period.ended_at = at
    period.end_reason = PeriodEnd(reason)
    refresh_next_deadline(period)
    period.save(update_fields=["ended_at", "end_reason", "next_deadline", "next_deadline_kind"])
    PeriodCursor.objects.filter(period=period).delete()


def period_update(period: HandlingPeriod, **changes) -> None:
    """Change clocks of an open period (assigned_at, responded_at, resolve_due) and keep
    `next_deadline` right."""
    for name, value in changes.items():
        setattr(period, name, value)
    refresh_next_deadline(period)
    period.save(update_fields=[*changes, "next_deadline", "next_deadline_kind"])
    cursor_reset(period)


def cursor_reset(period: HandlingPeriod) -> None:
    """Put an open period's sweep cursor back on its next deadline, unparked (saved; created
    if the period has none). What the sweep had acted on it finds again, and its ledger says
    so."""
    values = {
        "next_deadline": period.next_deadline,
        "next_deadline_kind": period.next_deadline_kind,
        "acted_due": None,
    }
    if not PeriodCursor.objects.filter(period=period).update(**values):
        new_cursor(period).save(force_insert=True)
    elif HandlingPeriod.cursor.is_cached(period):
        for name, value in values.items():
            setattr(period.cursor, name, value)
