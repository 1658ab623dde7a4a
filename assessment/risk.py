"""Village risk ratings (红/黄/绿, DESIGN.md §15).

Each village is rated once a month from its cases of that calendar month (the cases reported in
it): red-risk cases, repeat disputes, group disputes (at least `group_size` people involved),
cases turned criminal (closed `referred`: the data has no criminal route, so a dispute handed to
another channel is what counts) and the village's cases of the twelve months to the month's end
that are overdue at the month's end (or now, for the month under way;
`cases.overdue.overdue_case_ids`, the one overdue rule: a case of years ago never followed up
is the county's bookkeeping, not the village's risk now). The village takes the worst colour any
input reaches.

Thresholds scale with the village's case volume, so a big village is not red for having many
cases, nor a small one green for having few (the county's settings, national defaults below):
an input reaches a colour when its count is at least both

- the colour's count (`<input>_yellow`, `<input>_red`; 0: the input is not used), a floor, and
- the colour's rate (`<input>_yellow_rate`, `<input>_red_rate`, per 100 cases; 0: counts only)
  of the village's volume, rounded up: for the month's inputs the village's cases of the
  month; for overdue cases, which are counted over twelve months, its cases of those months.

So with the defaults a village of 14 cases a month is yellow at one red-risk case (the floor)
and red at three (20% of 14, rounded up); one of 200 at four and 40 (the rates).

The rating sets how often the village's grids must report and how often its officer must visit;
visits are recorded and missed ones counted per month, and so are missed grid reports (each
grid's reporting windows of `report_days` elapsed in the month with nothing from the grid: no
inspection report submitted and no case reported from it in the window).

Computation is set-based: one GROUP BY query for the cases (the month's and the year's), one
for the overdue cases, whatever the number of villages."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from accounts.audit import audit_record
from accounts.choices import RoleKind
from accounts.models import AuditEntry
from accounts.selectors import require_settings_admin, scope_for
from cases.models import Case
from cases.overdue import overdue_case_ids
from config.errors import InvalidInput, NotAllowed
from grids.models import Area

from .periods import Period, month_of, parse_period
from .risk_models import RiskLevel, RiskSetting, VillageRisk, VillageVisit

# The inputs of the rating, in the order the pages list them.
INPUTS = [
    ("red_risk", "红色风险纠纷"),
    ("repeat", "重复纠纷"),
    ("group", "群体性纠纷"),
    ("criminal", "转刑事或其他途径"),
    ("overdue", "超期案件"),
]
INPUT_LABELS = dict(INPUTS)
# The national defaults of every setting (a county's own rows override them).
DEFAULTS = {
    "red_risk_yellow": 1,
    "red_risk_red": 2,
    "repeat_yellow": 2,
    "repeat_red": 4,
    "group_yellow": 1,
    "group_red": 2,
    "criminal_yellow": 1,
    "criminal_red": 1,
    "overdue_yellow": 1,
    "overdue_red": 3,
    # Rates per 100 cases of the village's volume (the month's cases; overdue: the year's).
    "red_risk_yellow_rate": 10,
    "red_risk_red_rate": 20,
    "repeat_yellow_rate": 10,
    "repeat_red_rate": 20,
    "group_yellow_rate": 10,
    "group_red_rate": 20,
    "criminal_yellow_rate": 5,
    "criminal_red_rate": 10,
    "overdue_yellow_rate": 10,
    "overdue_red_rate": 15,
    "group_size": 5,
    "report_days_red": 7,
    "report_days_yellow": 14,
    "report_days_green": 30,
    "visit_days_red": 7,
    "visit_days_yellow": 14,
    "visit_days_green": 30,
}
# The inputs counted against the village's cases of the twelve months (the others: the month).
YEARLY_INPUTS = {"overdue"}
SETTING_LABELS = {
    **{f"{k}_yellow": f"{label}：黄色门槛（至少件数）" for k, label in INPUTS},
    **{f"{k}_red": f"{label}：红色门槛（至少件数）" for k, label in INPUTS},
    **{
        f"{k}_{level}_rate": f"{label}：{colour}门槛（每百件{'近12个月' if k in YEARLY_INPUTS else '当月'}案件）"
        for k, label in INPUTS
        for level, colour in (("yellow", "黄色"), ("red", "红色"))
    },
    "group_size": "群体性纠纷最少人数",
    "report_days_red": "红色村网格上报间隔（天）",
    "report_days_yellow": "黄色村网格上报间隔（天）",
    "report_days_green": "绿色村网格上报间隔（天）",
    "visit_days_red": "红色村走访间隔（天）",
    "visit_days_yellow": "黄色村走访间隔（天）",
    "visit_days_green": "绿色村走访间隔（天）",
}
ORDER = {RiskLevel.GREEN: 0, RiskLevel.YELLOW: 1, RiskLevel.RED: 2}


# ---- settings ---------------------------------------------------------------------------


def settings_of(county) -> dict:
    """{"own": bool, "values": {key: int}}: the county's set, else the national default rows,
    else DEFAULTS."""
    found = list(RiskSetting.objects.filter(Q(county=county) | Q(county__isnull=True)))
    values = dict(DEFAULTS)
    values.update({r.key: r.value for r in found if r.county_id is None})
    own = [r for r in found if r.county_id is not None]
    values.update({r.key: r.value for r in own})
    return {"own": bool(own), "values": values}


def _all_settings() -> dict:
    """{county_id or None: values}: every county's settings in one query."""
    values = {None: dict(DEFAULTS)}
    rows = list(RiskSetting.objects.all())
    values[None].update({r.key: r.value for r in rows if r.county_id is None})
    for row in rows:
        if row.county_id is not None:
            values.setdefault(row.county_id, dict(values[None]))[row.key] = row.value
    return values


@transaction.atomic
def settings_set(*, actor, county, values: dict) -> dict:
    """Set the county's thresholds and intervals (every key, whole numbers; a yellow threshold
    not above its red one; intervals 1–366 days); audited."""
    require_settings_admin(actor, county)
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for key, value in values.items():
        if key not in DEFAULTS:
            errors.setdefault(key, []).append("未知的项目。")
            continue
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            errors.setdefault(key, []).append("须为整数。")
            continue
        if number < 0 or number > 100000:
            errors.setdefault(key, []).append("须在0到100000之间。")
        elif key.endswith("_rate") and number > 100:
            errors.setdefault(key, []).append("须在0到100之间（每百件）。")
        elif (key.startswith(("report_days", "visit_days")) or key == "group_size") and not (
            1 <= number <= 366
        ):
            errors.setdefault(key, []).append("须在1到366之间。")
        else:
            cleaned[key] = number
    for key in DEFAULTS:
        if key not in values:
            errors.setdefault(key, []).append(f"缺少“{SETTING_LABELS[key]}”。")
    for name, _ in INPUTS:
        for suffix in ("", "_rate"):
            low, high = cleaned.get(f"{name}_yellow{suffix}"), cleaned.get(f"{name}_red{suffix}")
            if low and high and low > high:
                errors.setdefault(f"{name}_yellow{suffix}", []).append("黄色门槛不能高于红色门槛。")
    if errors:
        raise InvalidInput("村风险评定标准有误。", fields=errors)
    list(RiskSetting.objects.select_for_update().filter(county=county))
    current = settings_of(county)["values"]
    changed = {
        key: {"before": current[key], "after": value}
        for key, value in cleaned.items()
        if current[key] != value
    }
    if changed:
        for key, value in cleaned.items():
            RiskSetting.objects.update_or_create(county=county, key=key, defaults={"value": value})
        audit_record(
            actor=actor,
            kind=AuditEntry.Kind.SETTINGS,
            what=f"修改村风险评定标准 {county.name}",
            area=county,
            target=RiskSetting._meta.label_lower,
            data={"county": county.pk, "changes": changed},
        )
    return settings_of(county)


def threshold(values: dict, name: str, level: str, volume: int) -> int:
    """The count at which input `name` reaches `level` for a village of `volume` cases: the
    colour's count (a floor; 0: not used) or its rate of the volume, whichever is higher."""
    floor = values[f"{name}_{level}"]
    if not floor:
        return 0
    per_100 = values.get(f"{name}_{level}_rate", 0)
    return max(floor, math.ceil(per_100 * volume / 100))


def rate(inputs: dict, values: dict) -> str:
    """The colour of a village: the worst any input reaches (a threshold of 0 is not used).
    `inputs` holds the counts and the volumes (`cases`: the month's, `cases_year`: the twelve
    months')."""
    worst = RiskLevel.GREEN
    for name, _ in INPUTS:
        count = inputs.get(name, 0)
        volume = inputs.get("cases_year" if name in YEARLY_INPUTS else "cases", 0)
        red = threshold(values, name, "red", volume)
        yellow = threshold(values, name, "yellow", volume)
        if red and count >= red:
            return RiskLevel.RED
        if yellow and count >= yellow:
            worst = RiskLevel.YELLOW
    return worst


def schedule(rating: str, values: dict) -> dict:
    """How often the village's grids must report and its officer must visit (days)."""
    return {
        "report_days": values[f"report_days_{rating}"],
        "visit_days": values[f"visit_days_{rating}"],
    }


# ---- computation ------------------------------------------------------------------------


def _villages(villages=None):
    queryset = Area.objects.filter(level="village", retired=False).select_related("parent")
    if villages is not None:
        queryset = queryset.filter(pk__in=[v.pk for v in villages])
    return list(queryset.only("id", "name", "code", "parent__id", "parent__parent_id"))


def year_start(period: Period):
    """The start of the twelve months ending with `period` (the volume of yearly inputs)."""
    start = period.start
    if start.month == 12:
        return start.replace(month=1, day=1)
    return start.replace(year=start.year - 1, month=start.month + 1, day=1)


def month_inputs(period: Period, village_ids, *, now=None) -> dict:
    """{village_id: {input: count}} of the month, in two GROUP BY queries."""
    now = now or timezone.now()
    at = min(now, period.end)
    settings = _all_settings()
    sizes: dict[int, list] = {}
    for county_id, values in settings.items():
        sizes.setdefault(values["group_size"], []).append(county_id)
    default_size = settings[None]["group_size"]
    named = [c for c in settings if c is not None]
    group_q = Q(people_involved__gte=default_size) & ~Q(county_id__in=named)
    for size, counties in sizes.items():
        ids = [c for c in counties if c is not None]
        if ids:
            group_q |= Q(people_involved__gte=size, county_id__in=ids)
    in_month = Q(reported_at__gte=period.start)
    month_cases = (
        Case.objects.filter(
            village_id__in=village_ids,
            reported_at__gte=year_start(period),
            reported_at__lt=period.end,
        )
        .order_by()
        .values("village_id")
        .annotate(
            red_risk=Count("id", filter=in_month & Q(risk="red")),
            repeat=Count("id", filter=in_month & Q(repeat_dispute=True)),
            group=Count("id", filter=in_month & group_q),
            criminal=Count("id", filter=in_month & Q(outcome="referred")),
            cases=Count("id", filter=in_month),
            cases_year=Count("id"),
        )
    )
    found = {
        v: {**dict.fromkeys(INPUT_LABELS, 0), "cases": 0, "cases_year": 0} for v in village_ids
    }
    for row in month_cases:
        found[row.pop("village_id")].update(row)
    overdue = (
        Case.objects.filter(
            village_id__in=village_ids,
            reported_at__gte=year_start(period),
            pk__in=overdue_case_ids(at),
        )
        .order_by()
        .values("village_id")
        .annotate(n=Count("id"))
    )
    for row in overdue:
        found[row["village_id"]]["overdue"] = row["n"]
    return found


@transaction.atomic
def compute_month(period: Period, *, now=None, villages=None) -> dict:
    """Rate every village (or `villages`) for `period` and store the rows (an override made
    before stays, and stays in force). Returns {rating: count}."""
    now = now or timezone.now()
    areas = _villages(villages)
    ids = [v.pk for v in areas]
    inputs = month_inputs(period, ids, now=now)
    settings = _all_settings()
    existing = {
        r.village_id: r
        for r in VillageRisk.objects.select_for_update().filter(
            village_id__in=ids, month=period.start_date
        )
    }
    new, changed, tally = [], [], dict.fromkeys(RiskLevel.values, 0)
    for village in areas:
        county_id = village.parent.parent_id
        values = settings.get(county_id, settings[None])
        computed = rate(inputs[village.pk], values)
        row = existing.get(village.pk)
        if row is None:
            row = VillageRisk(
                village_id=village.pk,
                town_id=village.parent_id,
                county_id=county_id,
                month=period.start_date,
            )
            new.append(row)
        else:
            changed.append(row)
        row.computed, row.inputs, row.computed_at = computed, inputs[village.pk], now
        row.rating = row.override or computed
        tally[row.rating] += 1
    VillageRisk.objects.bulk_create(new, batch_size=1000)
    VillageRisk.objects.bulk_update(
        changed, ["computed", "inputs", "computed_at", "rating"], batch_size=1000
    )
    return tally


def villages_rated(rating: str, *, month=None):
    """Ids of the villages whose rating in force this month (or `month`) is `rating`: the
    case list's filter (cases/village_rating.py), as a values subquery."""
    period = month_of(timezone.now()) if month is None else _month(month)
    return (
        VillageRisk.objects.filter(month=period.start_date, rating=rating)
        .order_by()
        .values("village_id")
    )


# ---- scope, override, visits -----------------------------------------------------------


def village_in_scope(user, village_id) -> Area:
    """The village if the user's roles cover it; else 404 (missing and out of scope alike)."""
    try:
        village_id = int(village_id)
    except (TypeError, ValueError):
        raise Http404("没有这个村。")
    scope = scope_for(user)
    village = (
        scope.areas_queryset()
        .filter(pk=village_id, level="village")
        .select_related("parent")
        .first()
        if 0 < village_id < 2**63
        else None
    )
    if village is None:
        raise Http404("没有这个村。")
    return village


def may_override(user, village) -> bool:
    """A town officer (or county officer above) of the village's town."""
    scope = scope_for(user)
    if scope.is_superuser:
        return True
    return any(
        village.is_under(role.area) and role.area.level in ("town", "county")
        for role in scope.roles_of(RoleKind.OFFICER)
    )


def may_visit(user, village) -> bool:
    """An officer whose area covers the village records its visits."""
    return may_override(user, village) or scope_for(user).covers(village, RoleKind.OFFICER)


def _month(value) -> Period:
    if not value:
        return month_of(timezone.now())
    try:
        period = parse_period(str(value))
    except ValueError as error:
        raise InvalidInput("月份有误。", fields={"month": [str(error)]})
    if period.kind != "month":
        raise InvalidInput("月份有误。", fields={"month": ["月份格式应为 2026-10。"]})
    return period


def row_of(village, period: Period, *, now=None, lock=False) -> VillageRisk:
    """The village's row of the month, computed now if the monthly run has not made it yet."""
    queryset = VillageRisk.objects.filter(village=village, month=period.start_date)
    row = (queryset.select_for_update() if lock else queryset).first()
    if row is None:
        compute_month(period, now=now, villages=[village])
        row = (queryset.select_for_update() if lock else queryset).get()
    return row


@transaction.atomic
def risk_override(*, actor, village_id, rating="", reason="", month=None) -> VillageRisk:
    """A town officer sets the village's rating of the month, with a reason; audited."""
    village = village_in_scope(actor, village_id)
    if not may_override(actor, village):
        raise NotAllowed(
            "只有本镇（或县）的工作人员可以调整村风险等级。", code="override_not_allowed"
        )
    errors = {}
    if rating not in RiskLevel.values:
        errors["rating"] = ["请选择红、黄或绿。"]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写调整理由。"]
    elif len(reason) > 500:
        errors["reason"] = ["调整理由不超过500字。"]
    period = _month(month)
    if errors:
        raise InvalidInput("调整村风险等级有误。", fields=errors)
    row = row_of(village, period, lock=True)
    before = {"rating": row.rating, "override": row.override, "reason": row.reason}
    row.override, row.reason, row.rating = rating, reason, rating
    row.overridden_by, row.overridden_at = actor, timezone.now()
    row.save(update_fields=["override", "reason", "rating", "overridden_by", "overridden_at"])
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.SETTINGS,
        what=f"调整村风险等级 {village.name}",
        area=village,
        target=row,
        data={
            "village": village.pk,
            "month": period.key,
            "computed": row.computed,
            "before": before,
            "after": {"rating": rating, "reason": reason},
        },
    )
    return row


@transaction.atomic
def visit_record(*, actor, village_id, visited_on=None, note="") -> VillageVisit:
    """An officer's visit to the village: its date (not in the future, within a year)."""
    village = village_in_scope(actor, village_id)
    if not may_visit(actor, village):
        raise NotAllowed("只有工作人员可以登记走访。", code="visit_not_allowed")
    errors = {}
    day = visited_on
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            day = None
    today = timezone.localdate()
    if not isinstance(day, date):
        errors["visited_on"] = ["请填写走访日期（如 2026-10-08）。"]
    elif day > today:
        errors["visited_on"] = ["走访日期不能晚于今天。"]
    elif day < today - timedelta(days=366):
        errors["visited_on"] = ["走访日期不能早于一年前。"]
    note = (note or "").strip()
    if len(note) > 2000:
        errors["note"] = ["走访情况不超过2000字。"]
    if errors:
        raise InvalidInput("走访登记有误。", fields=errors)
    return VillageVisit.objects.create(village=village, visited_on=day, visitor=actor, note=note)


def expected_visits(period: Period, visit_days: int, *, today=None) -> int:
    """Visits due in the month: one per interval elapsed (at least one once the month ended)."""
    today = today or timezone.localdate()
    end = min(today + timedelta(days=1), period.end_date)
    elapsed = max((end - period.start_date).days, 0)
    if today >= period.end_date:
        return max(1, math.ceil(elapsed / visit_days))
    return elapsed // visit_days


# ---- lists and the panel ----------------------------------------------------------------


def report_windows(period: Period, report_days: int, *, today=None) -> list[tuple[date, date]]:
    """The grids' reporting windows of the month that have ended: [start, end) dates of
    `report_days` each from the month's first day; once the month is over, the days left over
    join the last window (a month always has at least one)."""
    today = today or timezone.localdate()
    end = min(today + timedelta(days=1), period.end_date)
    days = max((end - period.start_date).days, 0)
    count = days // report_days
    if today >= period.end_date:
        count = max(count, 1)
    windows = []
    for k in range(count):
        start = period.start_date + timedelta(days=k * report_days)
        windows.append((start, start + timedelta(days=report_days)))
    if windows and today >= period.end_date:
        windows[-1] = (windows[-1][0], period.end_date)
    return windows


def grid_report_days(period: Period, village_ids) -> dict[int, dict[int, set]]:
    """{village_id: {grid_id: {local dates}}}: the days of the month each active grid of the
    villages reported something (an inspection report submitted, a case reported from the
    grid); three queries whatever the villages."""
    from django.db.models.functions import TruncDate

    from mediation.models import InspectionReport

    grids = Area.objects.filter(parent_id__in=village_ids, level="grid", retired=False)
    found: dict[int, dict[int, set]] = {v: {} for v in village_ids}
    for grid_id, village_id in grids.values_list("id", "parent_id"):
        found[village_id][grid_id] = set()
    ids = [g for grids_of in found.values() for g in grids_of]
    if not ids:
        return found
    month = {"__gte": period.start, "__lt": period.end}
    days = (
        Case.objects.filter(grid_id__in=ids, **{f"reported_at{k}": v for k, v in month.items()})
        .annotate(day=TruncDate("reported_at"))
        .order_by()
        .values_list("village_id", "grid_id", "day")
        .distinct()
    )
    reports = (
        InspectionReport.objects.filter(
            grid_id__in=ids, **{f"submitted_at{k}": v for k, v in month.items()}
        )
        .annotate(day=TruncDate("submitted_at"))
        .order_by()
        .values_list("village_id", "grid_id", "day")
        .distinct()
    )
    for village_id, grid_id, day in [*days, *reports]:
        found.get(village_id, {}).setdefault(grid_id, set()).add(day)
    return found


def missed_reports(windows, grids: dict[int, set]) -> int:
    """The reporting windows, over every grid of a village, with nothing from the grid."""
    return sum(
        1
        for days in grids.values()
        for start, end in windows
        if not any(start <= d < end for d in days)
    )


@dataclass
class VillageRow:
    village: Area
    risk: VillageRisk | None
    visits: int
    missed: int
    report_days: int | None
    visit_days: int | None
    # Grid reporting windows elapsed in the month with nothing from the grid, over its grids.
    missed_reports: int = 0

    @property
    def rating(self):
        return self.risk.rating if self.risk else ""


def village_rows(user, *, month=None, risk="", area=None) -> tuple[Period, list[VillageRow]]:
    """The villages the user sees (under `area`, of rating `risk`), each with its rating of the
    month, visits and missed visits; a bounded number of queries whatever the villages."""
    period = _month(month)
    if risk and risk not in RiskLevel.values:
        raise InvalidInput("风险等级有误。", fields={"risk": ["应为 red、yellow 或 green。"]})
    scope = scope_for(user)
    villages = scope.areas_queryset().filter(level="village", retired=False)
    if area is not None:
        villages = villages.filter(code__startswith=area.prefix)
    risks = VillageRisk.objects.filter(month=period.start_date, village__in=villages)
    if risk:
        risks = risks.filter(rating=risk)
    by_village = {r.village_id: r for r in risks}
    if risk:
        villages = villages.filter(pk__in=list(by_village))
    areas = list(villages.select_related("parent").order_by("code"))
    ids = [a.pk for a in areas]
    visits = dict(
        VillageVisit.objects.filter(
            village_id__in=ids,
            visited_on__gte=period.start_date,
            visited_on__lt=period.end_date,
        )
        .order_by()
        .values_list("village_id")
        .annotate(n=Count("id"))
    )
    settings = _all_settings()
    reported = grid_report_days(period, ids)
    rows = []
    for village in areas:
        row = by_village.get(village.pk)
        count = visits.get(village.pk, 0)
        if row is None:
            rows.append(VillageRow(village, None, count, 0, None, None))
            continue
        values = settings.get(row.county_id, settings[None])
        plan = schedule(row.rating, values)
        missed = max(0, expected_visits(period, plan["visit_days"]) - count)
        windows = report_windows(period, plan["report_days"])
        late = missed_reports(windows, reported.get(village.pk, {}))
        rows.append(VillageRow(village, row, count, missed, **plan, missed_reports=late))
    return period, rows


def panel(area, *, month=None) -> dict:
    """The dashboard panel of a town or county: counts of red, yellow and green villages of the
    month and the red ones listed (two queries)."""
    period = _month(month)
    if area.level not in ("town", "county"):
        return {"shown": False}
    column = {"town": "town", "county": "county"}[area.level]
    rows = VillageRisk.objects.filter(**{column: area}, month=period.start_date)
    counts = dict.fromkeys(RiskLevel.values, 0)
    for rating, n in rows.order_by().values_list("rating").annotate(n=Count("id")):
        counts[rating] = n
    red = list(
        rows.filter(rating=RiskLevel.RED).select_related("village").order_by("village__code")
    )
    return {"shown": True, "area": area, "period": period, "counts": counts, "red": red}
