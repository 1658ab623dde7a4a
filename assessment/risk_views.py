"""Pages of the village risk ratings: the villages with their rating (`?risk=red`, linked from
the dashboard panel), one village's rating with the override and visit forms, and the county's
thresholds among the settings."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.settings_views import page_county, tabs
from config.errors import InvalidInput, NotAllowed
from config.pages import form_errors_from

from . import risk
from .risk_api import area_param
from .risk_models import RiskLevel, VillageVisit


class OverrideForm(forms.Form):
    rating = forms.ChoiceField(label="调整为", choices=RiskLevel.choices)
    reason = forms.CharField(
        label="调整理由",
        max_length=500,
        error_messages={"required": "请填写调整理由。"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(
        label="走访日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label="走访情况", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettingsForm(forms.Form):
    def __init__(self, *args, values, **kwargs):
        super().__init__(*args, **kwargs)
        for key in risk.DEFAULTS:
            self.fields[key] = forms.IntegerField(
                label=risk.SETTING_LABELS[key],
                min_value=0,
                initial=values[key],
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )


@login_required
def village_risks(request):
    """村风险等级: the villages the user sees with their rating of the month; `?risk=red`."""
    area = area_param(request.user, request.GET.get("area"))
    try:
        period, rows = risk.village_rows(
            request.user,
            month=request.GET.get("month"),
            risk=request.GET.get("risk", ""),
            area=area,
        )
    except InvalidInput:
        period, rows = risk.village_rows(request.user, area=area)
    return render(
        request,
        "assessment/village_risks.html",
        {
            "rows": rows,
            "period": period,
            "area": area,
            "risk": request.GET.get("risk", ""),
            "levels": RiskLevel.choices,
            "nav_active": "dashboard",
        },
    )


@login_required
def village_risk(request, pk):
    """One village's rating of the month with its inputs, the override form (town officers)
    and the visits with the form to record one."""
    village = risk.village_in_scope(request.user, pk)
    period = risk._month(None)
    which = request.POST.get("form") if request.method == "POST" else None
    may_override = risk.may_override(request.user, village)
    may_visit = risk.may_visit(request.user, village)
    if which == "override" and not may_override or which == "visit" and not may_visit:
        raise PermissionDenied("无权进行此操作。")
    current = risk.VillageRisk.objects.filter(village=village, month=period.start_date).first()
    override_form = OverrideForm(
        request.POST if which == "override" else None,
        prefix="o",
        initial={"rating": current.rating if current else RiskLevel.GREEN},
    )
    visit_form = VisitForm(
        request.POST if which == "visit" else None,
        prefix="v",
        initial={"visited_on": timezone.localdate()},
    )
    form = {"override": override_form, "visit": visit_form}.get(which)
    if form is not None and form.is_valid():
        try:
            if which == "override":
                risk.risk_override(actor=request.user, village_id=village.pk, **form.cleaned_data)
                messages.success(request, "已调整风险等级。")
            else:
                risk.visit_record(actor=request.user, village_id=village.pk, **form.cleaned_data)
                messages.success(request, "已登记走访。")
        except InvalidInput as error:
            form_errors_from(form, error)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        else:
            return redirect("web:village-risk", pk=village.pk)
    _, rows = risk.village_rows(request.user, area=village)
    row = rows[0] if rows else None
    inputs = [
        {"label": label, "value": (row.risk.inputs.get(name, 0) if row and row.risk else 0)}
        for name, label in risk.INPUTS
    ]
    return render(
        request,
        "assessment/village_risk.html",
        {
            "village": village,
            "period": period,
            "row": row,
            "inputs": inputs,
            "visits": VillageVisit.objects.filter(village=village).select_related("visitor")[:20],
            "override_form": override_form if may_override else None,
            "visit_form": visit_form if may_visit else None,
            "nav_active": "dashboard",
        },
    )


@login_required
def risk_settings(request, county_id):
    """村风险评定标准: the county's thresholds and the intervals each rating sets."""
    county = page_county(request, county_id)
    current = risk.settings_of(county)
    form = SettingsForm(request.POST or None, values=current["values"])
    if request.method == "POST" and form.is_valid():
        try:
            risk.settings_set(actor=request.user, county=county, values=form.cleaned_data)
        except InvalidInput as error:
            form_errors_from(form, error)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        else:
            messages.success(request, "已保存，下次评定时生效。")
            return redirect("web:settings-risk", county_id=county.pk)
    return render(
        request,
        "assessment/settings_risk.html",
        {
            "county": county,
            "tabs": tabs(county, "risk"),
            "form": form,
            "own": current["own"],
            "nav_active": "settings",
        },
    )
