"""Writes to the mediation records: one keyword-only, typed, atomic function per action."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.choices import EventKind, Outcome
from cases.models import Case, CaseEvent, Party
from config.errors import Conflict, InvalidInput, NotAllowed

from .choices import AgreementForm, ConfirmationStatus
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

CONFIRMATION_WINDOW_DAYS = 30
CONFIRMATION_REMIND_DAY = 20

# Fields of a written agreement (人民调解法 art. 29) and the message when one is missing.
WRITTEN_REQUIRED = {
    "parties": "书面协议须载明各方当事人的基本情况（案件至少需要两方当事人）。",
    "facts": "书面协议须载明纠纷的主要事实和争议事项。",
    "responsibilities": "书面协议须载明各方当事人的责任。",
    "terms": "书面协议须载明达成的协议内容。",
    "performance_method": "书面协议须载明协议的履行方式。",
    "perform_by": "书面协议须载明履行期限。",
}
AGREEMENT_DETAILS = {"facts", "responsibilities", "performance_method", "mediator", "committee"}
AGREEMENT_CONTENT = [
    "form",
    "facts",
    "responsibilities",
    "terms",
    "performance_method",
    "perform_by",
]


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _record_event(*, case, actor, note, data):
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        from_status=case.status,
        to_status=case.status,
        from_level=case.level,
        to_level=case.level,
        note=note,
        data=data,
        created_at=timezone.now(),
    )


def _agreement_number(case, committee) -> str:
    issuer = committee.name if committee else case.holder.name
    year = timezone.localdate().year
    serial = case.number.rsplit("-", 1)[-1]
    return f"{issuer}调字〔{year}〕第{serial}号"


# ---------------------------------------------------------------- the agreement


def agreement_record(
    *,
    case: Case,
    actor,
    form: str | None,
    terms: str | None,
    perform_by: date | None = None,
    **details,
) -> Agreement:
    """Create or replace the case's agreement (called inside `case_resolve`'s transaction:
    it neither locks the case nor writes case events). Fields left out keep the values of an
    earlier draft; changing the content voids the signatures recorded so far."""
    unknown = set(details) - AGREEMENT_DETAILS
    if unknown:
        raise InvalidInput(
            "调解协议含有未知字段。", fields={name: ["未知字段。"] for name in sorted(unknown)}
        )
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().filter(case=case).first()
        # Resolving a case whose agreement was drafted beforehand may leave form/terms out.
        if not form and agreement is not None:
            form = agreement.form
        if form not in AgreementForm.values:
            raise InvalidInput("协议形式无效。", fields={"form": ["须为 written 或 oral。"]})
        terms = (terms or "").strip() or (agreement.terms if agreement else "")
        values = {
            "form": form,
            "terms": terms,
            "perform_by": perform_by,
        }
        for name in ("facts", "responsibilities", "performance_method"):
            if name in details and details[name] is not None:
                values[name] = str(details[name]).strip()
            else:
                values[name] = getattr(agreement, name, "") if agreement else ""
        if perform_by is None and agreement is not None:
            values["perform_by"] = agreement.perform_by
        mediator = details.get("mediator") or (agreement.mediator if agreement else None)
        mediator = mediator or case.assignee or actor
        committee = details.get("committee") or (agreement.committee if agreement else None)
        if committee is not None and not isinstance(committee, Committee):
            committee = Committee.objects.filter(pk=committee).first()

        missing = {}
        if not values["terms"]:
            missing["terms"] = [
                WRITTEN_REQUIRED["terms"]
                if form == AgreementForm.WRITTEN
                else "口头协议须记录协议内容。"
            ]
        if form == AgreementForm.WRITTEN:
            if case.parties.count() < 2:
                missing["parties"] = [WRITTEN_REQUIRED["parties"]]
            for name in ("facts", "responsibilities", "performance_method", "perform_by"):
                if not values[name]:
                    missing[name] = [WRITTEN_REQUIRED[name]]
        if missing:
            raise InvalidInput("调解协议内容不完整。", fields=missing, code="agreement_incomplete")

        today = timezone.localdate()
        if agreement is None:
            agreement = Agreement(
                case=case,
                number=_agreement_number(case, committee),
                reached_on=today,
                recorded_by=actor,
            )
            changed = True
        else:
            changed = any(getattr(agreement, name) != values[name] for name in AGREEMENT_CONTENT)
        for name, value in values.items():
            setattr(agreement, name, value)
        agreement.mediator = mediator
        agreement.committee = committee
        if changed and agreement.pk is not None:
            # The parties signed another text: the new one must be signed again.
            agreement.signatures.all().delete()
            agreement.mediator_signed_on = None
            agreement.sealed_on = None
            agreement.reached_on = today
        agreement.effective_on = _effective_on(agreement)
        agreement.save()
        _sync_confirmation_clock(agreement)
    return agreement


def _effective_on(agreement: Agreement) -> date | None:
    """An oral agreement is effective when reached (art. 30); a written one when every party
    and the mediator have signed and the committee has sealed (art. 29)."""
    if agreement.form == AgreementForm.ORAL:
        return agreement.reached_on
    if agreement.pk is None or agreement.mediator_signed_on is None or agreement.sealed_on is None:
        return None
    party_ids = set(Party.objects.filter(case_id=agreement.case_id).values_list("id", flat=True))
    signed = dict(agreement.signatures.values_list("party_id", "signed_on"))
    if not party_ids or party_ids - set(signed):
        return None
    return max([*signed.values(), agreement.mediator_signed_on, agreement.sealed_on])


def _sync_confirmation_clock(agreement: Agreement):
    """Open (or move) the 30-day judicial confirmation window when the agreement is effective;
    drop an unused window when it no longer is."""
    existing = JudicialConfirmation.objects.filter(agreement=agreement).first()
    if agreement.effective_on is None:
        if existing is not None and existing.status == ConfirmationStatus.OPEN:
            existing.delete()
        return
    opened = agreement.effective_on
    clock = {
        "opened_on": opened,
        "remind_at": _local_midnight(opened + timedelta(days=CONFIRMATION_REMIND_DAY)),
        "due_at": _local_midnight(opened + timedelta(days=CONFIRMATION_WINDOW_DAYS + 1)),
    }
    if existing is None:
        JudicialConfirmation.objects.create(case_id=agreement.case_id, agreement=agreement, **clock)
    elif existing.status == ConfirmationStatus.OPEN:
        for name, value in clock.items():
            setattr(existing, name, value)
        existing.save()


@transaction.atomic
def agreement_save(
    *, case: Case, actor, form: str, terms: str, perform_by: date | None = None, **details
) -> Agreement:
    """Record or revise the agreement from the records page, with an event in the case log."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == "closed":
        raise Conflict("案件已办结，不能修改调解协议。", status=case.status)
    agreement = agreement_record(
        case=case, actor=actor, form=form, terms=terms, perform_by=perform_by, **details
    )
    _record_event(
        case=case,
        actor=actor,
        note="记录调解协议",
        data={"record": "agreement", "id": agreement.id, "form": agreement.form},
    )
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor,
    parties: dict | None = None,
    mediator_signed_on: date | None = None,
    sealed_on: date | None = None,
) -> Agreement:
    """Record signature dates ({party id: date}), the mediator's and the committee seal date;
    the agreement takes effect when all are there."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.form != AgreementForm.WRITTEN:
        raise Conflict("口头协议无需签名盖章。", form=agreement.form)
    today = timezone.localdate()
    dates = {"mediator_signed_on": mediator_signed_on, "sealed_on": sealed_on}
    dates.update({f"party:{pid}": day for pid, day in (parties or {}).items()})
    errors = {}
    for name, day in dates.items():
        if day is not None and (day < agreement.reached_on or day > today):
            errors[name] = ["日期须在协议达成之日与今天之间。"]
    valid_parties = set(
        Party.objects.filter(case_id=agreement.case_id).values_list("id", flat=True)
    )
    for pid in parties or {}:
        if int(pid) not in valid_parties:
            errors[f"party:{pid}"] = ["不是本案当事人。"]
    if errors:
        raise InvalidInput("签名日期无效。", fields=errors)
    for pid, day in (parties or {}).items():
        AgreementSignature.objects.update_or_create(
            agreement=agreement, party_id=int(pid), defaults={"signed_on": day}
        )
    if mediator_signed_on is not None:
        agreement.mediator_signed_on = mediator_signed_on
    if sealed_on is not None:
        agreement.sealed_on = sealed_on
    agreement.effective_on = _effective_on(agreement)
    agreement.save()
    _sync_confirmation_clock(agreement)
    _record_event(
        case=agreement.case,
        actor=actor,
        note="记录协议签名盖章" + ("，协议生效" if agreement.effective_on else ""),
        data={
            "record": "signature",
            "id": agreement.id,
            "effective_on": str(agreement.effective_on or ""),
        },
    )
    return agreement


# ---------------------------------------------------------------- sessions and consultations


def _respond(*, case, actor, note):
    try:
        from cases.services import case_respond
    except ImportError:  # the lifecycle is not installed: nothing to record
        return
    case_respond(actor=actor, case_id=case.id, note=note)
    case.refresh_from_db()


@transaction.atomic
def session_record(
    *,
    case: Case,
    actor,
    held_at: datetime,
    place: str,
    minutes: str,
    mediators: list | None = None,
    attendees: str = "",
) -> MediationSession:
    """Record a mediation session and its minutes (调解笔录)."""
    if case.status == "closed":
        raise Conflict("案件已办结，不能再记录调解。", status=case.status)
    if held_at > timezone.now() + timedelta(minutes=5):
        raise InvalidInput("调解时间不能晚于现在。", fields={"held_at": ["调解时间不能晚于现在。"]})
    if not (minutes or "").strip():
        raise InvalidInput("须填写调解笔录。", fields={"minutes": ["须填写调解笔录。"]})
    from .selectors import can_mediate

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
    )
    session.mediators.set(mediators or [case.assignee or actor])
    if case.status == "assigned":
        # The first session is the first contact with the parties: it records `respond`.
        _respond(case=case, actor=actor, note=f"首次调解：{session.place}")
    _record_event(
        case=case,
        actor=actor,
        note=f"记录调解：{session.place}",
        data={"record": "session", "id": session.id},
    )
    return session


@transaction.atomic
def consultation_ask(
    *,
    case: Case,
    actor,
    consultant_kind: str,
    consultant_name: str,
    question: str,
    due_at: datetime,
    consultant_org: str = "",
    consultant=None,
) -> Consultation:
    """Ask one of the village's 三官一律 (police officer, judge, prosecutor, lawyer) for an
    opinion by `due_at`."""
    if case.status == "closed":
        raise Conflict("案件已办结，不能再征询意见。", status=case.status)
    now = timezone.now()
    if due_at <= now:
        raise InvalidInput("答复期限须晚于现在。", fields={"due_at": ["答复期限须晚于现在。"]})
    consultation = Consultation.objects.create(
        case=case,
        consultant_kind=consultant_kind,
        consultant_name=consultant_name.strip(),
        consultant_org=consultant_org.strip(),
        consultant=consultant,
        question=question.strip(),
        asked_by=actor,
        asked_at=now,
        due_at=due_at,
    )
    _record_event(
        case=case,
        actor=actor,
        note=f"征询{consultation.get_consultant_kind_display()}{consultation.consultant_name}意见",
        data={"record": "consultation", "id": consultation.id, "due_at": due_at.isoformat()},
    )
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, actor, answer: str) -> Consultation:
    """Record the consultant's opinion; an answered consultation leaves the sweep's watch."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.answered_at is not None:
        raise Conflict("该咨询已答复。", answered_at=consultation.answered_at.isoformat())
    if not (answer or "").strip():
        raise InvalidInput("须填写答复意见。", fields={"answer": ["须填写答复意见。"]})
    consultation.answer = answer.strip()
    consultation.answered_at = timezone.now()
    consultation.save(update_fields=["answer", "answered_at"])
    _record_event(
        case=consultation.case,
        actor=actor,
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


@transaction.atomic
def confirmation_apply(*, case: Case, actor, court: str, applied_on: date) -> JudicialConfirmation:
    """Record that the parties applied to a court for judicial confirmation (within 30 days
    of the agreement taking effect, art. 33)."""
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.OPEN:
        raise Conflict("司法确认已处理。", status=confirmation.status)
    last_day = confirmation.opened_on + timedelta(days=CONFIRMATION_WINDOW_DAYS)
    if applied_on < confirmation.opened_on or applied_on > timezone.localdate():
        raise InvalidInput(
            "申请日期无效。", fields={"applied_on": ["须在协议生效之后、今天之前。"]}
        )
    if applied_on > last_day:
        raise InvalidInput(
            "已超过司法确认申请期限。",
            fields={"applied_on": [f"须在协议生效之日起三十日内（{last_day} 前）申请。"]},
        )
    if not (court or "").strip():
        raise InvalidInput("须填写受理法院。", fields={"court": ["须填写受理法院。"]})
    confirmation.status = ConfirmationStatus.APPLIED
    confirmation.court = court.strip()
    confirmation.applied_on = applied_on
    confirmation.save()
    _record_event(
        case=case,
        actor=actor,
        note=f"申请司法确认：{confirmation.court}",
        data={"record": "confirmation", "id": confirmation.id, "status": confirmation.status},
    )
    return confirmation


@transaction.atomic
def confirmation_result(
    *, case: Case, actor, result: str, result_on: date, ruling_number: str = "", note: str = ""
) -> JudicialConfirmation:
    """Record the court's ruling: confirmed valid, or the application rejected."""
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.APPLIED:
        raise Conflict("尚未申请司法确认或已记录结果。", status=confirmation.status)
    if result not in {ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED}:
        raise InvalidInput("结果无效。", fields={"result": ["须为 confirmed 或 rejected。"]})
    if result_on < confirmation.applied_on or result_on > timezone.localdate():
        raise InvalidInput("裁定日期无效。", fields={"result_on": ["须在申请之后、今天之前。"]})
    confirmation.status = result
    confirmation.result_on = result_on
    confirmation.ruling_number = ruling_number.strip()
    confirmation.note = note.strip()
    confirmation.save()
    _record_event(
        case=case,
        actor=actor,
        note=f"司法确认结果：{confirmation.get_status_display()}",
        data={"record": "confirmation", "id": confirmation.id, "status": confirmation.status},
    )
    return confirmation


@transaction.atomic
def confirmation_decline(*, case: Case, actor, note: str = "") -> JudicialConfirmation:
    """Record that the parties chose not to apply: the window's clock stops."""
    confirmation = _confirmation_for_update(case)
    if confirmation.status != ConfirmationStatus.OPEN:
        raise Conflict("司法确认已处理。", status=confirmation.status)
    confirmation.status = ConfirmationStatus.DECLINED
    confirmation.note = note.strip()
    confirmation.save()
    _record_event(
        case=case,
        actor=actor,
        note="当事人不申请司法确认",
        data={"record": "confirmation", "id": confirmation.id, "status": confirmation.status},
    )
    return confirmation


# ---------------------------------------------------------------- follow-ups and the file


@transaction.atomic
def follow_up_record(
    *,
    case: Case,
    actor,
    method: str,
    performed: bool,
    satisfaction: str,
    remaining_risk: str = "none",
    note: str = "",
    performed_on: date | None = None,
) -> FollowUp:
    """Record a follow-up (回访) of a case with an agreement."""
    if not Agreement.objects.filter(case=case).exists():
        raise Conflict("案件没有调解协议，无需回访。", status=case.status)
    performed_on = performed_on or timezone.localdate()
    if performed_on > timezone.localdate():
        raise InvalidInput("回访日期无效。", fields={"performed_on": ["回访日期不能晚于今天。"]})
    follow_up = FollowUp.objects.create(
        case=case,
        method=method,
        performed=performed,
        satisfaction=satisfaction,
        remaining_risk=remaining_risk,
        note=note.strip(),
        performed_on=performed_on,
        recorded_by=actor,
    )
    _record_event(
        case=case,
        actor=actor,
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
    *, case: Case, actor, kind: str, attachment=None, note: str = ""
) -> FileDocument:
    """Put a paper into the case file (告知书, 身份证明, 司法确认材料…)."""
    if attachment is not None and attachment.case_id != case.id:
        raise InvalidInput("附件不属于本案。", fields={"attachment": ["附件不属于本案。"]})
    document = FileDocument.objects.create(
        case=case, kind=kind, attachment=attachment, note=note.strip(), recorded_by=actor
    )
    _record_event(
        case=case,
        actor=actor,
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
def reward_claim(*, case: Case, actor, difficulty: str) -> Reward:
    """Grant the 以奖代补 award for a concluded case whose file is complete."""
    from .selectors import case_file, committee_of

    case = Case.objects.select_for_update().select_related("holder").get(pk=case.pk)
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
    now = timezone.now()
    try:
        with transaction.atomic():
            reward = Reward.objects.create(
                case=case,
                mediator_id=case.assignee_id,
                committee=committee_of(case.assignee, case.holder),
                difficulty=difficulty,
                rate=rate,
                amount=Decimal(rate.amount),
                month=timezone.localdate(now).replace(day=1),
                claimed_by=actor,
                claimed_at=now,
                province_id=case.province_id,
                city_id=case.city_id,
                county_id=case.county_id,
                town_id=case.town_id,
                village_id=case.village_id,
            )
    except IntegrityError:
        raise Conflict("该案件已申报以奖代补。", status=case.status)
    _record_event(
        case=case,
        actor=actor,
        note=f"以奖代补：{reward.amount} 元",
        data={"record": "reward", "id": reward.id, "amount": str(reward.amount)},
    )
    return reward


# ---------------------------------------------------------------- inspection reports


@transaction.atomic
def inspection_file(
    *, grid, actor, period: date, zero: bool, cases: list | None = None, note: str = ""
) -> InspectionReport:
    """File a grid's inspection report for a month: the disputes found, or a zero report."""
    from accounts.selectors import scope_for

    scope = scope_for(actor)
    if grid.level != "grid":
        raise InvalidInput("须选择网格。", fields={"grid": ["须选择网格。"]})
    if not scope.covers(grid, "grid_worker", "officer", "mediator"):
        raise NotAllowed("只有本网格的网格员或上级工作人员可以上报。")
    period = period.replace(day=1)
    if period > timezone.localdate():
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
                submitted_at=timezone.now(),
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
