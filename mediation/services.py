"""Writes to the mediation records: one keyword-only, typed, atomic function per action."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cases.choices import EventKind
from cases.models import Case, CaseEvent, Party
from config.errors import Conflict, InvalidInput

from .choices import AgreementForm, ConfirmationStatus
from .models import (
    Agreement,
    AgreementSignature,
    Committee,
    JudicialConfirmation,
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
    *, case: Case, actor, form: str, terms: str, perform_by: date | None = None, **details
) -> Agreement:
    """Create or replace the case's agreement (called inside `case_resolve`'s transaction:
    it neither locks the case nor writes case events). Fields left out keep the values of an
    earlier draft; changing the content voids the signatures recorded so far."""
    unknown = set(details) - AGREEMENT_DETAILS
    if unknown:
        raise InvalidInput(
            "调解协议含有未知字段。", fields={name: ["未知字段。"] for name in sorted(unknown)}
        )
    if form not in AgreementForm.values:
        raise InvalidInput("协议形式无效。", fields={"form": ["须为 written 或 oral。"]})
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().filter(case=case).first()
        values = {
            "form": form,
            "terms": (terms or "").strip(),
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
