"""Overdue, one definition (DESIGN.md §14), with one place per kind of deadline.

A case is overdue when any deadline it owes has passed without its event: the stages of its
open handling period (assign, respond, resolve), and what the apps above cases add (mediation
records, referrals, reports to the police, 督办). Each app that owns a kind of deadline
registers an `OverdueSource` from its `AppConfig.ready()`; every reader (the queue's badges, the
case page, the `overdue` filter, the 督办 lists, the dashboard's panel, the KPIs) asks here.

- `overdue_case_ids(now)`: ids of the overdue cases, one subquery (a union of the sources');
- `late_items(case_ids, now)`: for cases in hand, what is late and since when, by case, each
  source answering in one query for the whole page (no query per row).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class LateItem:
    """One late deadline of a case: its kind (`assign`, `respond`, `resolve`, `consultation`,
    `follow_up`, …), the Chinese stage name the pages show, and when it fell due."""

    kind: str
    label: str
    due: datetime

    def late_by(self, now: datetime):
        return now - self.due


@dataclass(frozen=True)
class OverdueSource:
    """A kind of deadline as the overdue rule reads it.

    `case_ids(now)` is a flat `values_list` of the ids of the cases with an item of this kind
    past due at `now` (used as a subquery; keep it on an index); `late_items(case_ids, now)`
    answers, in one query, the late items of the given cases."""

    name: str
    case_ids: Callable[[datetime], QuerySet]
    late_items: Callable[[list[int], datetime], dict[int, list[LateItem]]]


_SOURCES: dict[str, OverdueSource] = {}


def register(source: OverdueSource) -> None:
    """Add a kind of deadline to the overdue rule (idempotent by name)."""
    _SOURCES[source.name] = source


def sources() -> list[OverdueSource]:
    return list(_SOURCES.values())


def overdue_case_ids(now: datetime) -> QuerySet:
    """Ids of every overdue case at `now`, as one subquery."""
    parts = [source.case_ids(now).order_by() for source in _SOURCES.values()]
    first, *rest = parts
    return first.union(*rest) if rest else first


def late_items(case_ids: Iterable[int], now: datetime) -> dict[int, list[LateItem]]:
    """What is late for each of `case_ids` at `now`, earliest due first; cases with nothing
    late are absent."""
    ids = list(case_ids)
    found: dict[int, list[LateItem]] = {}
    if not ids:
        return found
    for source in _SOURCES.values():
        for case_id, items in source.late_items(ids, now).items():
            found.setdefault(case_id, []).extend(items)
    for items in found.values():
        items.sort(key=lambda item: item.due)
    return found


# ------------------------------------------------------------ the handling period's stages

STAGE_LABELS = {"assign": "分派", "respond": "响应", "resolve": "办结"}


def late_period_q(now: datetime, prefix: str = "") -> Q:
    """Open handling periods with a stage past due and its event missing."""
    return Q(**{f"{prefix}ended_at__isnull": True}) & (
        Q(**{f"{prefix}assigned_at__isnull": True, f"{prefix}assign_due__lte": now})
        | Q(**{f"{prefix}responded_at__isnull": True, f"{prefix}respond_due__lte": now})
        | Q(**{f"{prefix}resolve_due__lte": now})
    )


def period_late_items(period, now: datetime) -> list[LateItem]:
    """The late stages of one open handling period in hand (no query)."""
    if period is None or period.ended_at is not None:
        return []
    items = []
    if period.assigned_at is None and period.assign_due <= now:
        items.append(LateItem("assign", STAGE_LABELS["assign"], period.assign_due))
    if period.responded_at is None and period.respond_due and period.respond_due <= now:
        items.append(LateItem("respond", STAGE_LABELS["respond"], period.respond_due))
    if period.resolve_due <= now:
        items.append(LateItem("resolve", STAGE_LABELS["resolve"], period.resolve_due))
    return sorted(items, key=lambda item: item.due)


def _period_case_ids(now: datetime) -> QuerySet:
    from .models import HandlingPeriod

    return HandlingPeriod.objects.filter(late_period_q(now)).values_list("case_id", flat=True)


def _period_late_items(case_ids: list[int], now: datetime) -> dict[int, list[LateItem]]:
    from .models import HandlingPeriod

    found = {}
    for period in HandlingPeriod.objects.filter(late_period_q(now), case_id__in=case_ids):
        found[period.case_id] = period_late_items(period, now)
    return found


register(OverdueSource("period", _period_case_ids, _period_late_items))
