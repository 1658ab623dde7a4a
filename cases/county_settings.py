"""The settings this app owns, read and changed by admins in the app: each county's SLA policy
(handling deadlines) and the national calendar overrides. Every change is audited in its own
transaction; a new SLA value applies to handling periods opened after the change (cases
reported, escalated or delegated later), never to the clocks already running."""

from datetime import date

import chinese_calendar
from django.db import transaction
from django.http import Http404

from accounts.audit import audit_record, snapshot
from accounts.models import AuditEntry
from accounts.selectors import require_settings_admin, scope_for
from config.errors import InvalidInput, NotAllowed
from grids.choices import LEVEL_RANK as AREA_RANK
from grids.choices import AreaLevel

from .calendar import clear_override_cache
from .choices import DeadlineUnit, Level
from .clocks import DEFAULT_LIMITS
from .models import CalendarOverride, SlaPolicy

KINDS = ["assign", "respond", "resolve"]
KIND_LABELS = {"assign": "分派时限", "respond": "响应时限", "resolve": "办结时限"}
# The longest deadline an admin may set, per unit (a year of working days; a month of hours).
MAX_AMOUNT = {DeadlineUnit.WORKING_DAYS: 250, DeadlineUnit.HOURS: 720}
POLICY_KEYS = [(level, red) for level in Level.values for red in (False, True)]


def policy_key(level: str, red: bool) -> str:
    """ "village" or "village-red": how a row is named in audit rows and form fields."""
    return f"{level}-red" if red else level


def sla_policy_of(county) -> list[dict]:
    """The six rows (level × red) that apply to a county, each marked `own` when the county has
    its own row rather than the default."""
    rows = {
        (p.level, p.red, p.county_id is not None): p
        for p in SlaPolicy.objects.filter(county__isnull=True)
        | SlaPolicy.objects.filter(county=county)
    }
    result = []
    for level, red in POLICY_KEYS:
        policy = rows.get((level, red, True)) or rows.get((level, red, False))
        if policy is not None:
            values = {
                f"{k}_{part}": getattr(policy, f"{k}_{part}")
                for k in KINDS
                for part in ("value", "unit")
            }
        else:
            limits = DEFAULT_LIMITS[(Level(level), red)]
            values = {}
            for kind in KINDS:
                amount, unit = getattr(limits, kind)
                values[f"{kind}_value"], values[f"{kind}_unit"] = amount, str(unit)
        result.append(
            {
                "level": level,
                "red": red,
                "own": (level, red, True) in rows,
                **values,
            }
        )
    return result


def _clean_sla_rows(rows: list[dict]) -> dict[tuple[str, bool], dict]:
    """Check every row; field messages are keyed "<level>[-red].<field>"."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[tuple[str, bool], dict] = {}
    for row in rows:
        level, red = row.get("level"), bool(row.get("red"))
        if level not in Level.values:
            errors.setdefault("level", []).append(f"未知的层级：{level}。")
            continue
        key = policy_key(level, red)
        if (level, red) in cleaned:
            errors.setdefault(key, []).append("同一层级重复提交。")
            continue
        values = {}
        for kind in KINDS:
            unit = row.get(f"{kind}_unit")
            amount = row.get(f"{kind}_value")
            label = KIND_LABELS[kind]
            if unit not in DeadlineUnit.values:
                errors.setdefault(f"{key}.{kind}_unit", []).append(
                    f"{label}的单位须为工作日或小时。"
                )
                continue
            if isinstance(amount, bool) or not isinstance(amount, int):
                errors.setdefault(f"{key}.{kind}_value", []).append(f"{label}须为整数。")
                continue
            if amount < 1:
                errors.setdefault(f"{key}.{kind}_value", []).append(f"{label}至少为1。")
                continue
            if amount > MAX_AMOUNT[unit]:
                errors.setdefault(f"{key}.{kind}_value", []).append(
                    f"{label}不能超过{MAX_AMOUNT[unit]}{DeadlineUnit(unit).label}。"
                )
                continue
            values[f"{kind}_value"], values[f"{kind}_unit"] = amount, unit
        cleaned[(level, red)] = values
    if errors:
        raise InvalidInput("办理时限有误。", fields=errors)
    return cleaned


@transaction.atomic
def sla_policy_set(*, actor, county, rows: list[dict]) -> list[dict]:
    """Set some or all of a county's six deadline rows; audited; returns the county's rows.
    Handling periods already open keep their clocks."""
    require_settings_admin(actor, county)
    cleaned = _clean_sla_rows(rows)
    # Lock the county's rows (and the defaults they start from) so two admins' saves queue.
    list(SlaPolicy.objects.select_for_update().filter(county=county))
    current = {(r["level"], r["red"]): r for r in sla_policy_of(county)}
    changed = {}
    for (level, red), values in cleaned.items():
        before = {name: current[(level, red)][name] for name in values}
        diff = {
            name: {"before": before[name], "after": value}
            for name, value in values.items()
            if before[name] != value
        }
        if not diff:
            continue
        SlaPolicy.objects.update_or_create(
            county=county, level=level, red=red, defaults={**before, **values}
        )
        changed[policy_key(level, red)] = diff
    if changed:
        audit_record(
            actor=actor,
            kind=AuditEntry.Kind.SETTINGS,
            what=f"修改办理时限 {county.name}",
            area=county,
            target="cases.slapolicy",
            data={"county": county.pk, "changes": changed},
        )
    return sla_policy_of(county)


# ---------------------------------------------------------------- calendar overrides


def library_knows(year: int) -> bool:
    """True when the official calendar package has the State Council's notice for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def calendar_editor_area(actor):
    """The area an admin edits the national calendar from: their highest admin role at a
    county or above (None for a superuser); NotAllowed for anyone else."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return None
    areas = [a for a in scope.areas("admin") if AREA_RANK[a.level] <= AREA_RANK[AreaLevel.COUNTY]]
    if not areas:
        raise NotAllowed("只有县级及以上的管理员可以调整工作日历。", code="settings_admin_only")
    return min(areas, key=lambda a: (a.rank, a.code))


def _require_calendar_day(actor, day: date):
    area = calendar_editor_area(actor)
    if area is not None and library_knows(day.year):
        # The calendar is national: a year the official notice covers is only corrected by a
        # superuser, in Django admin; admins enter the years the package does not know yet.
        raise InvalidInput(
            f"{day.year}年的放假安排已由国务院通知确定，只能录入尚未收录的年份。",
            fields={"date": [f"{day.year}年已有官方日历，不能在此修改。"]},
        )
    return area


@transaction.atomic
def calendar_override_save(
    *, actor, day: date, is_workday: bool, note: str = ""
) -> CalendarOverride:
    """Set whether `day` is a working day (a holiday or a make-up workday of a year the
    official calendar does not know yet); audited."""
    area = _require_calendar_day(actor, day)
    note = (note or "").strip()
    if len(note) > 100:
        raise InvalidInput("说明过长。", fields={"note": ["说明不能超过100字。"]})
    existing = CalendarOverride.objects.select_for_update().filter(date=day).first()
    before = snapshot(existing) if existing else None
    override, _created = CalendarOverride.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "note": note}
    )
    after = snapshot(override)
    if before != after:
        audit_record(
            actor=actor,
            kind=AuditEntry.Kind.SETTINGS,
            what=f"工作日调整 {day:%Y-%m-%d} {'上班' if is_workday else '休息'}",
            area=area,
            target=override,
            data={"before": before, "after": after},
        )
    transaction.on_commit(clear_override_cache)
    return override


@transaction.atomic
def calendar_override_delete(*, actor, override_id: int) -> None:
    """Remove a day's override (the day falls back to Monday–Friday); audited."""
    override = CalendarOverride.objects.select_for_update().filter(pk=override_id).first()
    if override is None:
        raise Http404("没有这条调整。")
    area = _require_calendar_day(actor, override.date)
    before = snapshot(override)
    override.delete()
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.SETTINGS,
        what=f"删除工作日调整 {before['date']}",
        area=area,
        target=f"cases.calendaroverride:{override_id}",
        data={"before": before},
    )
    transaction.on_commit(clear_override_cache)


def calendar_overrides(year: int | None = None):
    """Overrides, by date (of one year when given)."""
    rows = CalendarOverride.objects.order_by("date")
    return rows.filter(date__year=year) if year else rows
