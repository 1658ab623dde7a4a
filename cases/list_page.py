"""The case list page's desktop parts: a whitelisted server-side sort, the report-date window, the
town picker and the total (exact up to a cap, past it an estimate that says so), each a constant
number of queries whatever the page size or the number of cases."""

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from accounts.selectors import scope_for
from grids.models import Area

# The exact count stops here (a scan of at most this many rows); past it, the planner's
# estimate. A thousand is where a list stops being counted by eye and starts being narrowed by
# the filters; a wider cap read up to 10,001 scattered rows for every county page (a 0.5 s tail
# at 1,000,000 cases, bench/RESULTS.md) to print a number the estimate gives as well.
COUNT_CAP = 1_000

# sort parameter → ORDER BY (always ending in id, so pages never repeat or skip a row). Nothing
# else reaches order_by.
SORTS = {
    "-reported": ("-reported_at", "-id"),
    "reported": ("reported_at", "id"),
    "-number": ("-number", "-id"),
    "number": ("number", "id"),
    # Open cases by their open period's earliest deadline not met (overdue first): read in the
    # order of the partial index on open periods' next_deadline (period_next_deadline_open), not
    # by a subquery evaluated for every case.
    "deadline": ("periods__next_deadline", "id"),
    "-deadline": ("-periods__next_deadline", "-id"),
    "status": ("status", "-reported_at", "-id"),
    "-status": ("-status", "-reported_at", "-id"),
}
DEFAULT_SORT = "-reported"
SORT_COLUMNS = {"number": "编号", "reported": "登记时间", "deadline": "期限", "status": "状态"}


def sort_of(request) -> str:
    value = request.GET.get("sort", "")
    return value if value in SORTS else DEFAULT_SORT


DEADLINE_SORTS = {"deadline", "-deadline"}


def ordered(queryset, sort: str):
    """The list in the chosen order; sorting by deadline lists the cases that have one (open
    cases with a next deadline), which the page says."""
    if sort in DEADLINE_SORTS:
        queryset = queryset.filter(
            periods__ended_at__isnull=True, periods__next_deadline__isnull=False
        )
    return queryset.order_by(*SORTS[sort])


def sort_links(request, sort: str) -> dict:
    """{column: {"url": the query sorting by it (toggling the direction), "arrow": ▲/▼/""}}."""
    links = {}
    for column in SORT_COLUMNS:
        query = request.GET.copy()
        query.pop("page", None)
        current = sort.lstrip("-") == column
        descending = sort.startswith("-")
        # A new column starts with the newest/largest first, except the deadline (soonest).
        if current:
            query["sort"] = column if descending else f"-{column}"
        else:
            query["sort"] = column if column == "deadline" else f"-{column}"
        links[column] = {
            "url": "?" + query.urlencode(),
            "arrow": ("▼" if descending else "▲") if current else "",
            "label": SORT_COLUMNS[column],
        }
    return links


@dataclass
class DateWindow:
    """Reported from `start` to `end`, both days included (local dates)."""

    start: date | None = None
    end: date | None = None
    error: str = ""

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[start 00:00, the day after end 00:00), local time."""
        tz = timezone.get_current_timezone()
        after = datetime.combine(self.start, time(0), tzinfo=tz) if self.start else None
        before = (
            datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz) if self.end else None
        )
        return after, before


def date_window(request) -> DateWindow:
    """The `from`/`to` dates of the list (YYYY-MM-DD); a bad one is named and ignored."""
    window = DateWindow()
    for name, label in (("from", "起始日期"), ("to", "截止日期")):
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        try:
            value = date.fromisoformat(raw)
            if not 1900 <= value.year <= 2200:
                raise ValueError
        except ValueError:
            window.error = f"{label}格式应为 2026-01-31，已忽略。"
            continue
        setattr(window, "start" if name == "from" else "end", value)
    if window.start and window.end and window.start > window.end:
        window.error = "起始日期晚于截止日期。"
    return window


def town_options(user, area: Area | None) -> list[Area]:
    """Towns the user may pick: every town under their roles (a town officer: their own)."""
    scope = scope_for(user)
    if scope.is_superuser:
        towns = Area.objects.filter(level="town")
        if area is not None:
            county = area.code[:6]
            towns = towns.filter(code__startswith=county)
        return list(towns.order_by("code")[:200])
    return list(scope.areas_queryset().filter(level="town").order_by("code")[:200])


@dataclass
class Total:
    """How many cases match: exact up to the cap; past it an estimate (the planner's)."""

    count: int
    exact: bool
    estimate: int | None = None


def total(queryset) -> Total:
    """One capped COUNT (at most COUNT_CAP + 1 rows read), and past the cap one EXPLAIN."""
    base = queryset.order_by().values("pk")
    found = base[: COUNT_CAP + 1].count()
    if found <= COUNT_CAP:
        return Total(found, True)
    estimate = None
    if connection.vendor == "postgresql":
        plan = json.loads(base.explain(format="json"))
        estimate = int(plan[0]["Plan"]["Plan Rows"])
    return Total(COUNT_CAP, False, max(estimate or 0, COUNT_CAP + 1))
