"""Writes for assessment: KPI snapshots of a period, replaced idempotently, with the safety
index from the editable weights and, for a year, the grade."""

import json
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from grids.models import Area

from .choices import DEFAULT_GRADE_THRESHOLDS, INDEX_METRICS, PeriodKind
from .kpis import compute_period
from .models import GradeThreshold, IndexWeight, KpiSnapshot
from .periods import Period


def index_weights(county_id: int | None = None) -> dict[str, float]:
    """The safety index weights: the county's own set when it has one, else the default rows,
    with the design's value for any metric without a row."""
    weights = {metric: float(weight) for metric, weight in INDEX_METRICS}
    rows = IndexWeight.objects.filter(county_id=county_id) if county_id else None
    if not rows:
        rows = IndexWeight.objects.filter(county__isnull=True)
    for row in rows:
        weights[row.metric] = float(row.weight)
    return weights


def grade_thresholds(county_id: int | None = None) -> list[tuple[str, float]]:
    """(grade, lowest index) from best to worst: the county's own, else the default rows."""
    rows = []
    if county_id:
        rows = [
            (g.grade, float(g.min_index))
            for g in GradeThreshold.objects.filter(county_id=county_id)
        ]
    if not rows:
        rows = [
            (g.grade, float(g.min_index))
            for g in GradeThreshold.objects.filter(county__isnull=True)
        ]
    if not rows:
        rows = [(grade.value, float(Decimal(m))) for grade, m in DEFAULT_GRADE_THRESHOLDS]
    return sorted(rows, key=lambda row: -row[1])


def _areas_of_counties(county_ids) -> dict[int, int]:
    """The towns and villages of the given counties (an indexed code-prefix match each):
    area id → county id."""
    from grids.choices import AreaLevel

    found = {}
    for county in Area.objects.filter(pk__in=county_ids, level=AreaLevel.COUNTY):
        below = Area.objects.subtree(county).filter(level__in=[AreaLevel.TOWN, AreaLevel.VILLAGE])
        found.update(dict.fromkeys(below.values_list("pk", flat=True), county.pk))
    return found


def safety_index(metrics: dict, weights: dict[str, float]) -> float | None:
    """0–100: the weighted mean of the rates that are defined (a rate with no denominator is
    left out and the other weights carry it); None when no weighted rate is defined."""
    total = weight_sum = 0.0
    for metric, weight in weights.items():
        value = metrics.get(metric)
        if value is None or weight <= 0:
            continue
        total += weight * value
        weight_sum += weight
    if not weight_sum:
        return None
    return round(100 * total / weight_sum, 2)


def grade_for(index: float | None, thresholds) -> str:
    if index is None:
        return ""
    for grade, minimum in thresholds:
        if index >= minimum:
            return grade
    return ""


def period_is_final(period: Period) -> bool:
    """The period was closed (its snapshots marked final)."""
    return KpiSnapshot.objects.filter(period_key=period.key, final=True).exists()


@transaction.atomic
def snapshot_period(
    period: Period, *, root: Area | None = None, now=None, final: bool = False, force=False
) -> int:
    """Compute and store the KPI snapshots of a period for `root`'s subtree (or every area),
    replacing what was stored; returns how many snapshots were written. A closed (final)
    period is left as it is unless `force`; `final` closes it with these figures."""
    now = now or timezone.now()
    if not force and period_is_final(period):
        return 0
    results = compute_period(period, root=root, now=now)
    yearly = period.kind == PeriodKind.YEAR
    weights = index_weights()
    thresholds = grade_thresholds() if yearly else []
    # A county's own weights and thresholds assess its towns and villages; the county itself
    # (and every area above) is assessed by the defaults, so counties are ranked alike.
    own = set(IndexWeight.objects.filter(county__isnull=False).values_list("county_id", flat=True))
    if yearly:
        own |= set(
            GradeThreshold.objects.filter(county__isnull=False).values_list("county_id", flat=True)
        )
    county_of = _areas_of_counties(own) if own else {}
    per_county = {
        county_id: (index_weights(county_id), grade_thresholds(county_id) if yearly else [])
        for county_id in own
    }
    rows = []
    for area_id, metrics in results.items():
        area_weights, area_thresholds = per_county.get(
            county_of.get(area_id), (weights, thresholds)
        )
        index = safety_index(metrics, area_weights)
        metrics["safety_index"] = index
        rows.append(
            {
                "area_id": area_id,
                "metrics": metrics,
                "safety_index": index,
                "grade": grade_for(index, area_thresholds),
            }
        )
    if connection.vendor == "postgresql":
        _upsert_pg(rows, period, now, final=final)
    else:
        KpiSnapshot.objects.bulk_create(
            [
                KpiSnapshot(
                    period_kind=period.kind,
                    period_key=period.key,
                    computed_at=now,
                    final=final,
                    **row,
                )
                for row in rows
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["area", "period_key"],
            update_fields=[
                "period_kind",
                "metrics",
                "safety_index",
                "grade",
                "computed_at",
                "final",
            ],
        )
    return len(rows)


UPSERT_SQL = """
INSERT INTO {table}
    (area_id, period_kind, period_key, metrics, safety_index, grade, computed_at, final)
SELECT r.area_id, %(kind)s, %(key)s, r.metrics, r.safety_index, r.grade, %(at)s, %(final)s
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS r(area_id bigint, metrics jsonb, safety_index double precision, grade text)
ON CONFLICT (area_id, period_key) DO UPDATE
SET period_kind = EXCLUDED.period_kind, metrics = EXCLUDED.metrics,
    safety_index = EXCLUDED.safety_index, grade = EXCLUDED.grade,
    computed_at = EXCLUDED.computed_at, final = EXCLUDED.final
"""


# Snapshots per statement. With the whole country's 665,000 areas loaded one document of every
# area passed PostgreSQL's 1 GB limit on a value ("invalid memory alloc request size").
UPSERT_BATCH = 20000


@transaction.atomic
def _upsert_pg(rows, period: Period, now, *, final: bool = False) -> None:
    """The period's snapshots in a few statements, UPSERT_BATCH rows each: the rows travel as
    one JSON document per statement (a per-row array of JSON texts costs more to encode than
    the aggregates cost to compute)."""
    sql = UPSERT_SQL.format(table=connection.ops.quote_name(KpiSnapshot._meta.db_table))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_BATCH):
            document = json.dumps(rows[start : start + UPSERT_BATCH])
            cursor.execute(
                sql,
                {
                    "kind": period.kind,
                    "key": period.key,
                    "at": now,
                    "rows": document,
                    "final": final,
                },
            )
