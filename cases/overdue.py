"""Overdue, one definition (DESIGN.md §14), with one place per kind of deadline.

A case is overdue when any deadline it owes has passed without its event: the stages of its
open handling period (assign, respond, resolve), and what the apps above cases add (mediation
records, referrals, reports to the police, 督办). Each app that owns a kind of deadline
registers an `OverdueSource` from its `AppConfig.ready()`; every reader (the queue's badges, the
case page, the `overdue` filter, the 督办 lists, the dashboard's panel, the KPIs) asks here.

- `overdue_case_ids(now)`: ids of the overdue cases, one subquery (a union of the sources');
- `late_items(case_ids, now)`: for cases in hand, what is late and since when, by case, each
  source answering in one query for the whole page (no query per row);
- `most_late_under(area, now, limit)`: the open cases of an area whose earliest late deadline
  is oldest, each source answering with its `limit` oldest (the dashboard's panel, the
  bulletin), starting from the area's county's own rows (`Under`), so that a county's panel
  costs the same in a province of ten counties or of a hundred.

The sweep keeps its own cursor (`PeriodCursor.next_deadline`: what it has still to act on),
which moves past a stage once reminded; it is never read as "overdue".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Case as Choose
from django.db.models import F, Q, QuerySet, When

from .choices import OPEN_STATUSES


@dataclass(frozen=True)
class LateItem:
    """One late deadline of a case: its kind (`assign`, `respond`, `resolve`, `consultation`,
    `follow_up`, …), the Chinese stage name the pages show, and when it fell due."""

    kind: str
    label: str
    due: datetime

    def late_by(self, now: datetime):
        return now - self.due

    def as_dict(self, now: datetime) -> dict:
        """The API's form: kind, stage name, due, and whole days late."""
        return {
            "kind": self.kind,
            "label": self.label,
            "due": self.due.isoformat(),
            "days_late": self.late_by(now).days,
        }


@dataclass(frozen=True)
class OverdueSource:
    """A kind of deadline as the overdue rule reads it.

    `case_ids(now)` is a flat `values_list` of the ids of the cases with an item of this kind
    past due at `now`, or a tuple of them (used as a subquery, a union; keep each on an index);
    `late_items(case_ids, now)` answers, in one query, the late items of the given cases;
    `ranked(under, now, limit)` answers the `limit` open cases of an area (`Under`) with the
    oldest late items of this kind, as (due, case id) pairs.
    `statuses`: the only case statuses that can owe this kind (an open period or an
    unanswered consultation: the open ones; a first follow-up: `resolved`), so a page of cases
    in none of them does not ask; None: any status (a referral's answer outlives its case)."""

    name: str
    case_ids: Callable[[datetime], QuerySet]
    late_items: Callable[[list[int], datetime], dict[int, list[LateItem]]]
    ranked: Callable[["Under", datetime, int], list[tuple[datetime, int]]]
    statuses: frozenset[str] | None = None


_SOURCES: dict[str, OverdueSource] = {}


def register(source: OverdueSource) -> None:
    """Add a kind of deadline to the overdue rule (idempotent by name)."""
    _SOURCES[source.name] = source


def sources() -> list[OverdueSource]:
    return list(_SOURCES.values())


def overdue_case_ids(now: datetime) -> QuerySet:
    """Ids of every overdue case at `now`, as one subquery."""
    parts = []
    for source in _SOURCES.values():
        found = source.case_ids(now)
        parts += [part.order_by() for part in (found if isinstance(found, tuple) else (found,))]
    first, *rest = parts
    return first.union(*rest) if rest else first


def late_items(
    case_ids: Iterable[int], now: datetime, *, statuses: dict[int, str] | None = None
) -> dict[int, list[LateItem]]:
    """What is late for each of `case_ids` at `now`, earliest due first; cases with nothing
    late are absent. `statuses` ({case id: status}, when the caller holds the cases): a source
    is asked only about the cases whose status can owe its kind, and not at all when none."""
    ids = list(case_ids)
    found: dict[int, list[LateItem]] = {}
    if not ids:
        return found
    for source in _SOURCES.values():
        asked = ids
        if statuses is not None and source.statuses is not None:
            asked = [i for i in ids if statuses.get(i) in source.statuses]
        if not asked:
            continue
        for case_id, items in source.late_items(asked, now).items():
            found.setdefault(case_id, []).extend(items)
    for items in found.values():
        items.sort(key=lambda item: item.due)
    return found


@dataclass(frozen=True)
class Under:
    """An area as the ranked looks read it: the cases' column of its level (`county_id`,
    `town_id`, …) and its id; and, for a county or an area inside one, the county's id and its
    units (itself, its towns and villages: where its cases' handling periods are held). A look
    starts from the county's own rows (an index led by the county or by the unit) and is
    bounded by one county's deadlines, not by every county's; above a county (a city, a
    province) both are empty and a look walks its deadline index, where the area's share of it
    is large."""

    column: str
    area_id: int
    county_id: int | None = None
    unit_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, area) -> "Under":
        """The area's `Under`: for a county or below, one query for its county's units."""
        from grids.choices import LEVEL_RANK, AreaLevel
        from grids.models import Area

        column = f"{area.level}_id"
        if LEVEL_RANK[area.level] < LEVEL_RANK[AreaLevel.COUNTY]:
            return cls(column, area.id)
        county_code = Area.prefix_of(area.code, AreaLevel.COUNTY)
        units = dict(
            Area.objects.filter(
                code__startswith=county_code,
                level__in=(AreaLevel.COUNTY, AreaLevel.TOWN, AreaLevel.VILLAGE),
            ).values_list("id", "level")
        )
        county_id = next((pk for pk, level in units.items() if level == AreaLevel.COUNTY), None)
        return cls(column, area.id, county_id, tuple(sorted(units)))

    def case_q(self, prefix: str = "case__") -> Q:
        """The cases under the area (with the county's column too, for an index led by it)."""
        q = Q(**{f"{prefix}{self.column}": self.area_id})
        if self.county_id is not None and self.column != "county_id":
            q &= Q(**{f"{prefix}county_id": self.county_id})
        return q


def most_late_under(area, now: datetime, limit: int) -> list[int]:
    """Ids of the open cases of an area that are overdue, the one whose earliest late deadline
    is oldest first, at most `limit`: each source's `limit` oldest, merged."""
    under = Under.of(area)
    oldest: dict[int, datetime] = {}
    for source in _SOURCES.values():
        for due, case_id in source.ranked(under, now, limit):
            if case_id not in oldest or due < oldest[case_id]:
                oldest[case_id] = due
    ranked = sorted(oldest.items(), key=lambda pair: (pair[1], -pair[0]))
    return [case_id for case_id, _ in ranked[:limit]]


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


def _period_case_ids(now: datetime) -> tuple[QuerySet, ...]:
    """One look per stage, each on its partial index (`period_assign_late`, …): an OR of the
    three would scan every open period."""
    from .models import HandlingPeriod

    open_periods = HandlingPeriod.objects.filter(ended_at__isnull=True)
    return tuple(
        open_periods.filter(**stage).values_list("case_id", flat=True)
        for stage in (
            {"assigned_at__isnull": True, "assign_due__lte": now},
            {"responded_at__isnull": True, "respond_due__lte": now},
            {"resolve_due__lte": now},
        )
    )


def _period_late_items(case_ids: list[int], now: datetime) -> dict[int, list[LateItem]]:
    from .models import HandlingPeriod

    found = {}
    for period in HandlingPeriod.objects.filter(late_period_q(now), case_id__in=case_ids):
        found[period.case_id] = period_late_items(period, now)
    return found


def first_late_due():
    """The earliest deadline an open period still owes, as an expression (its stages fall due
    in order: an unassigned period owes its assign deadline first, and so on); for an overdue
    period, the one it missed first. The queue and the overdue page sort by it."""
    return Choose(
        When(assigned_at__isnull=True, then=F("assign_due")),
        When(responded_at__isnull=True, respond_due__isnull=False, then=F("respond_due")),
        default=F("resolve_due"),
    )


# A county's late periods of one stage, unit by unit: each unit's `limit` earliest from its
# partial index (`period_*_late_at`, led by the unit), then the earliest of those. The planner
# cannot know how few of a county's open periods are late (it takes the deadline's selectivity
# from every period ever held), so a plain `area_id IN (…)` it plans as a large read.
STAGE_AT_UNITS = """(SELECT late.due, late.case_id
 FROM unnest(%s::bigint[]) AS unit(id)
 CROSS JOIN LATERAL (
     SELECT p.{due} AS due, p.case_id
     FROM {period} p JOIN {case} c ON c.id = p.case_id
     WHERE p.area_id = unit.id AND p.ended_at IS NULL {missing} AND p.{due} <= %s
       AND c.status = ANY(%s) AND c.{column} = %s
     ORDER BY p.{due}, p.case_id DESC
     LIMIT %s
 ) AS late
 ORDER BY 1, 2 DESC
 LIMIT %s)
"""

STAGES = (
    ("assign_due", "assigned_at"),
    ("respond_due", "responded_at"),
    ("resolve_due", None),
)


def _period_ranked(under: Under, now: datetime, limit: int):
    """Per stage, the `limit` earliest late deadlines of the area (a case late on several
    stages is met again later, with a later deadline: `most_late_under` keeps its earliest).
    Within a county, from the periods held at its units, unit by unit (`STAGE_AT_UNITS`);
    above one, a walk of each stage's partial index in deadline order."""
    from .choices import OPEN_STATUSES
    from .models import Case, HandlingPeriod

    # Read where the router reads periods (the replica, for a dashboard), as the ORM would.
    reader = connections[router.db_for_read(HandlingPeriod) or DEFAULT_DB_ALIAS]
    if under.unit_ids and reader.vendor == "postgresql":
        quote = reader.ops.quote_name
        sql, params = [], []
        for due, done in STAGES:
            sql.append(
                STAGE_AT_UNITS.format(
                    due=due,
                    missing=f"AND p.{done} IS NULL" if done else "",
                    period=quote(HandlingPeriod._meta.db_table),
                    case=quote(Case._meta.db_table),
                    column=quote(under.column),
                )
            )
            params += [list(under.unit_ids), now, list(OPEN_STATUSES), under.area_id, limit, limit]
        with reader.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(sql), params)
            return cursor.fetchall()
    periods = HandlingPeriod.objects.filter(
        under.case_q(), ended_at__isnull=True, case__status__in=OPEN_STATUSES
    )
    first, *rest = [
        periods.filter(**{f"{due}__lte": now}, **({f"{done}__isnull": True} if done else {}))
        .order_by(due, "-case_id")
        .values_list(due, "case_id")[:limit]
        for due, done in STAGES
    ]
    if not reader.features.supports_slicing_ordering_in_compound:  # SQLite (`make run`)
        return [row for part in (first, *rest) for row in part]
    # One statement: (SELECT … ORDER BY … LIMIT n) UNION ALL (…) UNION ALL (…).
    return list(first.union(*rest, all=True))


register(
    OverdueSource(
        "period",
        _period_case_ids,
        _period_late_items,
        _period_ranked,
        statuses=frozenset(OPEN_STATUSES),
    )
)
