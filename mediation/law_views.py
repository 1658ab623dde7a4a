"""The case page's law panel (人民调解法 art. 17, 23, 25, 27): the context it shows and the
posts it makes. Each post finds the case through `access_case` (out of scope: 404), runs the
same service as the API and comes back to the case page with the outcome."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cases import police
from cases.policy import CasePolicy, access_case
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error, form_errors_from

from .consent import consent_record, consents_of
from .law_forms import ConsentForm, PoliceReceiptForm, PoliceReportForm, RiskRaiseForm
from .selectors import case_file

LAW_ACTIONS = {"consent", "report_to_police", "police_receipt", "raise_risk"}
SLUGS = {
    "consent": "consent",
    "police-report": "report_to_police",
    "police-receipt": "police_receipt",
    "risk": "raise_risk",
}
DONE = {
    "raise_risk": "已升级风险等级。",
    "consent": "已记录当事人意愿与权利义务告知。",
    "report_to_police": "已记录报告公安机关。",
    "police_receipt": "已记录公安机关回执。",
}


def law_context(user, case, bound: dict | None = None) -> dict:
    """What the law panel shows: each party's consent and notice, the police report, the
    case file checklist, and the forms of the actions the policy allows now (`bound`: the
    form just posted with its errors, by action, shown in its place)."""
    bound = bound or {}
    allowed = CasePolicy(user, case).allowed_actions() & LAW_ACTIONS
    report = police.police_report_for(case)
    rows = consents_of(case)
    if "consent" in allowed:
        posted = bound.get("consent")
        for row in rows:
            auto_id = f"id_consent{row['party'].pk}_%s"
            if posted is not None and str(posted.data.get("party")) == str(row["party"].pk):
                posted.auto_id = auto_id
                row["form"] = posted
            else:
                row["form"] = ConsentForm(party=row["party"], auto_id=auto_id)
    can_report = "report_to_police" in allowed and (report is None or report.reported_at is None)
    can_receipt = (
        "police_receipt" in allowed
        and report is not None
        and report.reported_at is not None
        and not report.receipt_number
    )
    return {
        "law_allowed": allowed,
        "consents": rows,
        "police": report,
        "police_form": _shown(bound.get("report_to_police"), PoliceReportForm, "id_police_%s")
        if can_report
        else None,
        "receipt_form": _shown(bound.get("police_receipt"), PoliceReceiptForm, "id_receipt_%s")
        if can_receipt
        else None,
        "file": case_file(case),
        "risk_form": _shown(bound.get("raise_risk"), RiskRaiseForm, "id_risk_%s", case=case)
        if "raise_risk" in allowed and case.risk != "red"
        else None,
    }


def _shown(posted, form_class, auto_id, **kwargs):
    """The form just posted (with its errors), else a blank one (`kwargs`: the form's own)."""
    if posted is None:
        return form_class(auto_id=auto_id, **kwargs)
    posted.auto_id = auto_id
    return posted


def _with_errors(request, case, name, form):
    """The case page again (400), the posted form in its place with each error beside its
    field, its section open."""
    from .views import _render_case

    request.law_bound = {name: form}
    return _render_case(request, case, status=400)


@login_required
@require_POST
def law_action(request, pk, action):
    """Record a party's consent or refusal, the report to the police or its receipt."""
    if action not in SLUGS:
        raise Http404
    case = access_case(request.user, pk)
    name = SLUGS[action]
    if not CasePolicy(request.user, case).allows(name):
        messages.error(request, "当前状态下您不能进行此操作。")
        return redirect("web:case-detail", pk=case.pk)
    form_class = {
        "raise_risk": RiskRaiseForm,
        "consent": ConsentForm,
        "report_to_police": PoliceReportForm,
        "police_receipt": PoliceReceiptForm,
    }[name]
    form = (
        RiskRaiseForm(request.POST, case=case) if name == "raise_risk" else form_class(request.POST)
    )
    if not form.is_valid():
        return _with_errors(request, case, name, form)
    data = form.cleaned_data
    try:
        if name == "consent":
            consent_record(
                actor=request.user,
                case_id=case.pk,
                party_id=data["party"],
                decision=data["decision"],
                decided_on=data["decided_on"],
                notified_on=data["notified_on"]
                if data["decision"] == "consent" or data["notice_method"]
                else None,
                notice_method=data["notice_method"],
                note=data["note"],
                routes=data["routes"] or None,
            )
        elif name == "report_to_police":
            police.police_report(
                actor=request.user,
                case_id=case.pk,
                station=data["station"],
                reported_at=data["reported_at"],
                note=data["note"],
            )
        elif name == "raise_risk":
            police.case_risk_raise(actor=request.user, case_id=case.pk, **data)
        else:
            police.police_receipt(actor=request.user, case_id=case.pk, **data)
    except InvalidInput as error:
        form_errors_from(form, error)
        return _with_errors(request, case, name, form)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:case-detail", pk=case.pk)
    messages.success(request, DONE[name])
    return redirect("web:case-detail", pk=case.pk)
