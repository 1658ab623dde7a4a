"""The settings this app owns, read and changed by admins in the app: a county's safety index
weights (平安指数权重) and annual grade thresholds (平安创建等级). They assess the county's
towns and villages from the next KPI roll-up on; every change is audited."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.selectors import require_settings_admin
from config.errors import InvalidInput

from .choices import DEFAULT_GRADE_THRESHOLDS, INDEX_METRICS, KPI_LABELS, Grade
from .models import GradeThreshold, IndexWeight

# The weights are percentages of the index: they must add up to this.
WEIGHT_TOTAL = Decimal(100)
METRICS = [metric for metric, _ in INDEX_METRICS]


def _decimal(value, places=2) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def weights_of(county) -> dict:
    """{"own": bool, "weights": {metric: Decimal}}: the county's set, else the default."""
    rows = list(IndexWeight.objects.filter(county=county))
    own = bool(rows)
    if not own:
        rows = list(IndexWeight.objects.filter(county__isnull=True))
    weights = {
        metric: Decimal(weight).quantize(Decimal("0.01")) for metric, weight in INDEX_METRICS
    }
    weights.update({row.metric: row.weight for row in rows})
    return {"own": own, "weights": weights}


@transaction.atomic
def weights_set(*, actor, county, weights: dict) -> dict:
    """Set the county's whole set of weights (every metric, ≥ 0, adding up to 100); audited."""
    require_settings_admin(actor, county)
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for metric, value in weights.items():
        if metric not in METRICS:
            errors.setdefault(metric, []).append("未知的指标。")
            continue
        number = _decimal(value)
        if number is None:
            errors.setdefault(metric, []).append("须为数字。")
        elif number < 0 or number > WEIGHT_TOTAL:
            errors.setdefault(metric, []).append("权重须在0到100之间。")
        else:
            cleaned[metric] = number
    for metric in METRICS:
        if metric not in weights:
            errors.setdefault(metric, []).append(f"缺少“{KPI_LABELS[metric]}”的权重。")
    if not errors and sum(cleaned.values()) != WEIGHT_TOTAL:
        errors["weights"] = [f"各项权重之和须为100（现为{sum(cleaned.values())}）。"]
    if errors:
        raise InvalidInput("平安指数权重有误。", fields=errors)
    list(IndexWeight.objects.select_for_update().filter(county=county))
    _save_changed(
        actor=actor,
        county=county,
        model=IndexWeight,
        key="metric",
        field="weight",
        current=weights_of(county)["weights"],
        cleaned=cleaned,
        what=f"修改平安指数权重 {county.name}",
    )
    return weights_of(county)


def thresholds_of(county) -> dict:
    """{"own": bool, "thresholds": {grade: Decimal}}: the county's, else the default."""
    rows = list(GradeThreshold.objects.filter(county=county))
    own = bool(rows)
    if not own:
        rows = list(GradeThreshold.objects.filter(county__isnull=True))
    thresholds = {
        grade.value: Decimal(m).quantize(Decimal("0.01")) for grade, m in DEFAULT_GRADE_THRESHOLDS
    }
    thresholds.update({row.grade: row.min_index for row in rows})
    return {"own": own, "thresholds": thresholds}


@transaction.atomic
def thresholds_set(*, actor, county, thresholds: dict) -> dict:
    """Set the county's grade thresholds (0–100, gold above silver above bronze); audited."""
    require_settings_admin(actor, county)
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for grade, value in thresholds.items():
        if grade not in Grade.values:
            errors.setdefault(grade, []).append("未知的等级。")
            continue
        number = _decimal(value)
        if number is None:
            errors.setdefault(grade, []).append("须为数字。")
        elif number < 0 or number > 100:
            errors.setdefault(grade, []).append("最低平安指数须在0到100之间。")
        else:
            cleaned[grade] = number
    for grade in Grade.values:
        if grade not in thresholds:
            errors.setdefault(grade, []).append(f"缺少{Grade(grade).label}的最低分。")
    if not errors and not (cleaned["gold"] > cleaned["silver"] > cleaned["bronze"]):
        errors["thresholds"] = ["须金鼎高于银鼎、银鼎高于铜鼎。"]
    if errors:
        raise InvalidInput("平安创建等级标准有误。", fields=errors)
    list(GradeThreshold.objects.select_for_update().filter(county=county))
    _save_changed(
        actor=actor,
        county=county,
        model=GradeThreshold,
        key="grade",
        field="min_index",
        current=thresholds_of(county)["thresholds"],
        cleaned=cleaned,
        what=f"修改平安创建等级标准 {county.name}",
    )
    return thresholds_of(county)


def _save_changed(*, actor, county, model, key, field, current, cleaned, what) -> None:
    """Write the county's own rows (one per `key`) when any value differs from what applies now
    (the county's rows or the defaults), with one audit row of the differences."""
    changed = {
        name: {"before": str(current[name]), "after": str(value)}
        for name, value in cleaned.items()
        if current[name] != value
    }
    if not changed:
        return
    for name, value in cleaned.items():
        model.objects.update_or_create(county=county, **{key: name}, defaults={field: value})
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.SETTINGS,
        what=what,
        area=county,
        target=model._meta.label_lower,
        data={"county": county.pk, "changes": changed},
    )
