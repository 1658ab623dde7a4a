"""The agreement on the case page (人民调解法 art. 28–33): who has signed and what is missing,
signing on the phone's screen (a canvas, static/js/signature.js) or by photographing the
signed sheet, the committee's seal, the two printed copies, the judicial confirmation (joint
application, the court's decision) and the routes when the agreement is not performed.

Each POST runs the same service as the API; a refusal comes back as a message on the case
page. The panel is built by `agreement_panel`, which the case page calls once."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import services as case_services
from cases.models import Party
from cases.policy import CasePolicy, access_case
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error

from . import services
from .agreements import missing_marks
from .choices import AgreementForm, PerformanceRoute, RejectionRoute
from .models import Agreement, JudicialConfirmation
from .signatures import data_url

CONFIRMATION_STEPS = ("apply", "result", "decline")


@dataclass
class Signer:
    """One line of the signature list: a party or the mediator."""

    key: str  # "party:<id>" or "mediator"
    name: str
    role: str
    signed_on: date | None
    image: str = ""  # a data URL when signed on screen


@dataclass
class AgreementPanel:
    """What the case page shows and offers about the agreement."""

    agreement: Agreement
    signers: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    can_sign: bool = False
    can_seal: bool = False
    can_print_parties: bool = False
    confirmation: JudicialConfirmation | None = None
    confirmation_last_day: date | None = None
    can_confirm: bool = False
    parties: list = field(default_factory=list)
    can_route: bool = False
    routes: list = field(default_factory=list)
    rejection_routes: list = field(default_factory=list)
    today: date | None = None


def agreement_panel(user, case, allowed: set) -> AgreementPanel | None:
    """The agreement panel of the case page, or None when the case has no agreement."""
    agreement = (
        Agreement.objects.filter(case=case).select_related("mediator", "signed_sheet").first()
    )
    if agreement is None:
        return None
    policy = CasePolicy(user, case)
    parties = list(Party.objects.filter(case=case).order_by("role", "id"))
    written = agreement.form == AgreementForm.WRITTEN
    panel = AgreementPanel(agreement=agreement, parties=parties, today=timezone.localdate())
    if written:
        marks = {s.party_id: s for s in agreement.signatures.all()}
        for party in parties:
            mark = marks.get(party.pk)
            panel.signers.append(
                Signer(
                    f"party:{party.pk}",
                    party.name,
                    party.get_role_display(),
                    mark.signed_on if mark else None,
                    data_url(mark.image) if mark and mark.image else "",
                )
            )
        mediator = agreement.mediator or case.assignee
        panel.signers.append(
            Signer(
                "mediator",
                str(mediator) if mediator else "调解员",
                "人民调解员",
                agreement.mediator_signed_on,
                data_url(agreement.mediator_signature) if agreement.mediator_signature else "",
            )
        )
        panel.missing = missing_marks(agreement)
        open_to_sign = agreement.effective_on is None and policy.allows("sign")
        panel.can_sign = open_to_sign and any(s.signed_on is None for s in panel.signers)
        panel.can_seal = open_to_sign and agreement.sealed_on is None
        panel.can_print_parties = policy.allows("reveal")
    panel.confirmation = JudicialConfirmation.objects.filter(case=case).first()
    panel.can_confirm = panel.confirmation is not None and policy.allows("confirmation")
    if panel.confirmation is not None:
        due = timezone.localdate(panel.confirmation.due_at)
        panel.confirmation_last_day = due - timedelta(days=1)
    panel.can_route = "route" in allowed  # the page offers it after "not performed"
    panel.routes = PerformanceRoute.choices
    panel.rejection_routes = RejectionRoute.choices
    return panel


def _back(case):
    return redirect("web:case-detail", pk=case.pk)


def _date(value: str, field_name: str, label: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise InvalidInput(f"请填写{label}。", fields={field_name: [f"请填写{label}。"]})


def _run(request, case, work, done: str):
    try:
        work()
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, done)
    return _back(case)


@login_required
@require_POST
def sign_on_screen(request, pk):
    """One signature drawn on the phone's screen: a party's or the mediator's."""
    case = access_case(request.user, pk)
    signer = request.POST.get("signer", "")
    image = request.POST.get("image", "")

    def work():
        if not image:
            raise InvalidInput("请先在框内签名。", fields={"image": ["请先在框内签名。"]})
        if signer == "mediator":
            services.agreement_sign(actor=request.user, case_id=case.pk, mediator_image=image)
            return
        pid = signer.removeprefix("party:")
        if not signer.startswith("party:") or not pid.isdigit():
            raise InvalidInput("请选择签名人。", fields={"signer": ["请选择签名人。"]})
        services.agreement_sign(actor=request.user, case_id=case.pk, party_images={int(pid): image})

    return _run(request, case, work, "已记录签名。")


@login_required
@require_POST
def seal(request, pk):
    """The committee has sealed the agreement (on the date given)."""
    case = access_case(request.user, pk)

    def work():
        sealed_on = _date(request.POST.get("sealed_on"), "sealed_on", "盖章日期")
        services.agreement_sign(actor=request.user, case_id=case.pk, sealed_on=sealed_on)

    return _run(request, case, work, "已记录调委会盖章。")


@login_required
@require_POST
def signed_sheet(request, pk):
    """A photo of the sheet every party and the mediator signed (and, if ticked, the
    committee sealed), kept as an attachment of the agreement."""
    case = access_case(request.user, pk)

    def work():
        signed_on = _date(request.POST.get("signed_on"), "signed_on", "签字日期")
        upload = request.FILES.get("sheet")
        if upload is None:
            raise InvalidInput("请拍摄签字协议书。", fields={"sheet": ["请拍摄签字协议书。"]})
        with transaction.atomic():
            attachment = case_services.case_attach(actor=request.user, case_id=case.pk, file=upload)
            parties = Party.objects.filter(case=case).values_list("pk", flat=True)
            services.agreement_sign(
                actor=request.user,
                case_id=case.pk,
                parties=dict.fromkeys(parties, signed_on),
                mediator_signed_on=signed_on,
                sealed_on=signed_on if request.POST.get("sealed") == "1" else None,
                sheet_attachment_id=attachment.pk,
            )

    return _run(request, case, work, "已保存签字协议书照片并记录签名。")


@login_required
@require_POST
def confirmation(request, pk, step):
    """Judicial confirmation: the joint application, the court's decision, or declined."""
    case = access_case(request.user, pk)
    if step not in CONFIRMATION_STEPS:
        raise Http404
    post = request.POST

    def work():
        if step == "apply":
            services.confirmation_apply(
                actor=request.user,
                case_id=case.pk,
                court=post.get("court", "")[:100],
                applied_on=_date(post.get("applied_on"), "applied_on", "申请日期"),
                applicants=[int(v) for v in post.getlist("applicants") if v.isdigit()],
            )
        elif step == "result":
            services.confirmation_result(
                actor=request.user,
                case_id=case.pk,
                result=post.get("result", ""),
                result_on=_date(post.get("result_on"), "result_on", "裁定日期"),
                ruling_number=post.get("ruling_number", "")[:64],
                route=post.get("route", ""),
            )
        else:
            services.confirmation_decline(
                actor=request.user, case_id=case.pk, note=post.get("note", "")[:2000]
            )

    done = {
        "apply": "已记录司法确认申请。",
        "result": "已记录法院裁定。",
        "decline": "已记录当事人不申请司法确认。",
    }
    return _run(request, case, work, done[step])


@login_required
@require_POST
def performance_route(request, pk):
    """The agreement was not performed: the parties are guided to court or arbitration."""
    case = access_case(request.user, pk)

    def work():
        services.agreement_route(
            actor=request.user,
            case_id=case.pk,
            route=request.POST.get("route", ""),
            note=request.POST.get("note", "")[:2000],
        )

    return _run(request, case, work, "已引导当事人通过诉讼或仲裁解决，案件已办结。")
