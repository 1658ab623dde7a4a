"""Referrals (三调联动, DESIGN.md §15), one service per step: sent → received → answered with a
result → closed, in both directions.

- out: a case's handlers refer it to an agency (the case stays open at its level, or closes
  `referred`); the agency's people receive and answer; the handlers close it.
- in: an agency's person refers a dispute (a police 110 dispute, a court's 诉前/委派 mediation,
  a petition), which creates the case with the referral attached; the committee receives (for
  a police 110 dispute within 24 hours) and answers with the result; the agency closes it.

Clocks: receive due 1 working day after sending (a police 110 dispute: 24 calendar hours);
answer due by the agency's period after receipt (court 30 days, petition office 15 days, others
15 working days), unless the sender fixed an earlier one. `next_due` holds the deadline owed
now, for the sweep and the overdue rule (cases/referral_deadlines.py).
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.agencies import Agency, AgencyMember
from accounts.choices import AgencyKind
from accounts.selectors import scope_for
from config.errors import InvalidInput
from notifications.choices import NotificationKind
from notifications.services import notify

from .calendar import add_hours, add_working_days
from .choices import EventKind, Outcome, Source
from .events import case_event
from .policy import CasePolicy, ReferralPolicy, access_case
from .referral_models import (
    OPEN_REFERRAL,
    Direction,
    Referral,
    ReferralKind,
    ReferralResult,
    ReferralStatus,
)
from .services import case_close, case_report
from .sweep import People

# The longest deadline a sender may fix (the longest period of DESIGN.md §15 is 30 days).
MAX_ANSWER_DAYS = 30
INBOUND_KINDS = {
    ReferralKind.POLICE_110: (AgencyKind.POLICE,),
    ReferralKind.COURT_PRE_SUIT: (AgencyKind.COURT, AgencyKind.TRIBUNAL),
    ReferralKind.COURT_ENTRUSTED: (AgencyKind.COURT, AgencyKind.TRIBUNAL),
    ReferralKind.PETITION: (AgencyKind.PETITION,),
    ReferralKind.TRANSFER: tuple(AgencyKind.values),
}
SOURCE_OF_KIND = {
    ReferralKind.POLICE_110: Source.POLICE_REFERRAL,
    ReferralKind.COURT_PRE_SUIT: Source.COURT_REFERRAL,
    ReferralKind.COURT_ENTRUSTED: Source.COURT_REFERRAL,
    ReferralKind.PETITION: Source.PETITION,
    ReferralKind.TRANSFER: Source.SUPERIOR_ASSIGNED,
}


def _now(at):
    return at or timezone.now()


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


# ---------------------------------------------------------------- the clocks


def receive_due(kind: str, sent_at: datetime) -> datetime:
    """When the receiver must sign for the referral."""
    if kind == ReferralKind.POLICE_110:
        return add_hours(sent_at, 24)
    return add_working_days(sent_at, 1)


def answer_due(kind: str, agency_kind: str, start: datetime) -> datetime:
    """When the answer is due, counted from receipt: court 30 days, petition 15 days, others
    15 working days."""
    court = kind in (ReferralKind.COURT_PRE_SUIT, ReferralKind.COURT_ENTRUSTED) or (
        agency_kind in (AgencyKind.COURT, AgencyKind.TRIBUNAL)
    )
    if court:
        return timezone.localtime(start) + timedelta(days=30)
    if kind == ReferralKind.PETITION or agency_kind == AgencyKind.PETITION:
        return timezone.localtime(start) + timedelta(days=15)
    return add_working_days(start, 15)


def _fixed_answer_due(value, at: datetime):
    """A deadline the sender fixed: in the future, and not beyond the longest period."""
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        raise _field_error("answer_due", "答复期限格式无效。")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= at:
        raise _field_error("answer_due", "答复期限不能早于现在。")
    if value > at + timedelta(days=MAX_ANSWER_DAYS + 1):
        raise _field_error("answer_due", f"答复期限不能超过{MAX_ANSWER_DAYS}日。")
    return value


def _agency(agency_id, county_id: int | None) -> Agency:
    """The agency named by the request: 400 on `agency` when absent, inactive or in another
    county."""
    try:
        agency_id = int(agency_id)
    except (TypeError, ValueError):
        raise _field_error("agency", "请选择联动单位。")
    agency = Agency.objects.filter(pk=agency_id, active=True).first() if agency_id > 0 else None
    if agency is None:
        raise _field_error("agency", "联动单位不存在。")
    if county_id is not None and agency.county_id != county_id:
        raise _field_error("agency", "联动单位不在本县。")
    return agency


def _members(agency_id: int) -> list[int]:
    return list(
        AgencyMember.objects.filter(agency_id=agency_id, user__is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _committee(case) -> list[int]:
    return People().responsible(case, case.holder_id)


def _save_new(referral: Referral) -> Referral:
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        raise _field_error("agency", "该案件已移交此单位且尚未办结。")
    return referral


# ---------------------------------------------------------------- out: a case to an agency


@transaction.atomic
def referral_send(
    *,
    actor,
    case_id: int,
    agency_id,
    note: str = "",
    answer_due=None,
    close_case: bool = False,
    at: datetime | None = None,
) -> Referral:
    """Refer a case to an agency (移交): the case stays open at its level, or (`close_case`)
    closes as `referred`."""
    at = _now(at)
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require("refer")
    agency = _agency(agency_id, case.county_id)
    fixed = _fixed_answer_due(answer_due, at)
    note = (note or "").strip()
    if not note:
        raise _field_error("note", "请填写移交事由。")
    if Referral.objects.filter(case=case, agency=agency, status__in=OPEN_REFERRAL).exists():
        raise _field_error("agency", "该案件已移交此单位且尚未办结。")
    due = receive_due(ReferralKind.TRANSFER, at)
    referral = _save_new(
        Referral(
            case=case,
            agency=agency,
            direction=Direction.OUT,
            kind=ReferralKind.TRANSFER,
            note=note[:2000],
            county_id=case.county_id,
            town_id=case.town_id,
            sent_at=at,
            sent_by=actor,
            receive_due=due,
            answer_due=fixed,
            next_due=due,
        )
    )
    case_event(
        case=case,
        kind=EventKind.REFERRAL,
        actor=actor,
        at=at,
        note=f"移交{agency.name}：{note}",
        data={"referral": referral.pk, "step": "sent", "agency": agency.pk, "direction": "out"},
    )
    notify(
        users=_members(agency.pk),
        kind=NotificationKind.INFO,
        title=f"新移交案件：{case.number}",
        body=f"「{case.title}」移交贵单位办理，请于{timezone.localtime(due):%Y-%m-%d %H:%M}前签收。",
        case=case,
        now=at,
    )
    if close_case:
        case_close(
            actor=actor, case_id=case.pk, outcome=Outcome.REFERRED, note=f"移交{agency.name}", at=at
        )
    return referral


# ---------------------------------------------------------------- in: an agency's dispute


@transaction.atomic
def referral_receive_dispute(
    *,
    actor,
    agency_id,
    kind: str,
    note: str = "",
    answer_due=None,
    at: datetime | None = None,
    **case_fields,
) -> Referral:
    """An agency refers a dispute to people's mediation (a police 110 dispute, a court's
    诉前/委派 mediation, a petition): the case is created with the referral attached."""
    at = _now(at)
    agency = _agency(agency_id, None)
    scope = scope_for(actor)
    if not scope.is_superuser and agency.pk not in scope.agency_ids:
        raise _field_error("agency", "只能以本单位名义移交纠纷。")
    if kind not in INBOUND_KINDS:
        raise _field_error("kind", "移交类型无效。")
    if agency.kind not in INBOUND_KINDS[kind]:
        raise _field_error("kind", f"{agency.get_kind_display()}不能移交此类纠纷。")
    fixed = _fixed_answer_due(answer_due, at)
    case_fields.setdefault("source", SOURCE_OF_KIND[kind])
    case = case_report(actor=actor, at=at, agency=agency, **case_fields)
    return _inbound(actor=actor, case=case, agency=agency, kind=kind, note=note, due=fixed, at=at)


@transaction.atomic
def referral_record_inbound(
    *, actor, case_id: int, agency_id, kind: str, note: str = "", at: datetime | None = None
) -> Referral:
    """An agency's person records their referral of a dispute the committee already logged
    (referred by telephone, say): the referral is attached to the case with its clocks."""
    at = _now(at)
    agency = _agency(agency_id, None)
    scope = scope_for(actor)
    if not scope.is_superuser and agency.pk not in scope.agency_ids:
        raise _field_error("agency", "只能以本单位名义移交纠纷。")
    if kind not in INBOUND_KINDS or agency.kind not in INBOUND_KINDS[kind]:
        raise _field_error("kind", "移交类型无效。")
    from .models import Case

    case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    if case is None or case.county_id != agency.county_id:
        raise _field_error("case", "案件不存在或不在本县。")
    return _inbound(actor=actor, case=case, agency=agency, kind=kind, note=note, due=None, at=at)


def _inbound(*, actor, case, agency, kind, note, due, at) -> Referral:
    if Referral.objects.filter(case=case, agency=agency, status__in=OPEN_REFERRAL).exists():
        raise _field_error("agency", "该案件已移交此单位且尚未办结。")
    receive = receive_due(kind, at)
    referral = _save_new(
        Referral(
            case=case,
            agency=agency,
            direction=Direction.IN,
            kind=kind,
            note=(note or "").strip()[:2000],
            county_id=case.county_id,
            town_id=case.town_id,
            sent_at=at,
            sent_by=actor,
            receive_due=receive,
            answer_due=due,
            next_due=receive,
        )
    )
    case_event(
        case=case,
        kind=EventKind.REFERRAL,
        actor=actor,
        at=at,
        note=f"{agency.name}移交调解（{ReferralKind(kind).label}）",
        data={"referral": referral.pk, "step": "sent", "agency": agency.pk, "direction": "in"},
    )
    notify(
        users=_committee(case),
        kind=NotificationKind.INFO,
        title=f"{agency.name}移交纠纷：{case.number}",
        body=f"「{case.title}」（{ReferralKind(kind).label}），请于"
        f"{timezone.localtime(receive):%Y-%m-%d %H:%M}前签收受理。",
        case=case,
        now=at,
    )
    return referral


# ---------------------------------------------------------------- the steps


def access_referral(user, referral_id, *, lock: bool = False) -> Referral:
    """The referral if `user` may see it, else Http404 (absent and out of scope alike)."""
    from django.http import Http404

    try:
        referral_id = int(referral_id)
    except (TypeError, ValueError):
        raise Http404("移交不存在。")
    queryset = Referral.objects.visible_to(user)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    referral = queryset.filter(pk=referral_id).first() if 0 < referral_id < 2**63 else None
    if referral is None:
        raise Http404("移交不存在。")
    return referral


def _step(actor, referral_id, action) -> Referral:
    referral = access_referral(actor, referral_id, lock=True)
    ReferralPolicy(actor, referral).require(action)
    return referral


def _event(referral, *, actor, at, step, note):
    case_event(
        case=referral.case,
        kind=EventKind.REFERRAL,
        actor=actor,
        at=at,
        note=note,
        data={
            "referral": referral.pk,
            "step": step,
            "agency": referral.agency_id,
            "direction": referral.direction,
        },
    )


def _other_side(referral) -> list[int]:
    """Who hears of a step: the committee of an outbound referral, the agency of an inbound."""
    if referral.direction == Direction.OUT:
        return _committee(referral.case)
    return _members(referral.agency_id)


@transaction.atomic
def referral_receive(*, actor, referral_id, at: datetime | None = None) -> Referral:
    """Sign for a referral (签收): the answer clock starts."""
    at = _now(at)
    referral = _step(actor, referral_id, "receive")
    referral.status = ReferralStatus.RECEIVED
    referral.received_at, referral.received_by = at, actor
    if referral.answer_due is None:
        referral.answer_due = answer_due(referral.kind, referral.agency.kind, at)
    referral.next_due = referral.answer_due
    referral.save()
    _event(referral, actor=actor, at=at, step="received", note=f"{referral.agency.name}移交已签收")
    notify(
        users=_other_side(referral),
        kind=NotificationKind.INFO,
        title=f"移交已签收：{referral.case.number}",
        case=referral.case,
        now=at,
    )
    return referral


@transaction.atomic
def referral_answer(
    *, actor, referral_id, result: str, note: str = "", at: datetime | None = None
) -> Referral:
    """Answer a referral with its result (答复)."""
    at = _now(at)
    if result not in ReferralResult.values:
        raise _field_error("result", "请选择办理结果。")
    note = (note or "").strip()
    if not note:
        raise _field_error("note", "请填写结果说明。")
    referral = _step(actor, referral_id, "answer")
    referral.status = ReferralStatus.ANSWERED
    referral.answered_at, referral.answered_by = at, actor
    referral.result, referral.result_note = result, note[:2000]
    referral.next_due = None
    referral.save()
    label = ReferralResult(result).label
    _event(referral, actor=actor, at=at, step="answered", note=f"移交答复：{label}。{note}")
    notify(
        users=_other_side(referral),
        kind=NotificationKind.INFO,
        title=f"移交已答复：{referral.case.number}（{label}）",
        body=note,
        case=referral.case,
        now=at,
    )
    return referral


@transaction.atomic
def referral_close(*, actor, referral_id, at: datetime | None = None) -> Referral:
    """The sender takes note of the answer: the referral is closed (办结)."""
    at = _now(at)
    referral = _step(actor, referral_id, "close")
    referral.status = ReferralStatus.CLOSED
    referral.closed_at = at
    referral.save()
    _event(referral, actor=actor, at=at, step="closed", note="移交办结")
    return referral
