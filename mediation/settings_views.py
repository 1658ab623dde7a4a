"""Settings page of this app: a county's 以奖代补 reward schedule."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from accounts.settings_views import page_county, tabs
from cases.choices import Category, Level
from config.errors import InvalidInput, NotAllowed

from . import county_settings
from .choices import Difficulty


class LineForm(forms.Form):
    """One line of the schedule: which cases (difficulty, and optionally type and level) and
    how much."""

    difficulty = forms.ChoiceField(label="难易程度", choices=Difficulty.choices)
    category = forms.ChoiceField(
        label="纠纷类型", choices=[("", "不限")] + list(Category.choices), required=False
    )
    level = forms.ChoiceField(
        label="层级", choices=[("", "不限")] + list(Level.choices), required=False
    )
    amount = forms.DecimalField(
        label="补贴金额（元）",
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": 0}),
    )
    active = forms.BooleanField(label="在用", required=False, initial=True)


LineFormSet = forms.formset_factory(LineForm, extra=1, max_num=200, validate_max=True)


def _service_errors(formset, error: InvalidInput):
    """Put "lines.<i>.<field>" messages beside the field of the i-th filled line."""
    filled = [f for f in formset.forms if f.has_changed() or f.initial]
    for name, problems in error.fields.items():
        parts = name.split(".")
        problems = problems if isinstance(problems, list) else [problems]
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            form = filled[int(parts[1])]
            field = parts[2] if parts[2] in form.fields else None
            for problem in problems:
                form.add_error(field, str(problem))
        else:
            formset._non_form_errors.extend(str(p) for p in problems)
    if not error.fields:
        formset._non_form_errors.append(error.message)


@login_required
def reward_settings(request, county_id):
    """以奖代补标准: the county's schedule; a line switched off is no longer paid, and claims
    made after the save are paid by the new amounts."""
    county = page_county(request, county_id)
    schedule = county_settings.schedule_of(county)
    initial = [
        {**line, "amount": line["amount"], "category": line["category"], "level": line["level"]}
        for line in schedule["lines"]
    ]
    formset = LineFormSet(request.POST or None, initial=initial, prefix="lines")
    if request.method == "POST" and formset.is_valid():
        lines = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and (form.has_changed() or form.initial)
        ]
        try:
            county_settings.schedule_set(actor=request.user, county=county, lines=lines)
        except InvalidInput as error:
            _service_errors(formset, error)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        else:
            messages.success(request, "以奖代补标准已保存。")
            return redirect("web:settings-rewards", county_id=county.pk)
    return render(
        request,
        "mediation/settings_rewards.html",
        {
            "county": county,
            "tabs": tabs(county, "rewards"),
            "formset": formset,
            "own": schedule["own"],
            "nav_active": "settings",
        },
    )
