"""Writes to the mediation records: one keyword-only, typed, atomic function per action, on
the conventions of the case services (cases/services.py).

Each record action takes `case_id` and the time `at` (now when left out), locks the case row
through `cases.policy.access_case` (a case the actor cannot see: Http404), asks
`CasePolicy.require` for its action (the status forbids it: Conflict; the actor may not:
NotAllowed), and writes one event through `cases.events.case_event` in the same transaction.
The agreement's own rules live in the leaf module agreements.py, which `case_resolve` also uses.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import User
from cases import dates as case_dates
from cases.choices import EventKind, Outcome, Status
from cases.events import case_event
from cases.models import Attachment, Case, Party
from cases.policy import CasePolicy, access_case
from cases.services import case_respond
from config.errors import Conflict, InvalidInput, NotAllowed
from grids.choices import AreaLevel

from .agreements import (
    CONFIRMATION_WINDOW_DAYS,
    agreement_record,
    effective_on,
    sync_confirmation_clock,
)
from .choices import (
    AgreementForm,
    ConfirmationStatus,
    PerformanceRoute,
    RejectionRoute,
    RemainingRisk,
)
from .consent import session_gate
from .models import (
    Agreement,
    AgreementSignature,
    Committee,
    Consultation,
    FileDocument,
    FollowUp,
    InspectionReport,
    JudicialConfirmation,
    MediationSession,
    Reward,
    RewardRate,
)

# The longest a 三官一律 consultation may be given to answer (a deadline, not a wish).
CONSULTATION_MAX_DAYS = 30

# Services that act on no case, so the case policy does not apply: each checks its own rule
# (grid coverage for inspections, the managing officer or admin for committees and members).
NOT_CASE_ACTIONS = {
    "inspection_file",
    "committee_create",
    "committee_update",
    "member_save",
}


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _case_for(actor: User, case_id: int, action: str, **facts) -> Case:
    """The case, locked, after the policy's checks for `action` (404, 409, 403)."""
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require(action, **facts)
    return case


# ---------------------------------------------------------------- the agreement


@transaction.atomic
def agreement_save(
    *,
    actor: User,
    case_id: int,
    form: str,
    terms: str,
    perform_by: date | None = None,
    at: datetime | None = None,
    **details,
) -> Agreement:
    """Record or revise the agreement from the records page, with an event in the case log."""
    at = _now(at)
    case = _case_for(actor, case_id, "agreement")
    agreement = agreement_record(
        case=case, actor=actor, at=at, form=form, terms=terms, perform_by=perform_by, **details
    )
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note="记录调解协议",
        data={"record": "agreement", "id": agreement.id, "form": agreement.form},
    )
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    actor: User,
    case_id: int,
    parties: dict | None = None,
    mediator_signed_on: date | None = None,
    sealed_on: date | None = None,
    party_images: dict | None = None,
    mediator_image=None,
    sheet_attachment_id: int | None = None,
    at: datetime | None = None,
) -> Agreement:
    """Record the signatures of the written agreement (art. 29): signature dates ({party id:
    date}), the mediator's and the committee seal's date; a signature drawn on the phone's
    screen (a PNG, {party id: image} or `mediator_image`) is dated today; a photo of the signed
    sheet (an attachment of the case) is kept with the agreement. It takes effect when all are
    there (the last of them)."""
    from .signatures import decode_signature

    at = _now(at)
    case = _case_for(actor, case_id, "sign")
    agreement = Agreement.objects.select_for_update().filter(case=case).first()
    if agreement is None:
        raise Http404("调解协议不存在。")
    if agreement.form != AgreementForm.WRITTEN:
        raise Conflict("口头协议无需签名盖章。", form=agreement.form)
    if agreement.effective_on is not None:
        raise Conflict(
            f"调解协议已于 {agreement.effective_on} 生效，签名盖章不能再更改。",
            code="agreement_effective",
            effective_on=agreement.effective_on.isoformat(),
        )
    today = timezone.localdate(at)
    parties = {int(pid): day for pid, day in (parties or {}).items()}
    images = {}
    for pid, image in (party_images or {}).items():
        images[int(pid)] = decode_signature(image, field=f"party:{pid}")
        parties.setdefault(int(pid), today)
    mediator_png = None
    if mediator_image is not None:
        mediator_png = decode_signature(mediator_image, field="mediator_image")
        mediator_signed_on = mediator_signed_on or today
    dates = {"mediator_signed_on": mediator_signed_on, "sealed_on": sealed_on}
    dates.update({f"party:{pid}": day for pid, day in parties.items()})
    errors = {}
    for name, day in dates.items():
        if day is not None and (day < agreement.reached_on or day > today):
            errors[name] = [f"日期须在协议达成之日（{agreement.reached_on}）与今天之间。"]
    valid_parties = set(Party.objects.filter(case=case).values_list("id", flat=True))
    for pid in parties:
        if pid not in valid_parties:
            errors[f"party:{pid}"] = ["不是本案当事人。"]
    sheet = None
    if sheet_attachment_id is not None:
        sheet = Attachment.objects.filter(pk=sheet_attachment_id, case=case).first()
        if sheet is None:
            errors["sheet"] = ["附件不属于本案。"]
    if not parties and not any(dates.values()) and sheet is None:
        errors["parties"] = ["请至少记录一方签名、调解员签名或盖章。"]
    if errors:
        raise InvalidInput("签名盖章记录无效。", fields=errors)
    for pid, day in parties.items():
        defaults = {"signed_on": day}
        if pid in images:
            defaults["image"] = images[pid]
        AgreementSignature.objects.update_or_create(
            agreement=agreement, party_id=pid, defaults=defaults
        )
    if mediator_signed_on is not None:
        agreement.mediator_signed_on = mediator_signed_on
    if mediator_png is not None:
        agreement.mediator_signature = mediator_png
    if sealed_on is not None:
        agreement.sealed_on = sealed_on
    if sheet is not None:
        agreement.signed_sheet = sheet
    agreement.effective_on = effective_on(agreement)
    agreement.updated_at = at
    agreement.save()
    sync_confirmation_clock(agreement, at=at)
    how = "（屏幕签名）" if images or mediator_png is not None else ""
    how = how or ("（签字协议书照片）" if sheet is not None else "")
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note="记录协议签名盖章"
        + how
        + (f"，协议于 {agreement.effective_on} 生效" if agreement.effective_on else ""),
        data={
            "record": "signature",
            "id": agreement.id,
            "parties": sorted(parties),
            "mediator": mediator_signed_on is not None,
            "seal": sealed_on is not None,
            "on_screen": sorted(images) + (["mediator"] if mediator_png is not None else []),
            "sheet": sheet.pk if sheet is not None else None,
            "effective_on": str(agreement.effective_on or ""),
        },
    )
    return agreement


@transaction.atomic
def agreement_print(
    *, actor: User, case_id: int, copy: str = "archive", at: datetime | None = None
) -> tuple[Agreement, bytes]:
    """The agreement as a PDF: the archive copy (identities masked) for anyone who sees the
    case; the parties' copy, with their full ID numbers and phones decrypted, only for those
    the policy lets reveal them (the assignee, the officers of the current level), each print
    recorded as a reveal of personal data in the audit trail."""
    from cases.crypto import decrypt

    from .pdf import ARCHIVE, PARTIES, agreement_pdf

    at = _now(at)
    if copy not in {ARCHIVE, PARTIES}:
        raise InvalidInput("协议书版本无效。", fields={"copy": ["须为 archive 或 parties。"]})
    if copy == ARCHIVE:
        case = access_case(actor, case_id)
    else:
        case = _case_for(actor, case_id, "reveal")
    agreement = (
        Agreement.objects.select_related("case", "case__holder", "mediator", "committee")
        .prefetch_related("signatures")
        .filter(case=case)
        .first()
    )
    if agreement is None:
        raise Http404("调解协议不存在。")
    if copy == ARCHIVE:
        return agreement, agreement_pdf(agreement, copy=ARCHIVE)
    identities = {}
    for party in Party.objects.filter(case=case):
        identities[party.pk] = {
            "id_number": decrypt(party.id_number_encrypted, field="party.id_number")
            if party.id_number_encrypted
            else "",
            "phone": decrypt(party.phone_encrypted, field="party.phone")
            if party.phone_encrypted
            else "",
        }
    case_event(
        case=case,
        kind=EventKind.REVEAL,
        actor=actor,
        at=at,
        from_status=case.status,
        from_level=case.level,
        note="打印当事人签署本调解协议书（含完整身份证号、电话）",
        data={"record": "agreement_print", "id": agreement.id, "parties": sorted(identities)},
    )
    return agreement, agreement_pdf(agreement, copy=PARTIES, identities=identities)


# ---------------------------------------------------------------- sessions and consultations


@transaction.atomic
def session_record(
    *,
    actor: User,
    case_id: int,
    held_at: datetime,
    place: str,
    minutes: str,
    mediators: list | None = None,
    attendees: str = "",
    at: datetime | None = None,
) -> MediationSession:
    """Record a mediation session and its minutes (调解笔录); the first session of an assigned
    case is the first contact with the parties and records `respond`."""
    from .selectors import can_mediate

    at = _now(at)
    case = _case_for(actor, case_id, "session")
    case_dates.happened_at(case, held_at, field="held_at", label="调解时间", now=at)
    session_gate(case)
    if not (minutes or "").strip():
        raise InvalidInput("须填写调解笔录。", fields={"minutes": ["须填写调解笔录。"]})
    strangers = [
        str(user)
        for user in mediators or []
        if user.pk not in {case.assignee_id, actor.pk} and not can_mediate(user, case.holder)
    ]
    if strangers:
        raise InvalidInput(
            "调解员须为承办单位的调解员。",
            fields={"mediators": [f"不是{case.holder.name}的调解员：{'、'.join(strangers)}"]},
        )
    session = MediationSession.objects.create(
        case=case,
        held_at=held_at,
        place=place.strip(),
        attendees=attendees.strip(),
        minutes=minutes.strip(),
        recorded_by=actor,
        created_at=at,
    )
    session.mediators.set(mediators or [case.assignee or actor])
    if case.status == Status.ASSIGNED:
        case_respond(actor=actor, case_id=case.id, note=f"首次调解：{session.place}", at=at)
        case.refresh_from_db()
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"记录调解：{session.place}",
        data={"record": "session", "id": session.id},
    )
    return session


@transaction.atomic
def consultation_ask(
    *,
    actor: User,
    case_id: int,
    consultant_kind: str,
    consultant_name: str,
    question: str,
    due_at: datetime,
    consultant_org: str = "",
    consultant: User | None = None,
    member: int | None = None,
    at: datetime | None = None,
) -> Consultation:
    """Ask one of the village's 三官一律 (police officer, judge, prosecutor, lawyer) for an
    opinion by `due_at`: a person of the county's agencies (`member`, DESIGN.md §15; a police
    consultation defaults to the village's police officer); a free-text name is still read."""
    at = _now(at)
    case = _case_for(actor, case_id, "consultation")
    if due_at <= at:
        raise InvalidInput("答复期限须晚于现在。", fields={"due_at": ["答复期限须晚于现在。"]})
    picked = consultant_pick(case, consultant_kind, member, named=bool(consultant_name.strip()))
    if picked is not None:
        consultant, consultant_name, consultant_org = picked
    case_dates.not_after(
        due_at,
        at + timedelta(days=CONSULTATION_MAX_DAYS),
        field="due_at",
        message=f"答复期限不能超过{CONSULTATION_MAX_DAYS}日。",
    )
    consultation = Consultation.objects.create(
        case=case,
        consultant_kind=consultant_kind,
        consultant_name=consultant_name.strip(),
        consultant_org=consultant_org.strip(),
        consultant=consultant,
        question=question.strip(),
        asked_by=actor,
        asked_at=at,
        due_at=due_at,
    )
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"征询{consultation.get_consultant_kind_display()}{consultation.consultant_name}意见",
        data={"record": "consultation", "id": consultation.id, "due_at": due_at.isoformat()},
    )
    if consultant is not None and consultant.pk != actor.pk:
        from notifications.choices import NotificationKind
        from notifications.services import notify

        notify(
            users=[consultant.pk],
            kind=NotificationKind.INFO,
            title=f"征询意见：{case.number}",
            body=f"「{case.title}」征询您的意见，请于{timezone.localtime(due_at):%m-%d %H:%M}前答复。",
            case=case,
            now=at,
        )
    return consultation


# Which agencies' people answer for each of the 三官一律.
CONSULTANT_AGENCIES = {
    "police": ("police",),
    "judge": ("court", "tribunal"),
    "prosecutor": ("procuratorate",),
    "lawyer": ("law_firm",),
}


def consultant_pick(case, kind: str, member_id, *, named: bool):
    """(user, name, organisation) of the consultant: the agency person `member_id` of the
    case's county whose agency fits `kind`; with none, the village's police officer for a
    police consultation; None when a legacy free-text name is given instead. 400 otherwise."""
    from accounts.agencies import AgencyMember, PoliceBeat

    def invalid(message):
        return InvalidInput(message, fields={"member": [message]})

    if member_id not in (None, ""):
        try:
            member_id = int(member_id)
        except (TypeError, ValueError):
            raise invalid("咨询对象无效。")
        member = (
            AgencyMember.objects.select_related("agency", "user")
            .filter(pk=member_id, agency__active=True, agency__county_id=case.county_id)
            .first()
            if 0 < member_id < 2**63
            else None
        )
        if member is None:
            raise invalid("咨询对象不存在或不在本县。")
        if member.agency.kind not in CONSULTANT_AGENCIES.get(kind, ()):
            raise invalid("咨询对象的单位与咨询类型不符。")
        return member.user, str(member.user)[:50], member.agency.name[:100]
    if kind == "police" and not named:
        beat = (
            PoliceBeat.objects.select_related("member__agency", "member__user")
            .filter(village_id=case.village_id, member__agency__active=True)
            .first()
        )
        if beat is not None:
            return beat.member.user, str(beat.member.user)[:50], beat.member.agency.name[:100]
    if not named:
        raise invalid("请从联动单位人员中选择咨询对象。")
    return None


@transaction.atomic
def consultation_answer(
    *,
    actor: User,
    case_id: int,
    consultation_id: int,
    answer: str,
    at: datetime | None = None,
) -> Consultation:
    """Record the consultant's opinion (the consultant, or a handler of the case); an
    answered consultation leaves the sweep's watch."""
    at = _now(at)
    case = access_case(actor, case_id, lock=True)
    consultation = (
        Consultation.objects.select_for_update().filter(case=case, pk=consultation_id).first()
    )
    if consultation is None:
        raise Http404("咨询不存在。")
    CasePolicy(actor, case).require("answer", consultant_id=consultation.consultant_id)
    if consultation.answered_at is not None:
        raise Conflict("该咨询已答复。", answered_at=consultation.answered_at.isoformat())
    if not (answer or "").strip():
        raise InvalidInput("须填写答复意见。", fields={"answer": ["须填写答复意见。"]})
    consultation.answer = answer.strip()
    consultation.answered_at = at
    consultation.save(update_fields=["answer", "answered_at"])
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note="记录三官一律答复意见",
        data={"record": "consultation_answer", "id": consultation.id},
    )
    return consultation


# ---------------------------------------------------------------- judicial confirmation


def _confirmation_for_update(case) -> JudicialConfirmation:
    confirmation = JudicialConfirmation.objects.select_for_update().filter(case=case).first()
    if confirmation is None:
        raise Conflict("调解协议尚未生效，不能申请司法确认。", status="none")
    return confirmation


def _confirmation_event(case, actor, at, confirmation, note):
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=note,
        data={"record": "confirmation", "id": confirmation.id, "status": confirmation.status},
    )


@transaction.atomic
def confirmation_apply(
    *,
    actor: User,
    case_id: int,
    court: str,
    applied_on: date,
    applicants: list | None = None,
    at: datetime | None = None,
) -> JudicialConfirmation:
    """Record that the parties applied jointly (every party of the case, art. 33) to a court
    for judicial confirmation, within 30 days of the agreement taking effect."""
    at = _now(at)
    case = _case_for(actor, case_id, "confirmation")
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.OPEN:
        raise Conflict("司法确认已处理。", status=confirmation.status)
    last_day = confirmation.opened_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)
    errors = {}
    if not (court or "").strip():
        errors["court"] = ["须填写受理法院。"]
    if applied_on < confirmation.opened_on or applied_on > timezone.localdate(at):
        errors["applied_on"] = [f"须在协议生效之日（{confirmation.opened_on}）之后、今天之前。"]
    elif applied_on > last_day:
        errors["applied_on"] = [f"须在协议生效之日起三十日内（{last_day} 前）申请。"]
    parties = {p.pk: p.name for p in Party.objects.filter(case=case).order_by("role", "id")}
    chosen = {int(pid) for pid in applicants or []}
    strangers = chosen - set(parties)
    absent = [name for pid, name in parties.items() if pid not in chosen]
    if strangers:
        errors["applicants"] = ["申请人须为本案当事人。"]
    elif absent:
        errors["applicants"] = [f"司法确认须由双方当事人共同申请，缺少：{'、'.join(absent)}。"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first if len(errors) == 1 else "司法确认申请不完整。", fields=errors)
    confirmation.status = ConfirmationStatus.APPLIED
    confirmation.court = court.strip()
    confirmation.applicants = sorted(chosen)
    confirmation.applied_on = applied_on
    confirmation.updated_at = at
    confirmation.save()
    _confirmation_event(
        case,
        actor,
        at,
        confirmation,
        f"{'、'.join(parties.values())}共同申请司法确认：{confirmation.court}",
    )
    return confirmation


@transaction.atomic
def confirmation_result(
    *,
    actor: User,
    case_id: int,
    result: str,
    result_on: date,
    ruling_number: str = "",
    route: str = "",
    note: str = "",
    at: datetime | None = None,
) -> JudicialConfirmation:
    """Record the court's decision: the agreement confirmed valid (the case notes it), or the
    application rejected, and then what follows (art. 33): mediation again (`reopen`) or the
    parties go to court (`litigation`: the case is concluded as referred)."""
    from cases.services import case_close, case_reopen

    at = _now(at)
    case = _case_for(actor, case_id, "confirmation")
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.APPLIED:
        raise Conflict("尚未申请司法确认或已记录结果。", status=confirmation.status)
    errors = {}
    if result not in {ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED}:
        errors["result"] = ["须为 confirmed 或 rejected。"]
    if result_on < confirmation.applied_on or result_on > timezone.localdate(at):
        errors["result_on"] = [f"须在申请之日（{confirmation.applied_on}）之后、今天之前。"]
    if result == ConfirmationStatus.REJECTED and route not in RejectionRoute.values:
        errors["route"] = ["法院驳回申请的，须选择重新调解或引导当事人向人民法院起诉。"]
    if result == ConfirmationStatus.CONFIRMED and route:
        errors["route"] = ["确认有效的协议无需选择后续处理。"]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first if len(errors) == 1 else "司法确认结果无效。", fields=errors)
    if route == RejectionRoute.REOPEN and case.status != Status.RESOLVED:
        raise Conflict("案件已结案，不能重新调解；请引导当事人向人民法院起诉。", status=case.status)
    confirmation.status = result
    confirmation.result_on = result_on
    confirmation.ruling_number = ruling_number.strip()
    confirmation.route = route
    confirmation.note = note.strip()
    confirmation.updated_at = at
    confirmation.save()
    label = confirmation.get_status_display()
    if route:
        label += f"，{confirmation.get_route_display()}"
    _confirmation_event(case, actor, at, confirmation, f"司法确认结果：{label}")
    reason = "人民法院驳回司法确认申请" + (f"（{ruling_number.strip()}）" if ruling_number else "")
    if route == RejectionRoute.REOPEN:
        case_reopen(actor=actor, case_id=case.pk, reason=f"{reason}，重新调解。", at=at)
    elif route == RejectionRoute.LITIGATION and case.status == Status.RESOLVED:
        case_reopen(actor=actor, case_id=case.pk, reason=f"{reason}。", at=at)
        case_close(
            actor=actor,
            case_id=case.pk,
            outcome=Outcome.REFERRED,
            note=f"{reason}，已告知当事人可以向人民法院提起诉讼。",
            at=at,
        )
    return confirmation


@transaction.atomic
def agreement_route(
    *, actor: User, case_id: int, route: str, note: str = "", at: datetime | None = None
) -> Case:
    """The follow-up found the agreement not performed and the parties go elsewhere (art. 31,
    32): to court or to arbitration; mediation ends and the case is concluded as referred.
    (Mediation again is `reopen`.)"""
    from cases.services import case_close, case_reopen

    at = _now(at)
    case = _case_for(actor, case_id, "route")
    last = FollowUp.objects.filter(case=case).order_by("-performed_on", "-id").first()
    if last is None or last.performed:
        raise Conflict("只有回访发现协议未履行时才能引导诉讼或仲裁。", status=case.status)
    if route not in PerformanceRoute.values:
        message = "须选择引导向人民法院起诉或申请仲裁。"
        raise InvalidInput(message, fields={"route": [message]})
    label = PerformanceRoute(route).label
    extra = f"：{note.strip()}" if (note or "").strip() else ""
    case_reopen(actor=actor, case_id=case.pk, reason=f"协议未履行，{label}。", at=at)
    return case_close(
        actor=actor,
        case_id=case.pk,
        outcome=Outcome.REFERRED,
        note=f"协议未履行，{label}{extra}",
        at=at,
    )


@transaction.atomic
def confirmation_decline(
    *, actor: User, case_id: int, note: str = "", at: datetime | None = None
) -> JudicialConfirmation:
    """Record that the parties chose not to apply: the window's clock stops."""
    at = _now(at)
    case = _case_for(actor, case_id, "confirmation")
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.OPEN:
        raise Conflict("司法确认已处理。", status=confirmation.status)
    confirmation.status = ConfirmationStatus.DECLINED
    confirmation.note = note.strip()
    confirmation.updated_at = at
    confirmation.save()
    _confirmation_event(case, actor, at, confirmation, "当事人不申请司法确认")
    return confirmation


# ---------------------------------------------------------------- follow-ups and the file


@transaction.atomic
def follow_up_record(
    *,
    actor: User,
    case_id: int,
    method: str,
    performed: bool,
    satisfaction: str,
    performed_on: date,
    remaining_risk: str = RemainingRisk.NONE,
    note: str = "",
    at: datetime | None = None,
) -> FollowUp:
    """Record a follow-up (回访, art. 31) of a case whose agreement is in effect, on the day the
    user says it took place: not before the agreement took effect, not before its performance
    date (the first follow-up is scheduled then), not in the future."""
    from .agreements import missing_marks

    at = _now(at)
    case = _case_for(actor, case_id, "follow_up")
    agreement = Agreement.objects.filter(case=case).first()
    if agreement is None:
        raise Conflict("案件没有调解协议，无需回访。", status=case.status)
    if agreement.effective_on is None:
        raise Conflict(
            f"调解协议尚未生效（待{'、'.join(missing_marks(agreement))}），不能回访。",
            code="agreement_not_effective",
            status=case.status,
        )
    today = timezone.localdate(at)
    if performed_on is None:
        raise InvalidInput("请填写回访日期。", fields={"performed_on": ["请填写回访日期。"]})
    if performed_on > today:
        raise InvalidInput("回访日期无效。", fields={"performed_on": ["回访日期不能晚于今天。"]})
    if performed_on < agreement.effective_on:
        message = f"回访日期不能早于调解协议生效日期（{agreement.effective_on}）。"
        raise InvalidInput(message, fields={"performed_on": [message]})
    if agreement.perform_by is not None and performed_on < agreement.perform_by:
        message = f"协议履行期限为 {agreement.perform_by}，回访日期不能早于履行期限。"
        raise InvalidInput(message, fields={"performed_on": [message]})
    case_dates.happened_on(case, performed_on, field="performed_on", label="回访日期", now=at)
    follow_up = FollowUp.objects.create(
        case=case,
        method=method,
        performed=performed,
        satisfaction=satisfaction,
        remaining_risk=remaining_risk,
        note=note.strip(),
        performed_on=performed_on,
        recorded_by=actor,
        created_at=at,
    )
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note="回访：" + ("协议已履行" if performed else "协议未履行"),
        data={
            "record": "follow_up",
            "id": follow_up.id,
            "performed": performed,
            "satisfaction": satisfaction,
        },
    )
    return follow_up


@transaction.atomic
def document_record(
    *,
    actor: User,
    case_id: int,
    kind: str,
    attachment_id: int | None = None,
    note: str = "",
    at: datetime | None = None,
) -> FileDocument:
    """Put a paper into the case file (告知书, 身份证明, 司法确认材料…)."""
    at = _now(at)
    case = _case_for(actor, case_id, "document")
    attachment = None
    if attachment_id is not None:
        attachment = Attachment.objects.filter(pk=attachment_id, case=case).first()
        if attachment is None:
            raise InvalidInput("附件不属于本案。", fields={"attachment": ["附件不属于本案。"]})
    document = FileDocument.objects.create(
        case=case,
        kind=kind,
        attachment=attachment,
        note=note.strip(),
        recorded_by=actor,
        recorded_at=at,
    )
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"归档：{document.get_kind_display()}",
        data={"record": "document", "id": document.id, "kind": kind},
    )
    return document


# ---------------------------------------------------------------- rewards


def reward_rate_for(
    *, difficulty: str, category: str, level: str, county_id: int | None = None
) -> RewardRate | None:
    """The most specific active line of the county's schedule (or the default schedule when the
    county has none of its own): category and level beat either, either beats the plain line."""
    own = county_id is not None and RewardRate.objects.filter(county_id=county_id).exists()
    candidates = RewardRate.objects.filter(
        county_id=county_id if own else None,
        active=True,
        difficulty=difficulty,
        category__in=[category, ""],
        level__in=[level, ""],
    )
    ranked = sorted(candidates, key=lambda r: (r.category == "", r.level == "", r.id))
    return ranked[0] if ranked else None


@transaction.atomic
def reward_claim(
    *, actor: User, case_id: int, difficulty: str, at: datetime | None = None
) -> Reward:
    """Grant the 以奖代补 award for a concluded case whose file is complete."""
    from .selectors import case_file, committee_of

    at = _now(at)
    case = _case_for(actor, case_id, "reward")
    if case.concluded_at is None or case.outcome in {Outcome.WITHDRAWN, Outcome.REJECTED}:
        raise InvalidInput(
            "案件尚未办结，不能申报以奖代补。",
            fields={"case": ["案件尚未办结（调解成功或调解终结）。"]},
        )
    if Reward.objects.filter(case=case).exists():
        raise Conflict("该案件已申报以奖代补。", status=case.status)
    if case.assignee_id is None:
        raise InvalidInput("案件没有承办调解员。", fields={"case": ["案件没有承办调解员。"]})
    file = case_file(case)
    if not file.complete:
        raise InvalidInput(
            "卷宗材料不全，不能申报以奖代补。",
            fields={
                "file": [
                    f"缺少{item.label}" + (f"（{item.detail}）" if item.detail else "")
                    for item in file.missing
                ]
            },
            missing=[item.key for item in file.missing],
            code="file_incomplete",
        )
    rate = reward_rate_for(
        difficulty=difficulty, category=case.category, level=case.level, county_id=case.county_id
    )
    if rate is None:
        raise InvalidInput("没有适用的补贴标准。", fields={"difficulty": ["没有适用的补贴标准。"]})
    try:
        with transaction.atomic():
            reward = Reward.objects.create(
                case=case,
                mediator_id=case.assignee_id,
                committee=committee_of(case.assignee, case.holder),
                difficulty=difficulty,
                rate=rate,
                amount=Decimal(rate.amount),
                month=timezone.localdate(at).replace(day=1),
                claimed_by=actor,
                claimed_at=at,
                province_id=case.province_id,
                city_id=case.city_id,
                county_id=case.county_id,
                town_id=case.town_id,
                village_id=case.village_id,
            )
    except IntegrityError:
        raise Conflict("该案件已申报以奖代补。", status=case.status)
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"以奖代补：{reward.amount} 元",
        data={"record": "reward", "id": reward.id, "amount": str(reward.amount)},
    )
    return reward


# ---------------------------------------------------------------- inspection reports


@transaction.atomic
def inspection_file(
    *,
    grid,
    actor,
    period: date,
    zero: bool,
    cases: list | None = None,
    note: str = "",
    at: datetime | None = None,
) -> InspectionReport:
    """File a grid's inspection report for a month: the disputes found, or a zero report."""
    from accounts.selectors import scope_for

    at = _now(at)
    scope = scope_for(actor)
    if grid.level != AreaLevel.GRID:
        raise InvalidInput("须选择网格。", fields={"grid": ["须选择网格。"]})
    if not scope.covers(grid, RoleKind.GRID_WORKER, RoleKind.OFFICER, RoleKind.MEDIATOR):
        raise NotAllowed("只有本网格的网格员或上级工作人员可以上报。")
    period = period.replace(day=1)
    if period > timezone.localdate(at):
        raise InvalidInput("排查月份无效。", fields={"period": ["不能上报未来月份。"]})
    cases = list(cases or [])
    if zero and cases:
        raise InvalidInput("零上报不能关联纠纷。", fields={"cases": ["零上报不能关联纠纷。"]})
    if not zero and not cases:
        raise InvalidInput(
            "非零上报须关联排查发现的纠纷。", fields={"cases": ["请关联纠纷，或选择零上报。"]}
        )
    outside = [c.number for c in cases if c.grid_id != grid.id]
    if outside:
        raise InvalidInput(
            "纠纷不在本网格。", fields={"cases": [f"不在本网格：{'、'.join(outside)}"]}
        )
    ids = grid.ancestor_ids_by_level()
    if InspectionReport.objects.filter(grid=grid, period=period).exists():
        raise Conflict(f"{grid.name} {period:%Y-%m} 已上报。", status="filed")
    try:
        with transaction.atomic():
            report = InspectionReport.objects.create(
                grid=grid,
                period=period,
                zero=zero,
                note=note.strip(),
                reporter=actor,
                submitted_at=at,
                province_id=ids["province"],
                city_id=ids["city"],
                county_id=ids["county"],
                town_id=ids["town"],
                village_id=ids["village"],
            )
    except IntegrityError:
        raise Conflict(f"{grid.name} {period:%Y-%m} 已上报。", status="filed")
    report.cases.set(cases)
    return report


# ---------------------------------------------------------------- committees


def _audit_committee(*, actor, what, area, target, data):
    """The audit row of a committee or member change (accounts sits below mediation)."""
    from accounts.audit import audit_record
    from accounts.models import AuditEntry

    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.COMMITTEE,
        what=what,
        area=area,
        target=target,
        data=data,
    )


def _check_manages(actor, area):
    """Committees are managed by the admins and officers of the area or above."""
    from accounts.selectors import scope_for

    if not scope_for(actor).covers(area, "admin", "officer"):
        raise NotAllowed("只有本级及上级的管理员或工作人员可以管理调解组织。")


@transaction.atomic
def committee_create(*, actor, name: str, kind: str, area, **fields) -> Committee:
    """Set up a committee or studio at an area."""
    from accounts.audit import snapshot

    _check_manages(actor, area)
    if area.level == "grid":
        raise InvalidInput("调解组织须设在村、乡镇或县级。", fields={"area": ["不能设在网格。"]})
    parent = fields.get("parent")
    if parent is not None and not area.is_under(parent.area):
        raise InvalidInput("所属调委会须在同一或上级区划。", fields={"parent": ["区划不符。"]})
    if Committee.objects.filter(area=area, name=name.strip()).exists():
        raise InvalidInput("同一区划已有同名调解组织。", fields={"name": ["名称重复。"]})
    committee = Committee.objects.create(name=name.strip(), kind=kind, area=area, **fields)
    _audit_committee(
        actor=actor,
        what=f"新建调解组织 {committee.name}",
        area=area,
        target=committee,
        data={"after": snapshot(committee)},
    )
    return committee


@transaction.atomic
def committee_update(*, committee: Committee, actor, **fields) -> Committee:
    """Change a committee's name, contacts, field or whether it is active."""
    from accounts.audit import changes, snapshot

    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    _check_manages(actor, committee.area)
    before = snapshot(committee)
    for name, value in fields.items():
        setattr(committee, name, value)
    committee.save()
    changed = changes(before, snapshot(committee))
    if changed:
        _audit_committee(
            actor=actor,
            what=f"修改调解组织 {committee.name}",
            area=committee.area,
            target=committee,
            data={"changes": changed},
        )
    return committee


@transaction.atomic
def member_save(*, committee: Committee, actor, user, **fields):
    """Add a mediator to a committee, or update their membership."""
    from accounts.audit import changes, snapshot

    from .models import MediatorProfile

    _check_manages(actor, committee.area)
    existing = (
        MediatorProfile.objects.select_for_update().filter(committee=committee, user=user).first()
    )
    before = snapshot(existing) if existing is not None else {}
    profile, created = MediatorProfile.objects.update_or_create(
        committee=committee, user=user, defaults=fields
    )
    changed = changes(before, snapshot(profile))
    if created or changed:
        _audit_committee(
            actor=actor,
            what=f"{'添加' if created else '修改'}调解员 {user} · {committee.name}",
            area=committee.area,
            target=profile,
            data={"user": user.pk, "committee": committee.pk, "changes": changed},
        )
    return profile
