"""The agreement (调解协议) and its judicial confirmation window: what a case needs to be
resolved, shared by the lifecycle's `case_resolve` (through cases/records.py) and the record
services. A leaf: it imports models, choices and errors only, never a service module.

`agreement_record` writes inside the caller's transaction: it neither locks the case nor writes
case events (the caller does both)."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import Case, Party
from config.errors import InvalidInput

from .choices import AgreementForm, ConfirmationStatus
from .models import Agreement, Committee, FollowUp, JudicialConfirmation

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


def _agreement_number(case, committee, today: date) -> str:
    issuer = committee.name if committee else case.holder.name
    year = today.year
    serial = case.number.rsplit("-", 1)[-1]
    return f"{issuer}调字〔{year}〕第{serial}号"


# ---------------------------------------------------------------- the agreement


def agreement_record(
    *,
    case: Case,
    actor,
    at: datetime,
    form: str | None,
    terms: str | None,
    perform_by: date | None = None,
    **details,
) -> Agreement:
    """Create or replace the case's agreement (inside the caller's transaction, the case
    locked by it). Fields left out keep the values of an earlier draft; changing the content
    voids the signatures recorded so far."""
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

        today = timezone.localdate(at)
        if agreement is None:
            agreement = Agreement(
                case=case,
                number=_agreement_number(case, committee, today),
                reached_on=today,
                recorded_by=actor,
                created_at=at,
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
        agreement.effective_on = effective_on(agreement)
        agreement.updated_at = at
        agreement.save()
        sync_confirmation_clock(agreement, at=at)
    return agreement


def effective_on(agreement: Agreement) -> date | None:
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


def sync_confirmation_clock(agreement: Agreement, *, at: datetime):
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
        JudicialConfirmation.objects.create(
            case_id=agreement.case_id, agreement=agreement, updated_at=at, **clock
        )
    elif existing.status == ConfirmationStatus.OPEN:
        for name, value in clock.items():
            setattr(existing, name, value)
        existing.updated_at = at
        existing.save()


def missing_marks(agreement: Agreement) -> list[str]:
    """What a written agreement still lacks to take effect (art. 29), in signing order:
    each party's signature, the mediator's, the committee's seal; [] once it is in effect."""
    if agreement.form != AgreementForm.WRITTEN or agreement.effective_on is not None:
        return []
    signed = set(agreement.signatures.values_list("party_id", flat=True))
    parties = Party.objects.filter(case_id=agreement.case_id).order_by("role", "id")
    missing = [f"{party.name}签字" for party in parties if party.pk not in signed]
    if agreement.mediator_signed_on is None:
        missing.append("调解员签字")
    if agreement.sealed_on is None:
        missing.append("调委会盖章")
    return missing


def close_blocker(case) -> tuple[str, str] | None:
    """Why a resolved case may not be closed with its agreement yet (code, Chinese reason):
    the agreement not in effect (art. 28–30), no follow-up, or the last follow-up found it
    not performed (art. 31: reopen or route instead); None when it may."""
    agreement = Agreement.objects.filter(case=case).first()
    if agreement is None:
        return "agreement_missing", "案件没有调解协议，不能以「达成协议」结案。"
    if agreement.effective_on is None:
        missing = "、".join(missing_marks(agreement))
        return (
            "agreement_not_effective",
            f"调解协议尚未生效（待{missing}），不能以「达成协议」结案。",
        )
    last = FollowUp.objects.filter(case=case).order_by("-performed_on", "-id").first()
    if last is None:
        return "follow_up_required", "结案前须完成回访。"
    if not last.performed:
        return (
            "agreement_not_performed",
            "回访发现协议未履行：请重新调解，或引导当事人向人民法院起诉、申请仲裁。",
        )
    return None


def has_follow_up(case) -> bool:
    """True when at least one follow-up (回访) was recorded for the case."""
    return FollowUp.objects.filter(case=case).exists()
