"""Pages for referrals (DESIGN.md §15): the referrals list (a liaison's inbox on a phone, the
committee's referrals), an agency's dispute referred in, a case referred out, and the steps.
Reads go through `Referral.objects.visible_to` / `Case.objects.visible_to`; writes call the
same services as the API; the case page shows a case's referrals through
`{% case_referrals %}` (cases/templatetags/referrals_web.py)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F, Max, Min, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.agencies import Agency
from accounts.selectors import scope_for
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error, form_errors_from, page_of
from grids.choices import AreaLevel
from grids.models import Area

from . import referrals
from .choices import Category, Risk
from .models import Case
from .policy import ReferralPolicy, access_case
from .referral_api import referrals_for_list
from .referral_models import ReferralKind, ReferralResult, ReferralStatus

TABS = {
    "sent": ("待签收", [ReferralStatus.SENT]),
    "received": ("办理中", [ReferralStatus.RECEIVED]),
    "answered": ("已答复", [ReferralStatus.ANSWERED]),
    "all": ("全部", None),
}


CONSULTED_TAB = ("consulted", "征询意见")


def consulted_cases(user):
    """The cases a person of an agency was consulted on (三官一律), the earliest unanswered
    due first, then the answered ones, newest first: each with `consult_due` (None once all
    are answered). Read through the case's relation, so the scope rule stays the case's."""
    mine = Q(consultations__consultant_id=user.pk)
    return (
        Case.objects.visible_to(user)
        .filter(mine)
        .annotate(
            consult_due=Min(
                "consultations__due_at",
                filter=mine & Q(consultations__answered_at__isnull=True),
            ),
            consult_asked=Max("consultations__asked_at", filter=mine),
        )
        .select_related("village")
        .order_by(F("consult_due").asc(nulls_last=True), "-consult_asked", "-id")
    )


@login_required
def referral_list(request):
    """移交委派: the referrals the user sees, by status, owed deadline first (overdue in red);
    for a person of an agency, also the cases they were consulted on."""
    scope = scope_for(request.user)
    tabs = [(key, label) for key, (label, _s) in TABS.items()]
    if scope.agency_ids:
        tabs.append(CONSULTED_TAB)
    tab = request.GET.get("tab", "sent")
    context = {"tabs": tabs, "nav_active": "referrals", "may_refer_in": bool(scope.agency_ids)}
    if tab == CONSULTED_TAB[0] and scope.agency_ids:
        page = page_of(request, consulted_cases(request.user))
        context.update(consulted=True, now=timezone.now())
        return render(request, "cases/referrals.html", {**context, "page": page, "tab": tab})
    if tab not in TABS:
        tab = "sent"
    queryset = referrals_for_list(request.user)
    statuses = TABS[tab][1]
    if statuses:
        queryset = queryset.filter(status__in=statuses).order_by("next_due", "-sent_at", "-id")
    page = page_of(request, queryset)
    now = timezone.now()
    for referral in page.rows:
        referral.steps = ReferralPolicy(request.user, referral).allowed_actions()
        referral.overdue = referral.next_due is not None and referral.next_due <= now
    return render(
        request, "cases/referrals.html", {**context, "page": page, "tab": tab, "now": now}
    )


def _next(request, referral=None):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return "web:referrals"


@login_required
@require_POST
def referral_step(request, pk, action):
    """Receive, answer or close a referral (the same services as the API)."""
    if action not in ("receive", "answer", "close"):
        raise Http404("没有这个操作。")
    referrals.access_referral(request.user, pk)
    try:
        if action == "receive":
            referrals.referral_receive(actor=request.user, referral_id=pk)
            messages.success(request, "已签收。")
        elif action == "answer":
            referrals.referral_answer(
                actor=request.user,
                referral_id=pk,
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
            )
            messages.success(request, "已答复。")
        else:
            referrals.referral_close(actor=request.user, referral_id=pk)
            messages.success(request, "移交已办结。")
    except DomainError as error:
        flash_domain_error(request, error)
    return redirect(_next(request))


@login_required
@require_POST
def case_refer(request, pk):
    """Refer the case to an agency (the form on the case page)."""
    case = access_case(request.user, pk)
    try:
        referrals.referral_send(
            actor=request.user,
            case_id=case.pk,
            agency_id=request.POST.get("agency", ""),
            note=request.POST.get("note", ""),
            close_case=request.POST.get("close_case") == "on",
        )
        messages.success(request, "已移交。")
    except DomainError as error:
        flash_domain_error(request, error)
    return redirect("web:case-detail", case.pk)


class ReferInForm(forms.Form):
    """An agency's dispute referred to people's mediation, as a liaison enters it on a phone."""

    agency = forms.ModelChoiceField(label="移交单位", queryset=Agency.objects.none())
    kind = forms.ChoiceField(label="移交类型", choices=ReferralKind.choices)
    area = forms.ModelChoiceField(label="发生地（村/社区）", queryset=Area.objects.none())
    title = forms.CharField(label="纠纷名称", max_length=200)
    category = forms.ChoiceField(label="纠纷类型", choices=[("", "请选择"), *Category.choices])
    risk = forms.ChoiceField(label="风险等级", choices=Risk.choices, initial=Risk.GREEN)
    facts = forms.CharField(
        label="基本情况", max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    applicant = forms.CharField(label="申请人姓名", max_length=100)
    applicant_phone = forms.CharField(label="申请人电话", max_length=32, required=False)
    respondent = forms.CharField(label="被申请人姓名", max_length=100, required=False)
    note = forms.CharField(
        label="移交说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        agencies = Agency.objects.filter(pk__in=scope.agency_ids, active=True)
        self.fields["agency"].queryset = agencies
        counties = list(agencies.values_list("county__code", flat=True))
        villages = Area.objects.none()
        for code in counties:
            villages |= Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith=code[:6])
        self.fields["area"].queryset = villages.order_by("code")
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk


@login_required
def referral_new(request):
    """A liaison refers a dispute of their county to people's mediation (the case is created
    with the referral attached)."""
    if not scope_for(request.user).agency_ids:
        raise Http404("只有联动单位人员可以移交纠纷。")
    form = ReferInForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parties = [
            {"name": data["applicant"], "role": "applicant", "phone": data["applicant_phone"]}
        ]
        if data["respondent"]:
            parties.append({"name": data["respondent"], "role": "respondent"})
        try:
            referral = referrals.referral_receive_dispute(
                actor=request.user,
                agency_id=data["agency"].pk,
                kind=data["kind"],
                note=data["note"],
                title=data["title"],
                facts=data["facts"],
                category=data["category"],
                risk=data["risk"],
                area=data["area"],
                parties=parties,
            )
        except InvalidInput as error:
            form_errors_from(form, error)
        except DomainError as error:
            flash_domain_error(request, error)
        else:
            messages.success(request, f"已移交，案件编号 {referral.case.number}。")
            return redirect("web:case-detail", referral.case_id)
    return render(
        request,
        "cases/referral_new.html",
        {"form": form, "nav_active": "referrals", "results": ReferralResult.choices},
        status=400 if request.method == "POST" and form.errors else 200,
    )
