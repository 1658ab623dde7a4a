"""Settings page of this app: a county's safety index weights and annual grade thresholds."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from accounts.settings_views import page_county, tabs
from config.errors import InvalidInput, NotAllowed
from config.pages import form_errors_from

from . import county_settings
from .choices import KPI_LABELS, Grade

NUMBER = {"inputmode": "decimal", "step": "0.01", "min": 0, "max": 100}


class WeightsForm(forms.Form):
    """One weight per rate of the index; they add up to 100."""

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        for metric in county_settings.METRICS:
            self.fields[metric] = forms.DecimalField(
                label=KPI_LABELS[metric],
                max_digits=6,
                decimal_places=2,
                initial=weights[metric],
                widget=forms.NumberInput(attrs=NUMBER),
            )
        self.fields["weights"] = forms.CharField(required=False, widget=forms.HiddenInput)


class ThresholdsForm(forms.Form):
    """The lowest yearly index of each grade."""

    def __init__(self, *args, thresholds, **kwargs):
        super().__init__(*args, **kwargs)
        for grade in Grade:
            self.fields[grade.value] = forms.DecimalField(
                label=f"{grade.label}最低平安指数",
                max_digits=5,
                decimal_places=2,
                initial=thresholds[grade.value],
                widget=forms.NumberInput(attrs=NUMBER),
            )
        self.fields["thresholds"] = forms.CharField(required=False, widget=forms.HiddenInput)


@login_required
def assessment_settings(request, county_id):
    """考核权重与等级: the weights of the county's safety index and its grade thresholds; they
    assess the county's towns and villages from the next roll-up on."""
    county = page_county(request, county_id)
    weights = county_settings.weights_of(county)
    thresholds = county_settings.thresholds_of(county)
    which = request.POST.get("form") if request.method == "POST" else None
    weights_form = WeightsForm(
        request.POST if which == "weights" else None, weights=weights["weights"], prefix="w"
    )
    thresholds_form = ThresholdsForm(
        request.POST if which == "thresholds" else None,
        thresholds=thresholds["thresholds"],
        prefix="g",
    )
    form = {"weights": weights_form, "thresholds": thresholds_form}.get(which)
    if form is not None and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("weights", "thresholds")}
        try:
            if which == "weights":
                county_settings.weights_set(actor=request.user, county=county, weights=values)
            else:
                county_settings.thresholds_set(actor=request.user, county=county, thresholds=values)
        except InvalidInput as error:
            form_errors_from(form, error)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        else:
            messages.success(request, "已保存，下次计算考核指标时生效。")
            return redirect("web:settings-assessment", county_id=county.pk)
    total = sum(weights["weights"].values())
    return render(
        request,
        "assessment/settings.html",
        {
            "county": county,
            "tabs": tabs(county, "assessment"),
            "weights_form": weights_form,
            "weights_own": weights["own"],
            "weights_total": total,
            "thresholds_form": thresholds_form,
            "thresholds_own": thresholds["own"],
            "nav_active": "settings",
        },
    )
