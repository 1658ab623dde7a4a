"""Every change to a case: one keyword-only, typed, atomic function per action (DESIGN.md §6).

Each action locks the case row through `policy.access_case` (a case the actor cannot see
raises Http404), asks `CasePolicy.require` (the transition table: an illegal transition, or one
that lost a race, raises Conflict with the current status and level; then who may act:
NotAllowed), then changes the case and its handling periods and writes exactly one event
through `events.case_event`, all in one transaction. `actor=None` is the system (the sweep):
the role rules are skipped, the transition table is not. Who may act is cases/policy.py.
"""

import os
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role, User
from accounts.selectors import scope_for
from config.errors import Conflict, InvalidInput, NotAllowed
from grids.choices import AreaLevel
from grids.models import Area

from . import clocks, crypto, dates, gates, police, village_police
from .choices import (
    LEVEL_RANK,
    OPEN_STATUSES,
    RISK_ORDER,
    Category,
    EventKind,
    Level,
    Outcome,
    PartyRole,
    PeriodEnd,
    PeriodEntry,
    Risk,
    ScreeningReason,
    Source,
    Status,
)
from .events import case_event
from .law_models import PoliceTrigger
from .models import Attachment, Case, CaseEvent, CaseNumberSequence, HandlingPeriod, Party
from .policy import CasePolicy, access_case
from .records import records

# Services that act on no existing case, so the case policy does not apply: intake checks its
# own rule (a reporting role covering the origin).
NOT_CASE_ACTIONS = {"case_report"}

CLOSE_WITHOUT_AGREEMENT = {
    Outcome.FAILED,
    Outcome.WITHDRAWN,
    Outcome.REJECTED,
    Outcome.REFERRED,
}
# Outcomes that end mediation without agreement and tell the parties their routes (art. 26).
ROUTES_OUTCOMES = {Outcome.FAILED, Outcome.REJECTED}
REPORTER_KINDS = (RoleKind.GRID_WORKER, RoleKind.MEDIATOR, RoleKind.OFFICER)
REVEAL_FIELDS = {"id_number": "身份证号", "phone": "电话"}
GROUP_DISPUTE_PEOPLE = 5

ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _level_name(level: str) -> str:
    return Level(level).label if level else ""


# ---------------------------------------------------------------- locking and checks


def _conflict(case: Case, message: str, code: str = "illegal_transition") -> Conflict:
    return Conflict(message, code=code, status=case.status, level=case.level)


def _locked(actor: User | None, case_id: int, action: str, **facts) -> tuple[Case, CasePolicy]:
    """The case, locked, after the policy's checks for `action` (404, 409, 403)."""
    case = access_case(actor, case_id, lock=True)
    policy = CasePolicy(actor, case)
    policy.require(action, **facts)
    return case, policy


def _open_period(case: Case) -> HandlingPeriod | None:
    return (
        HandlingPeriod.objects.select_for_update().filter(case=case, ended_at__isnull=True).first()
    )


def _holder_for(case: Case, level: str) -> Area:
    return {Level.VILLAGE: case.village, Level.TOWN: case.town, Level.COUNTY: case.county}[
        Level(level)
    ]


def _max_level(*levels: str) -> str:
    return max(levels, key=lambda level: LEVEL_RANK[Level(level)])


# ---------------------------------------------------------------- intake


@dataclass
class PartyInput:
    """A party as intake needs it, already validated."""

    name: str
    role: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    area: Area | None = None


def party_errors(data: dict) -> dict:
    """Field messages for one party's values (also used by the API serializer)."""
    errors = {}
    id_number = (data.get("id_number") or "").strip()
    if id_number:
        message = crypto.id_number_error(id_number)
        if message:
            errors["id_number"] = [message]
    phone = (data.get("phone") or "").strip()
    if phone:
        message = crypto.phone_error(phone)
        if message:
            errors["phone"] = [message]
    area = data.get("area")
    if area is not None and area.level not in (AreaLevel.VILLAGE, AreaLevel.GRID):
        errors["area"] = ["当事人居住地须为村（社区）或网格。"]
    return errors


def _validate_parties(parties: list[dict]) -> list[PartyInput]:
    if not parties:
        raise InvalidInput("至少需要一名当事人。", fields={"parties": ["至少需要一名当事人。"]})
    errors = {}
    cleaned = []
    for index, data in enumerate(parties):
        item_errors = party_errors(data)
        name = (data.get("name") or "").strip()
        if not name:
            item_errors["name"] = ["请填写当事人姓名。"]
        if data.get("role") not in PartyRole.values:
            item_errors["role"] = ["身份须为 applicant 或 respondent。"]
        if item_errors:
            # Same shape as DRF's nested list errors: {"0": {"id_number": [...]}}.
            errors[str(index)] = item_errors
        cleaned.append(
            PartyInput(
                name=name[:100],
                role=data.get("role"),
                id_number=crypto.normalise_id_number(data.get("id_number") or ""),
                phone=crypto.normalise_phone(data.get("phone") or ""),
                address=(data.get("address") or "").strip()[:200],
                area=data.get("area"),
            )
        )
    if errors:
        raise InvalidInput("当事人信息有误。", fields={"parties": errors})
    return cleaned


def _village_of(area: Area) -> Area:
    return area.parent if area.level == AreaLevel.GRID else area


def intake_level(*, origin_village: Area, parties: list[PartyInput], people: int, risk: str):
    """The level a new case starts at, and why (DESIGN.md §6 intake level)."""
    villages = {}
    for party in parties:
        if party.area is not None:
            village = _village_of(party.area)
            villages[village.id] = village
    level, reasons = Level.VILLAGE, []
    towns = {v.parent_id for v in villages.values()}
    if len(towns) > 1 or any(
        not v.code.startswith(origin_village.code[:6]) for v in villages.values()
    ):
        level = Level.COUNTY
        reasons.append("当事人分属不同乡镇")
    elif len(villages) > 1:
        level = Level.TOWN
        reasons.append("当事人分属不同村（社区）")
    if people >= GROUP_DISPUTE_PEOPLE:
        level = _max_level(level, Level.TOWN)
        reasons.append(f"涉及{people}人（群体性纠纷）")
    if risk == Risk.RED:
        level = _max_level(level, Level.TOWN)
        reasons.append("高风险（红）")
    return level, reasons


def _allocate_number(county: Area, year: int) -> str:
    """The next case number of this county and year; the sequence row stays locked until the
    transaction ends, so numbers are consecutive and never skipped or repeated."""
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(county=county, year=year, last=0)], ignore_conflicts=True
    )
    sequence = CaseNumberSequence.objects.select_for_update().get(county=county, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{county.code[:6]}-{year}-{sequence.last:06d}"


def _choice(value, choices, field: str, message: str):
    if value not in choices.values:
        raise InvalidInput(message, fields={field: [message]})
    return value


@transaction.atomic
def case_report(
    *,
    actor: User,
    title: str,
    facts: str,
    category: str,
    source: str,
    area: Area,
    parties: list[dict],
    risk: str = Risk.GREEN,
    occurred_on: date | None = None,
    amount: Decimal | None = None,
    people_involved: int = 2,
    screening: str = "",
    screening_note: str = "",
    at: datetime | None = None,
    agency=None,
) -> Case:
    """Log a new dispute (登记受理): screened, numbered, placed at its intake level, with the
    first handling period opened; screened-out matters are closed `rejected` at once. With
    `agency`, a person of that agency refers it in (DESIGN.md §15): the origin must lie in the
    agency's county instead of the reporter's areas."""
    at = _now(at)
    scope = scope_for(actor)
    if agency is not None:
        if not scope.is_superuser and agency.pk not in scope.agency_ids:
            raise NotAllowed("只有本单位人员可以移交纠纷。")
    elif not scope.is_superuser and not scope.roles_of(*REPORTER_KINDS):
        raise NotAllowed("只有网格员、调解员和工作人员可以登记纠纷。")
    _choice(category, Category, "category", "纠纷类型无效。")
    _choice(source, Source, "source", "案件来源无效。")
    _choice(risk, Risk, "risk", "风险等级无效。")
    if screening:
        _choice(screening, ScreeningReason, "screening", "不予受理原因无效。")
    if not (title or "").strip():
        raise InvalidInput("请填写案件名称。", fields={"title": ["请填写案件名称。"]})
    if people_involved is None or people_involved < 1:
        raise InvalidInput("涉及人数至少为1。", fields={"people_involved": ["涉及人数至少为1。"]})
    if area.level not in (AreaLevel.VILLAGE, AreaLevel.GRID):
        raise InvalidInput(
            "发生地须为村（社区）或网格。", fields={"area": ["发生地须为村（社区）或网格。"]}
        )
    if agency is not None:
        if not area.is_under(agency.county):
            message = "发生地不在联动单位所在县。"
            raise InvalidInput(message, fields={"area": [message]})
    elif not scope.covers(area, *REPORTER_KINDS):
        raise InvalidInput("发生地不在您的辖区内。", fields={"area": ["发生地不在您的辖区内。"]})
    chain = {a.level: a for a in [*area.ancestors(), area]}  # one query
    ancestors = {level: a.id for level, a in chain.items()}
    missing = [
        lvl for lvl in ("province", "city", "county", "town", "village") if lvl not in ancestors
    ]
    if missing:
        raise InvalidInput(
            "发生地的上级区划不完整。", fields={"area": ["发生地的上级区划不完整。"]}
        )
    cleaned = _validate_parties(parties)
    dates.occurred_on(occurred_on, today=timezone.localdate(at))

    origin_village, county = chain["village"], chain["county"]

    # 重复纠纷: a party already in another open case of this county.
    hashes = {crypto.id_number_hash(p.id_number): p.name for p in cleaned if p.id_number}
    repeat_names = []
    if hashes:
        repeats = Party.objects.filter(
            id_number_hash__in=list(hashes),
            case__county_id=county.id,
            case__status__in=OPEN_STATUSES,
        ).values_list("id_number_hash", flat=True)
        repeat_names = sorted({hashes[h] for h in repeats})
    reported_risk = risk
    if repeat_names:
        step = min(RISK_ORDER.index(Risk(risk)) + 1, len(RISK_ORDER) - 1)
        risk = RISK_ORDER[step]

    level, level_reasons = intake_level(
        origin_village=origin_village, parties=cleaned, people=people_involved, risk=risk
    )
    local_year = timezone.localtime(at).year
    case = Case(
        number=_allocate_number(county, local_year),
        title=title.strip()[:200],
        facts=(facts or "").strip(),
        category=category,
        source=source,
        risk=risk,
        occurred_on=occurred_on,
        amount=amount,
        people_involved=people_involved,
        origin=area,
        province_id=ancestors["province"],
        city_id=ancestors["city"],
        county_id=ancestors["county"],
        town_id=ancestors["town"],
        village_id=ancestors["village"],
        grid_id=ancestors.get("grid"),
        level=level,
        peak_level=level,
        status=Status.PENDING,
        reported_by=actor,
        reported_at=at,
        repeat_dispute=bool(repeat_names),
    )
    case.county, case.town, case.village = county, chain["town"], origin_village
    case.holder = _holder_for(case, level)
    rejected = bool(screening)
    if rejected:
        case.status = Status.CLOSED
        case.outcome = Outcome.REJECTED
        reason = ScreeningReason(screening).label
        case.outcome_note = f"不予受理：{reason}" + (
            f"。{screening_note.strip()}" if screening_note else ""
        )
        case.closed_at = case.concluded_at = at
    case.save()

    Party.objects.bulk_create(
        [
            Party(
                case=case,
                name=p.name,
                role=p.role,
                id_number_encrypted=(
                    crypto.encrypt(p.id_number, field="party.id_number") if p.id_number else None
                ),
                id_number_hash=crypto.id_number_hash(p.id_number) if p.id_number else "",
                id_number_masked=crypto.mask_id_number(p.id_number) if p.id_number else "",
                phone_encrypted=crypto.encrypt(p.phone, field="party.phone") if p.phone else None,
                phone_masked=crypto.mask_phone(p.phone) if p.phone else "",
                phone_hash=crypto.phone_hash(p.phone) if p.phone else "",
                address=p.address,
                area=p.area,
            )
            for p in cleaned
        ]
    )
    if not rejected:
        clocks.period_open(case=case, entered_by=PeriodEntry.REPORT, at=at)
        if risk == Risk.RED or repeat_names:
            police.police_due_open(
                case=case,
                trigger=PoliceTrigger.REPEAT_PARTY if repeat_names else PoliceTrigger.RED_RISK,
                note="、".join(repeat_names),
                at=at,
            )
        if repeat_names:
            # The earlier open cases have a repeat party from now on: their clocks start too.
            police.repeat_party_clocks(case=case, hashes=hashes, at=at)

    case_event(
        case=case,
        kind=EventKind.REPORT,
        actor=actor,
        at=at,
        from_status="",
        from_level="",
        note=case.outcome_note if rejected else "；".join(level_reasons),
        data={
            "level": level,
            "level_reasons": level_reasons,
            **({"screening": screening} if rejected else {}),
        },
    )
    if risk == Risk.RED and not rejected:
        village_police.notify_red_risk(case, now=at)
    if repeat_names:
        case_event(
            case=case,
            kind=EventKind.RISK_RAISED,
            actor=actor,
            at=at,
            from_status=case.status,
            from_level=case.level,
            note=(
                f"重复纠纷：当事人{'、'.join(repeat_names)}在本县另有未结案件，"
                f"风险由「{Risk(reported_risk).label}」升为「{Risk(risk).label}」。"
            ),
            data={"reason": "repeat_dispute", "from": reported_risk, "to": risk},
        )
    return case


# ---------------------------------------------------------------- the queue at one level


def _valid_assignee(user: User, holder: Area) -> bool:
    if not user.is_active:
        return False
    if Role.objects.filter(
        user=user, kind__in=[RoleKind.MEDIATOR, RoleKind.OFFICER], area=holder
    ).exists():
        return True
    return records().can_mediate(user, holder)


@transaction.atomic
def case_assign(
    *, actor: User, case_id: int, assignee: User, note: str = "", at: datetime | None = None
) -> Case:
    """Give a pending case to a mediator (or officer) of its holder (分派); a village mediator
    may claim a pending village case for themselves."""
    at = _now(at)
    case, policy = _locked(actor, case_id, "assign", assignee=assignee)
    claiming = not policy.officer_here
    if not _valid_assignee(assignee, case.holder):
        raise InvalidInput(
            "承办人须为本单位的调解员或工作人员。",
            fields={"assignee": ["承办人须为本单位的调解员或工作人员。"]},
        )
    from_status = case.status
    case.status = Status.ASSIGNED
    case.assignee = assignee
    case.save(update_fields=["status", "assignee", "updated_at"])
    period = _open_period(case)
    if period is not None and period.assigned_at is None:
        clocks.period_update(period, assigned_at=at)
    case_event(
        case=case,
        kind=EventKind.ASSIGN,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=case.level,
        note=note or ("认领案件" if claiming else f"分派给{assignee}"),
        data={"assignee": assignee.pk, "claimed": claiming},
    )
    return case


@transaction.atomic
def case_respond(*, actor: User, case_id: int, note: str = "", at: datetime | None = None) -> Case:
    """First contact with the parties (首次响应): assigned → in progress."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "respond")
    from_status = case.status
    case.status = Status.IN_PROGRESS
    case.save(update_fields=["status", "updated_at"])
    period = _open_period(case)
    if period is not None and period.responded_at is None:
        clocks.period_update(period, responded_at=at)
    case_event(
        case=case,
        kind=EventKind.RESPOND,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=case.level,
        note=note,
    )
    return case


def _move(
    *,
    case: Case,
    to_level: str,
    holder: Area,
    end_reason: str,
    entered_by: str,
    at: datetime,
    reason: str = "",
) -> None:
    period = _open_period(case)
    if period is not None:
        clocks.period_end(period=period, at=at, reason=end_reason)
    case.level = to_level
    case.peak_level = _max_level(case.peak_level, to_level)
    case.holder = holder
    case.status = Status.PENDING
    case.assignee = None
    case.save(update_fields=["level", "peak_level", "holder", "status", "assignee", "updated_at"])
    clocks.period_open(case=case, entered_by=entered_by, at=at)


@transaction.atomic
def case_escalate(
    *,
    actor: User | None,
    case_id: int,
    reason: str = "",
    from_level: str | None = None,
    at: datetime | None = None,
) -> Case:
    """Send the case to the next level, pending there (上报); an officer of a higher level may
    pull it up to their own level; `actor=None` is the sweep (resolve overdue). `from_level`,
    when given, is the level the actor saw: a case that has moved since is a Conflict."""
    at = _now(at)
    case, policy = _locked(actor, case_id, "escalate", level=from_level)
    to_level = policy.escalation_level()
    from_status, from_level = case.status, case.level
    _move(
        case=case,
        to_level=to_level,
        holder=_holder_for(case, to_level),
        end_reason=PeriodEnd.ESCALATED,
        entered_by=PeriodEntry.ESCALATE,
        at=at,
        reason=reason,
    )
    case_event(
        case=case,
        kind=EventKind.ESCALATE,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=from_level,
        note=reason,
        data={"system": actor is None, "holder": case.holder_id},
    )
    return case


@transaction.atomic
def case_delegate(
    *, actor: User, case_id: int, area: Area, note: str = "", at: datetime | None = None
) -> Case:
    """Hand a pending case down to a lower level (交办): to the origin's town or village, the
    chosen area, pending there."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "delegate")
    if (
        area.level not in (AreaLevel.TOWN, AreaLevel.VILLAGE)
        or LEVEL_RANK[Level(area.level)] >= LEVEL_RANK[Level(case.level)]
        or not area.is_under(case.holder)
        or area.id not in (case.town_id, case.village_id)
    ):
        message = "交办单位须为本案发生地所在的下级乡镇或村（社区）。"
        raise InvalidInput(message, fields={"area": [message]})
    from_status, from_level = case.status, case.level
    _move(
        case=case,
        to_level=area.level,
        holder=area,
        end_reason=PeriodEnd.DELEGATED,
        entered_by=PeriodEntry.DELEGATE,
        at=at,
        reason=note,
    )
    case_event(
        case=case,
        kind=EventKind.DELEGATE,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=from_level,
        note=note,
        data={"holder": area.id},
    )
    return case


EXTEND_MAX_DAYS = 30


@transaction.atomic
def case_extend(
    *,
    actor: User,
    case_id: int,
    until: date,
    parties: list[int] | None = None,
    agreed_on: date | None = None,
    consent_note: str = "",
    at: datetime | None = None,
) -> Case:
    """Move the resolve deadline once, by at most 30 days, with every party's consent
    recorded: who agreed, when, and until when (the one-month norm, DESIGN.md §16)."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "extend")
    if CaseEvent.objects.filter(case=case, kind=EventKind.EXTEND).exists():
        message = "本案已延期一次，调解期限只能延期一次。"
        raise InvalidInput(message, fields={"until": [message]}, code="extended_once")
    period = _open_period(case)
    old_due = timezone.localtime(period.resolve_due)
    latest = old_due.date() + timedelta(days=EXTEND_MAX_DAYS)
    if until is None or until <= old_due.date():
        message = f"延期后的期限须晚于当前办结期限（{old_due.date().isoformat()}）。"
        raise InvalidInput(message, fields={"until": [message]})
    if until > latest:
        message = f"最多延期{EXTEND_MAX_DAYS}日，即不晚于{latest.isoformat()}。"
        raise InvalidInput(message, fields={"until": [message]})
    everyone = {p.pk: p.name for p in Party.objects.filter(case=case)}
    agreed = {int(p) for p in parties or [] if str(p).isdigit()}
    strangers = agreed - set(everyone)
    missing = [name for pk, name in everyone.items() if pk not in agreed]
    if strangers or missing:
        message = (
            "不是本案当事人。"
            if strangers
            else f"延期须经双方当事人同意，尚未记录{'、'.join(missing)}同意。"
        )
        raise InvalidInput(message, fields={"parties": [message]})
    dates.happened_on(case, agreed_on, field="agreed_on", label="当事人同意延期的日期", now=at)
    new_due = timezone.make_aware(datetime.combine(until, old_due.time().replace(tzinfo=None)))
    clocks.period_update(period, resolve_due=new_due)
    names = "、".join(everyone[pk] for pk in sorted(agreed))
    note = (consent_note or "").strip()
    case_event(
        case=case,
        kind=EventKind.EXTEND,
        actor=actor,
        at=at,
        from_status=case.status,
        from_level=case.level,
        note=f"{names}于{agreed_on.isoformat()}同意延期至{until.isoformat()}"
        + (f"。{note}" if note else ""),
        data={
            "from": old_due.isoformat(),
            "until": new_due.isoformat(),
            "parties": sorted(agreed),
            "agreed_on": agreed_on.isoformat(),
        },
    )
    return case


@transaction.atomic
def case_resolve(*, actor: User, case_id: int, agreement: dict, at: datetime | None = None) -> Case:
    """Mediation succeeded (调解成功): record the agreement, written or oral; resolved."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "resolve")
    details = dict(agreement or {})
    form = details.pop("form", None)
    terms = details.pop("terms", "")
    perform_by = details.pop("perform_by", None)
    record = records().record_agreement(
        case=case, actor=actor, at=at, form=form, terms=terms, perform_by=perform_by, **details
    )
    # After the agreement's own checks (400); a refusal rolls the agreement back.
    gates.check("resolve", case)
    from_status = case.status
    case.status = Status.RESOLVED
    case.resolved_at = case.concluded_at = at
    case.save(update_fields=["status", "resolved_at", "concluded_at", "updated_at"])
    period = _open_period(case)
    if period is not None:
        clocks.period_end(period=period, at=at, reason=PeriodEnd.RESOLVED)
    case_event(
        case=case,
        kind=EventKind.RESOLVE,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=case.level,
        note=f"达成{record.get_form_display()}",
        data={"agreement": record.pk, "form": record.form},
    )
    return case


@transaction.atomic
def case_reopen(*, actor: User, case_id: int, reason: str, at: datetime | None = None) -> Case:
    """The agreement was not performed: mediation resumes at the same level (重新调解)."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "reopen")
    if not (reason or "").strip():
        raise InvalidInput("请说明重新调解的原因。", fields={"reason": ["请说明重新调解的原因。"]})
    from_status = case.status
    case.status = Status.IN_PROGRESS
    case.resolved_at = case.concluded_at = None
    case.save(update_fields=["status", "resolved_at", "concluded_at", "updated_at"])
    # The assignee keeps the case: the new period starts assigned and responded.
    clocks.period_open(
        case=case, entered_by=PeriodEntry.REOPEN, at=at, assigned_at=at, responded_at=at
    )
    case_event(
        case=case,
        kind=EventKind.REOPEN,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=case.level,
        note=reason.strip(),
    )
    return case


@transaction.atomic
def case_close(
    *,
    actor: User,
    case_id: int,
    outcome: str,
    note: str = "",
    routes: list[str] | None = None,
    at: datetime | None = None,
) -> Case:
    """Close the case (结案): after a resolution and its follow-up with outcome `agreement`;
    otherwise failed, withdrawn, rejected or referred. Failed or rejected records the routes
    explained to the parties (art. 26); the case file must be complete (art. 27)."""
    at = _now(at)
    if outcome not in Outcome.values:
        raise InvalidInput("结案结果无效。", fields={"outcome": ["结案结果无效。"]})
    case = access_case(actor, case_id, lock=True)
    policy = CasePolicy(actor, case)
    policy.check_transition("close")
    if case.status == Status.RESOLVED and outcome != Outcome.AGREEMENT:
        raise _conflict(case, "调解成功的案件只能以「达成协议」结案。")
    if case.status != Status.RESOLVED and outcome == Outcome.AGREEMENT:
        raise _conflict(case, "尚未调解成功，不能以「达成协议」结案。")
    policy.require("close")
    if outcome == Outcome.AGREEMENT and not records().has_follow_up(case):
        raise _conflict(case, "结案前须完成回访。", code="follow_up_required")
    if outcome != Outcome.AGREEMENT and not (note or "").strip():
        raise InvalidInput("请填写结案说明。", fields={"note": ["请填写结案说明。"]})
    routes = gates.clean_routes(routes) if outcome in ROUTES_OUTCOMES else []
    gates.check("close", case, outcome=outcome, routes=routes)
    from_status = case.status
    case.status = Status.CLOSED
    case.outcome = outcome
    case.outcome_note = (note or "").strip()
    case.closed_at = at
    if outcome != Outcome.AGREEMENT:
        case.concluded_at = at
        period = _open_period(case)
        if period is not None:
            clocks.period_end(period=period, at=at, reason=PeriodEnd.CLOSED)
    case.save(
        update_fields=[
            "status",
            "outcome",
            "outcome_note",
            "closed_at",
            "concluded_at",
            "updated_at",
        ]
    )
    case_event(
        case=case,
        kind=EventKind.CLOSE,
        actor=actor,
        at=at,
        from_status=from_status,
        from_level=case.level,
        note=(case.outcome_note or Outcome(outcome).label)
        + (f"（已告知其他途径：{gates.routes_label(routes)}）" if routes else ""),
        data={"outcome": outcome, **({"routes": routes} if routes else {})},
    )
    return case


# ---------------------------------------------------------------- personal data and files


@transaction.atomic
def case_reveal(
    *, actor: User, case_id: int, party_id: int, field: str, at: datetime | None = None
) -> str:
    """The full ID number or phone of one party, for the assignee or an officer of the current
    level, with an audit event (查看个人信息)."""
    at = _now(at)
    if field not in REVEAL_FIELDS:
        raise InvalidInput(
            "只能查看身份证号或电话。", fields={"field": ["须为 id_number 或 phone。"]}
        )
    case, _ = _locked(actor, case_id, "reveal")
    party = Party.objects.filter(case=case, pk=party_id).first()
    if party is None:
        raise InvalidInput("不是本案当事人。", fields={"party": ["不是本案当事人。"]})
    blob = party.id_number_encrypted if field == "id_number" else party.phone_encrypted
    if not blob:
        raise InvalidInput("该当事人未登记此项信息。", fields={"field": ["未登记。"]})
    value = crypto.decrypt(blob, field=f"party.{field}")
    case_event(
        case=case,
        kind=EventKind.REVEAL,
        actor=actor,
        at=at,
        from_status=case.status,
        from_level=case.level,
        note=f"查看当事人{party.name}的{REVEAL_FIELDS[field]}",
        data={"party": party.pk, "field": field},
    )
    return value


def sniff_type(head: bytes) -> str | None:
    """The content type of an allowed file from its first bytes (the name is not trusted)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def attachment_max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


@transaction.atomic
def case_attach(
    *, actor: User, case_id: int, file: UploadedFile, at: datetime | None = None
) -> Attachment:
    """Add evidence (a photo, a scan) to an open case: JPEG, PNG, WebP or PDF, size-limited."""
    at = _now(at)
    case, _ = _locked(actor, case_id, "attach")
    limit = attachment_max_bytes()
    if file.size is None or file.size > limit:
        message = f"文件不能超过{limit // (1024 * 1024)}MB。"
        raise InvalidInput(message, fields={"file": [message]})
    if file.size == 0:
        raise InvalidInput("文件为空。", fields={"file": ["文件为空。"]})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff_type(head)
    if content_type is None:
        message = "只能上传 JPEG、PNG、WebP 图片或 PDF 文件。"
        raise InvalidInput(message, fields={"file": [message]})
    name = os.path.basename(file.name or "").strip()[:200] or "附件"
    attachment = Attachment(
        case=case, name=name, content_type=content_type, size=file.size, uploaded_by=actor
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{ATTACHMENT_TYPES[content_type]}", file, save=False)
    attachment.save()
    case_event(
        case=case,
        kind=EventKind.ATTACH,
        actor=actor,
        at=at,
        from_status=case.status,
        from_level=case.level,
        note=f"上传附件：{name}",
        data={"attachment": attachment.pk, "size": file.size, "type": content_type},
    )
    return attachment
