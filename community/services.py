"""Every change to village self-governance records: one keyword-only, atomic function per
action. Bad input raises InvalidInput naming the field (400), an in-scope object the actor may
not touch raises NotAllowed (403), a lost race or a repeated one-time step raises Conflict
(409). Callers find objects through the scoped selectors first, so out of scope is 404."""

from datetime import date, datetime, timedelta
from itertools import cycle

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.choices import RoleKind
from accounts.models import AuditEntry, Role, User
from accounts.selectors import scope_clear
from cases import crypto
from cases.choices import Category, Risk, Source
from cases.models import Case
from cases.services import case_report
from config.errors import Conflict, InvalidInput, NotAllowed
from grids.choices import AreaLevel
from grids.models import Area
from notifications.choices import Channel
from notifications.services import notify

from . import selectors
from .choices import DEFAULT_DAYS_PER_TURN, ItemOutcome, LogKind, NoticeKind
from .models import (
    Campaign,
    CampaignReport,
    ConsultationDay,
    ConsultationItem,
    DutyLogEntry,
    DutyShift,
    DutyTeam,
    Volunteer,
)

MAX_ITEMS = 200
MAX_ROTA_DAYS = 62


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


def _chain(area: Area) -> dict:
    """{level: area id} for the area and its ancestors."""
    return area.ancestor_ids_by_level()


def _require_village(area: Area, field: str = "village") -> None:
    if area.level != AreaLevel.VILLAGE:
        raise _bad(field, "须选择村（社区）。")


def _require_manager(actor: User, area: Area) -> None:
    if not selectors.manages(actor, area):
        raise NotAllowed("只有本村网格员、调解员和上级工作人员可以管理。")


def _parties(values, field: str = "parties") -> list[dict]:
    """Names and sides of the parties (no ID numbers or phones kept outside a case)."""
    cleaned = []
    for index, party in enumerate(values or []):
        name = str((party or {}).get("name") or "").strip()[:100]
        role = (party or {}).get("role") or "applicant"
        if not name:
            raise InvalidInput(
                "请填写当事人姓名。", fields={field: {str(index): {"name": ["请填写姓名。"]}}}
            )
        if role not in ("applicant", "respondent"):
            raise InvalidInput(
                "身份无效。",
                fields={field: {str(index): {"role": ["须为 applicant 或 respondent。"]}}},
            )
        cleaned.append({"name": name, "role": role})
    return cleaned


# ---------------------------------------------------------------- 说事日


def _item(day: ConsultationDay, data: dict, index: int | None = None) -> ConsultationItem:
    def bad(name, message):
        if index is None:
            return _bad(name, message)
        return InvalidInput(message, fields={"items": {str(index): {name: [message]}}})

    text = str(data.get("text") or "").strip()
    if not text:
        raise bad("text", "请填写议题内容。")
    outcome = data.get("outcome") or ItemOutcome.PENDING
    if outcome not in ItemOutcome.values or outcome == ItemOutcome.CASE:
        raise bad("outcome", "处理结果无效（转为案件请用“转为案件”）。")
    return ConsultationItem(
        day=day,
        text=text[:5000],
        is_dispute=bool(data.get("is_dispute")),
        outcome=outcome,
        outcome_note=str(data.get("outcome_note") or "").strip()[:500],
        parties=_parties(data.get("parties")),
    )


@transaction.atomic
def consultation_day_record(
    *,
    actor: User,
    village: Area,
    held_on: date,
    chair: str,
    attendance: int,
    note: str = "",
    items: list[dict] | None = None,
    at: datetime | None = None,
) -> ConsultationDay:
    """Record a village's consultation day (说事日) with the items raised and their outcomes."""
    at = _now(at)
    _require_village(village)
    _require_manager(actor, village)
    if held_on > timezone.localdate(at):
        raise _bad("held_on", "说事日日期不能晚于今天。")
    if not (chair or "").strip():
        raise _bad("chair", "请填写主持人。")
    if attendance is None or attendance < 1:
        raise _bad("attendance", "参加人数至少为1。")
    items = list(items or [])
    if len(items) > MAX_ITEMS:
        raise _bad("items", f"议题最多{MAX_ITEMS}项。")
    ids = _chain(village)
    day = ConsultationDay(
        village=village,
        town_id=ids["town"],
        county_id=ids["county"],
        held_on=held_on,
        month=held_on.replace(day=1),
        chair=chair.strip()[:50],
        attendance=attendance,
        note=(note or "").strip()[:5000],
        recorded_by=actor,
        created_at=at,
    )
    rows = [_item(day, data, index) for index, data in enumerate(items)]
    day.save()
    for row in rows:
        row.day = day
    ConsultationItem.objects.bulk_create(rows)
    return day


@transaction.atomic
def consultation_item_add(*, actor: User, day_id: int, data: dict) -> ConsultationItem:
    """Add one item to a consultation day."""
    day = ConsultationDay.objects.select_for_update().select_related("village").get(pk=day_id)
    _require_manager(actor, day.village)
    item = _item(day, data)
    item.save()
    return item


def _open_case(
    *, actor, area, title, facts, parties, category, risk, source, occurred_on, at
) -> Case:
    if category not in Category.values:
        raise _bad("category", "纠纷类型无效。")
    if risk not in Risk.values:
        raise _bad("risk", "风险等级无效。")
    if not parties:
        raise _bad("parties", "转为案件至少需要一名当事人。")
    return case_report(
        actor=actor,
        title=title,
        facts=facts,
        category=category,
        source=source,
        risk=risk,
        area=area,
        parties=[{**p, "area": None} for p in parties],
        occurred_on=occurred_on,
        people_involved=max(len(parties), 1),
        at=at,
    )


def _report_area(actor: User, village: Area) -> Area:
    """Where the actor logs a case of this village: the village, or for a grid worker of
    one of its grids, their grid (a grid worker reports in their own grid)."""
    scope = selectors.scope_for(actor)
    if scope.is_superuser or scope.covers(village, RoleKind.MEDIATOR, RoleKind.OFFICER):
        return village
    for role in scope.roles_of(RoleKind.GRID_WORKER):
        if role.area.parent_id == village.id:
            return role.area
    return village


@transaction.atomic
def consultation_item_to_case(
    *,
    actor: User,
    item_id: int,
    category: str,
    risk: str = Risk.GREEN,
    title: str = "",
    parties: list[dict] | None = None,
    at: datetime | None = None,
) -> ConsultationItem:
    """Turn an item into a case in one step (source 说事日): the parties carried over, the
    item and the case linked both ways; a second attempt is a 409."""
    at = _now(at)
    item = (
        ConsultationItem.objects.select_for_update(of=("self",))
        .select_related("day", "day__village")
        .get(pk=item_id)
    )
    _require_manager(actor, item.day.village)
    if item.case_id:
        raise Conflict("该议题已转为案件。", status="case")
    carried = _parties(parties) if parties else item.parties
    text = item.text
    item.case = _open_case(
        actor=actor,
        area=_report_area(actor, item.day.village),
        title=(title or "").strip() or f"说事日议题：{text[:40]}",
        facts=f"{item.day.held_on:%Y-%m-%d} 说事日提出：{text}",
        parties=carried,
        category=category,
        risk=risk,
        source=Source.CONSULTATION_DAY,
        occurred_on=item.day.held_on,
        at=at,
    )
    item.is_dispute = True
    item.outcome = ItemOutcome.CASE
    item.parties = carried
    item.save(update_fields=["case", "is_dispute", "outcome", "parties"])
    return item


# ---------------------------------------------------------------- 1+1+N teams and volunteers


@transaction.atomic
def volunteer_add(*, actor: User, grid: Area, name: str, phone: str = "") -> Volunteer:
    """Register a 红袖章 volunteer of a grid (the phone kept encrypted, shown masked)."""
    if grid.level != AreaLevel.GRID:
        raise _bad("grid", "须选择网格。")
    _require_manager(actor, grid)
    name = (name or "").strip()
    if not name:
        raise _bad("name", "请填写姓名。")
    phone = crypto.normalise_phone(phone or "")
    if phone and crypto.phone_error(phone):
        raise _bad("phone", crypto.phone_error(phone))
    ids = _chain(grid)
    return Volunteer.objects.create(
        grid=grid,
        village_id=ids["village"],
        town_id=ids["town"],
        county_id=ids["county"],
        name=name[:50],
        phone_encrypted=crypto.encrypt(phone, field="volunteer.phone") if phone else None,
        phone_masked=crypto.mask_phone(phone) if phone else "",
    )


@transaction.atomic
def volunteer_account(*, actor: User, volunteer_id: int, username: str, password: str) -> User:
    """Give a volunteer a light account (kind volunteer, at their village): it sees and acts
    on its own duty and log only."""
    volunteer = Volunteer.objects.select_for_update().select_related("village").get(pk=volunteer_id)
    _require_manager(actor, volunteer.village)
    if volunteer.user_id:
        raise Conflict("该志愿者已有账号。", status="has_account")
    username = (username or "").strip()
    if not username:
        raise _bad("username", "请填写用户名。")
    if len(password or "") < 8:
        raise _bad("password", "密码至少8位。")
    if User.objects.filter(username=username).exists():
        raise _bad("username", "用户名已被使用。")
    user = User.objects.create_user(
        username=username[:150], password=password, display_name=volunteer.name
    )
    role = Role.objects.create(user=user, kind=RoleKind.VOLUNTEER, area=volunteer.village)
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.ROLE,
        what=f"为平安志愿者{volunteer.name}开通值班账号",
        area=volunteer.village,
        target=role,
        data={"user": user.username, "kind": RoleKind.VOLUNTEER, "volunteer": volunteer.pk},
    )
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    scope_clear(user)
    return user


@transaction.atomic
def duty_team_set(
    *,
    actor: User,
    grid: Area,
    cadre_name: str = "",
    cadre_unit: str = "",
    grid_worker: User | None = None,
) -> DutyTeam:
    """Name a grid's cadre and grid worker (the N are the grid's volunteers)."""
    if grid.level != AreaLevel.GRID:
        raise _bad("grid", "须选择网格。")
    _require_manager(actor, grid)
    if (
        grid_worker is not None
        and not Role.objects.filter(user=grid_worker, kind=RoleKind.GRID_WORKER, area=grid).exists()
    ):
        raise _bad("grid_worker", "须为本网格的网格员。")
    ids = _chain(grid)
    team, _ = DutyTeam.objects.select_for_update().get_or_create(
        grid=grid,
        defaults={"village_id": ids["village"], "town_id": ids["town"], "county_id": ids["county"]},
    )
    team.cadre_name = (cadre_name or "").strip()[:50]
    team.cadre_unit = (cadre_unit or "").strip()[:100]
    team.grid_worker = grid_worker
    team.save()
    return team


# ---------------------------------------------------------------- 轮值轮守 rota


def _shift_rows(village: Area, plan: list[tuple[date, Volunteer]]) -> list[DutyShift]:
    ids = _chain(village)
    return [
        DutyShift(
            village=village,
            town_id=ids["town"],
            county_id=ids["county"],
            volunteer=volunteer,
            on_date=day,
        )
        for day, volunteer in plan
    ]


@transaction.atomic
def rota_generate(
    *,
    actor: User,
    village: Area,
    month: date,
    days_per_turn: int = DEFAULT_DAYS_PER_TURN,
) -> list[DutyShift]:
    """Fill a month's free days with the village's active volunteers in turns (each takes
    `days_per_turn` days), continuing from whoever was on duty last."""
    _require_village(village)
    _require_manager(actor, village)
    if not 1 <= days_per_turn <= 31:
        raise _bad("days_per_turn", "每轮天数须在1至31之间。")
    # One generation at a time per village: lock the village's volunteers.
    volunteers = list(
        Volunteer.objects.select_for_update()
        .filter(village=village, active=True)
        .order_by("grid__code", "id")
    )
    if not volunteers:
        raise _bad("village", "本村尚无在岗志愿者，请先登记志愿者。")
    start = month.replace(day=1)
    end = selectors.next_month(start)
    taken = set(
        DutyShift.objects.filter(village=village, on_date__gte=start, on_date__lt=end).values_list(
            "on_date", flat=True
        )
    )
    last = (
        DutyShift.objects.filter(village=village, on_date__lt=start)
        .order_by("-on_date")
        .values_list("volunteer_id", flat=True)
        .first()
    )
    ids = [v.id for v in volunteers]
    offset = ids.index(last) + 1 if last in ids else 0
    turns = cycle(volunteers[offset:] + volunteers[:offset])
    plan, current, left = [], None, 0
    day = start
    while day < end:
        if day not in taken:
            if left == 0:
                current, left = next(turns), days_per_turn
            plan.append((day, current))
            left -= 1
        day += timedelta(days=1)
    return DutyShift.objects.bulk_create(_shift_rows(village, plan))


@transaction.atomic
def rota_set(*, actor: User, village: Area, turns: list[dict]) -> list[DutyShift]:
    """Edit the rota: each turn puts a volunteer of this village on duty from `starts_on` to
    `ends_on`; turns may not overlap one another, and a day already checked in stays."""
    _require_village(village)
    _require_manager(actor, village)
    if not turns:
        raise _bad("turns", "请至少填写一个轮次。")
    days: dict[date, Volunteer] = {}
    for index, turn in enumerate(turns):
        volunteer, starts_on = turn.get("volunteer"), turn.get("starts_on")
        ends_on = turn.get("ends_on") or starts_on

        def bad(name, message, index=index):
            return InvalidInput(message, fields={"turns": {str(index): {name: [message]}}})

        if volunteer is None or volunteer.village_id != village.id:
            raise bad("volunteer", "须为本村的志愿者。")
        if not volunteer.active:
            raise bad("volunteer", "该志愿者已不在岗。")
        if starts_on is None or ends_on < starts_on:
            raise bad("ends_on", "结束日期不能早于开始日期。")
        if (ends_on - starts_on).days >= MAX_ROTA_DAYS:
            raise bad("ends_on", f"一个轮次最多{MAX_ROTA_DAYS}天。")
        day = starts_on
        while day <= ends_on:
            if day in days:
                raise bad("starts_on", f"与其他轮次重叠（{day:%Y-%m-%d}）。")
            days[day] = volunteer
            day += timedelta(days=1)
    existing = {
        s.on_date: s
        for s in DutyShift.objects.select_for_update().filter(village=village, on_date__in=days)
    }
    checked = sorted(d for d, s in existing.items() if s.checked_in_at)
    if checked:
        raise Conflict(f"{checked[0]:%Y-%m-%d} 已签到，不能调整。", status="checked_in")
    changed = []
    for day, shift in existing.items():
        if shift.volunteer_id != days[day].id:
            shift.volunteer = days[day]
            changed.append(shift)
    DutyShift.objects.bulk_update(changed, ["volunteer"])
    new = [(d, v) for d, v in sorted(days.items()) if d not in existing]
    try:
        with transaction.atomic():
            created = DutyShift.objects.bulk_create(_shift_rows(village, new))
    except IntegrityError:
        raise Conflict("排班已被他人修改，请刷新后重试。", status="changed")
    return sorted(
        [*changed, *created, *[s for s in existing.values() if s not in changed]],
        key=lambda s: s.on_date,
    )


def _own_duty(actor: User, shift: DutyShift, today: date) -> None:
    if shift.volunteer.user_id != actor.pk:
        raise NotAllowed("只有当班的志愿者本人可以签到。")
    if shift.on_date != today:
        raise NotAllowed("只能在本人值班当天签到和记录。")


@transaction.atomic
def duty_check_in(*, actor: User, shift_id: int, at: datetime | None = None) -> DutyShift:
    """The person on duty checks in, on the day (once; again is a no-op)."""
    at = _now(at)
    shift = (
        DutyShift.objects.select_for_update(of=("self",))
        .select_related("volunteer")
        .get(pk=shift_id)
    )
    _own_duty(actor, shift, timezone.localdate(at))
    if shift.checked_in_at is None:
        shift.checked_in_at = at
        shift.save(update_fields=["checked_in_at"])
    return shift


@transaction.atomic
def duty_log(
    *,
    actor: User,
    shift_id: int,
    kind: str,
    text: str,
    parties: list[dict] | None = None,
    at: datetime | None = None,
) -> DutyLogEntry:
    """Note what the person on duty saw; a dispute is announced to the village's grid workers
    and mediators, who turn it into a case in one step."""
    at = _now(at)
    shift = DutyShift.objects.select_related("volunteer", "village").get(pk=shift_id)
    if not selectors.manages(actor, shift.village):
        _own_duty(actor, shift, timezone.localdate(at))
    if kind not in LogKind.values:
        raise _bad("kind", "类型无效。")
    text = (text or "").strip()
    if not text:
        raise _bad("text", "请填写情况。")
    entry = DutyLogEntry.objects.create(
        shift=shift,
        village_id=shift.village_id,
        town_id=shift.town_id,
        county_id=shift.county_id,
        kind=kind,
        text=text[:5000],
        parties=_parties(parties),
        author=actor,
        created_at=at,
    )
    if kind == LogKind.DISPUTE:
        users = Role.objects.filter(
            kind__in=[RoleKind.MEDIATOR, RoleKind.OFFICER],
            area_id=shift.village_id,
            user__is_active=True,
        ).values_list("user_id", flat=True)
        notify(
            users=list(users),
            kind=NoticeKind.DUTY_DISPUTE,
            title=f"{shift.village.name}值班发现矛盾纠纷",
            body=f"{shift.volunteer.name}：{text[:100]}",
            channels=[Channel.IN_APP],
            now=at,
        )
    return entry


@transaction.atomic
def duty_log_to_case(
    *,
    actor: User,
    entry_id: int,
    category: str,
    risk: str = Risk.GREEN,
    title: str = "",
    parties: list[dict] | None = None,
    at: datetime | None = None,
) -> DutyLogEntry:
    """Turn a logged dispute into a case in one step (origin: the volunteer's grid), linked
    both ways; a second attempt is a 409."""
    at = _now(at)
    entry = (
        DutyLogEntry.objects.select_for_update(of=("self",))
        .select_related("shift", "shift__volunteer", "shift__volunteer__grid", "village")
        .get(pk=entry_id)
    )
    if not selectors.manages(actor, entry.village):
        raise NotAllowed("只有本村网格员、调解员和上级工作人员可以转为案件。")
    if entry.case_id:
        raise Conflict("该记录已转为案件。", status="case")
    if entry.kind != LogKind.DISPUTE:
        raise _bad("kind", "只有矛盾纠纷记录可以转为案件。")
    carried = _parties(parties) if parties else entry.parties
    grid = entry.shift.volunteer.grid
    # A mediator or officer of the village reports at the village; a grid worker at the grid.
    area = grid if selectors.scope_for(actor).covers(grid, "grid_worker") else entry.village
    entry.case = _open_case(
        actor=actor,
        area=area,
        title=(title or "").strip() or f"值班发现：{entry.text[:40]}",
        facts=f"{entry.shift.on_date:%Y-%m-%d} 轮值值班（{entry.shift.volunteer.name}）发现："
        f"{entry.text}",
        parties=carried,
        category=category,
        risk=risk,
        source=Source.GRID_INSPECTION,
        occurred_on=entry.shift.on_date,
        at=at,
    )
    entry.parties = carried
    entry.save(update_fields=["case", "parties"])
    return entry


# ---------------------------------------------------------------- 排查 campaigns


@transaction.atomic
def campaign_open(
    *,
    actor: User,
    name: str,
    area: Area,
    starts_on: date,
    ends_on: date,
    at: datetime | None = None,
) -> Campaign:
    """Open a campaign (专项排查) over the county or a town, with its window."""
    at = _now(at)
    if area.level not in (AreaLevel.COUNTY, AreaLevel.TOWN):
        raise _bad("area", "范围须为县或乡镇。")
    if not selectors.may_open_campaign(actor, area):
        raise NotAllowed("只有县、乡镇的工作人员可以发起专项排查。")
    name = (name or "").strip()
    if not name:
        raise _bad("name", "请填写名称。")
    if ends_on < starts_on:
        raise _bad("ends_on", "截止日期不能早于开始日期。")
    if (ends_on - starts_on).days > 366:
        raise _bad("ends_on", "排查窗口最长一年。")
    ids = _chain(area)
    return Campaign.objects.create(
        name=name[:100],
        area=area,
        county_id=ids["county"],
        starts_on=starts_on,
        ends_on=ends_on,
        opened_by=actor,
        created_at=at,
    )


@transaction.atomic
def campaign_report(
    *,
    actor: User,
    campaign_id: int,
    grid: Area,
    zero: bool,
    found: int = 0,
    note: str = "",
    at: datetime | None = None,
) -> CampaignReport:
    """A grid reports for a campaign, once, within the window: what it found, or zero."""
    at = _now(at)
    campaign = Campaign.objects.select_related("area").get(pk=campaign_id)
    if grid.level != AreaLevel.GRID:
        raise _bad("grid", "须选择网格。")
    if not grid.is_under(campaign.area):
        raise _bad("grid", "该网格不在本次排查范围内。")
    if not selectors.may_report_for(actor, grid):
        raise NotAllowed("只有本网格的网格员或上级工作人员可以上报。")
    today = timezone.localdate(at)
    if not campaign.starts_on <= today <= campaign.ends_on:
        raise Conflict("不在本次排查的上报时间内。", status="closed")
    found = found or 0
    if found < 0:
        raise _bad("found", "发现数不能为负。")
    if zero and found:
        raise _bad("found", "零上报的发现数须为0。")
    if not zero and not found:
        raise _bad("found", "请填写发现的矛盾纠纷数，或选择零上报。")
    ids = _chain(grid)
    try:
        with transaction.atomic():
            return CampaignReport.objects.create(
                campaign=campaign,
                grid=grid,
                village_id=ids["village"],
                town_id=ids["town"],
                county_id=ids["county"],
                zero=zero,
                found=found,
                note=(note or "").strip()[:5000],
                reporter=actor,
                submitted_at=at,
            )
    except IntegrityError:
        raise Conflict(f"{grid.name} 已上报。", status="filed")
