"""The setting this app owns, read and changed by admins in the app: a county's 以奖代补 reward
schedule. A county with lines of its own pays by those only (claims made after the change);
every change is audited."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import AuditEntry
from accounts.selectors import require_settings_admin
from cases.choices import Category, Level
from config.errors import InvalidInput

from .choices import Difficulty
from .models import RewardRate

MAX_AMOUNT = Decimal(100000)


def line_key(difficulty: str, category: str, level: str) -> str:
    """ "major/land/village" ("*" for any): how a line is named in audit rows and messages."""
    return f"{difficulty}/{category or '*'}/{level or '*'}"


def _line(rate: RewardRate) -> dict:
    return {
        "difficulty": rate.difficulty,
        "category": rate.category,
        "level": rate.level,
        "amount": rate.amount,
        "active": rate.active,
    }


def schedule_of(county) -> dict:
    """{"own": bool, "lines": [...]}: the county's schedule, else the default one."""
    rows = list(RewardRate.objects.filter(county=county))
    own = bool(rows)
    if not own:
        rows = list(RewardRate.objects.filter(county__isnull=True))
    rows.sort(
        key=lambda r: (Difficulty.values.index(r.difficulty), r.category, r.level, r.pk),
    )
    return {"own": own, "lines": [_line(r) for r in rows]}


def _clean(lines: list[dict]) -> dict[tuple[str, str, str], dict]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[tuple[str, str, str], dict] = {}
    for index, line in enumerate(lines):
        name = f"lines.{index}"
        difficulty = line.get("difficulty")
        category = line.get("category") or ""
        level = line.get("level") or ""
        if difficulty not in Difficulty.values:
            errors.setdefault(f"{name}.difficulty", []).append("未知的难易程度。")
        if category and category not in Category.values:
            errors.setdefault(f"{name}.category", []).append("未知的纠纷类型。")
        if level and level not in Level.values:
            errors.setdefault(f"{name}.level", []).append("未知的层级。")
        try:
            amount = Decimal(str(line.get("amount")))
        except (InvalidOperation, ValueError, TypeError):
            amount = None
        if amount is None or not amount.is_finite():
            errors.setdefault(f"{name}.amount", []).append("补贴金额须为数字。")
        elif amount <= 0 or amount > MAX_AMOUNT:
            errors.setdefault(f"{name}.amount", []).append("补贴金额须大于0且不超过100000元。")
        elif amount != amount.quantize(Decimal("0.01")):
            errors.setdefault(f"{name}.amount", []).append("补贴金额最多两位小数。")
        key = (difficulty, category, level)
        if key in cleaned:
            errors.setdefault(f"{name}.difficulty", []).append("与前面的标准重复。")
        if not any(k.startswith(name) for k in errors):
            cleaned[key] = {"amount": amount, "active": bool(line.get("active", True))}
    if errors:
        raise InvalidInput("以奖代补标准有误。", fields=errors)
    return cleaned


@transaction.atomic
def schedule_set(*, actor, county, lines: list[dict]) -> dict:
    """Set the county's whole schedule: the lines given; a line of the county left out is
    switched off (kept, since paid rewards point at it). Audited."""
    require_settings_admin(actor, county)
    cleaned = _clean(lines)
    current = {
        (r.difficulty, r.category, r.level): r
        for r in RewardRate.objects.select_for_update().filter(county=county)
    }
    before = {
        (line["difficulty"], line["category"], line["level"]): line
        for line in schedule_of(county)["lines"]
    }
    changed = {}
    for key, values in cleaned.items():
        old = before.get(key)
        diff = {
            name: {"before": str(old[name]) if old else None, "after": str(value)}
            for name, value in values.items()
            if old is None or old[name] != value
        }
        if diff:
            changed[line_key(*key)] = diff
    for key, old in before.items():
        if key not in cleaned and old["active"]:
            changed[line_key(*key)] = {"active": {"before": "True", "after": "False"}}
    if not changed:
        return schedule_of(county)
    for (difficulty, category, level), values in cleaned.items():
        RewardRate.objects.update_or_create(
            county=county, difficulty=difficulty, category=category, level=level, defaults=values
        )
    for key, rate in current.items():
        if key not in cleaned and rate.active:
            rate.active = False
            rate.save(update_fields=["active"])
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.SETTINGS,
        what=f"修改以奖代补标准 {county.name}",
        area=county,
        target="mediation.rewardrate",
        data={"county": county.pk, "changes": changed},
    )
    return schedule_of(county)
