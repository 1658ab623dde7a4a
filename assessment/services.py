"""Writes for assessment: KPI snapshots of a period, replaced idempotently, with the safety
index from the editable weights and, for a year, the grade."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grids.models import Area

from .choices import DEFAULT_GRADE_THRESHOLDS, INDEX_METRICS, PeriodKind
from .kpis import compute_period
from .models import GradeThreshold, IndexWeight, KpiSnapshot
from .periods import Period


def index_weights() -> dict[str, float]:
    """The safety index weights: the admin's rows, defaults for any metric without one."""
    weights = {metric: float(weight) for metric, weight in INDEX_METRICS}
    for row in IndexWeight.objects.all():
        weights[row.metric] = float(row.weight)
    return weights


def grade_thresholds() -> list[tuple[str, float]]:
    """(grade, lowest index) from best to worst."""
    rows = [(g.grade, float(g.min_index)) for g in GradeThreshold.objects.all()]
    if not rows:
        rows = [(grade.value, float(Decimal(m))) for grade, m in DEFAULT_GRADE_THRESHOLDS]
    return sorted(rows, key=lambda row: -row[1])


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


@transaction.atomic
def snapshot_period(period: Period, *, root: Area | None = None, now=None) -> int:
    """Compute and store the KPI snapshots of a period for `root`'s subtree (or every area),
    replacing what was stored; returns how many snapshots were written."""
    now = now or timezone.now()
    results = compute_period(period, root=root, now=now)
    weights = index_weights()
    thresholds = grade_thresholds() if period.kind == PeriodKind.YEAR else []
    rows = []
    for area_id, metrics in results.items():
        index = safety_index(metrics, weights)
        metrics["safety_index"] = index
        rows.append(
            KpiSnapshot(
                area_id=area_id,
                period_kind=period.kind,
                period_key=period.key,
                metrics=metrics,
                safety_index=index,
                grade=grade_for(index, thresholds),
                computed_at=now,
            )
        )
    KpiSnapshot.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["area", "period_key"],
        update_fields=["period_kind", "metrics", "safety_index", "grade", "computed_at"],
    )
    return len(rows)
