"""Settings pages of this app: a county's handling deadlines and the national calendar
overrides (years the official calendar does not know yet)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.settings_views import page_county, renamed, tabs
from config.errors import InvalidInput, NotAllowed
from config.pages import form_errors_from

from . import county_settings
from .choices import DeadlineUnit, Level
from .county_settings import KIND_LABELS, KINDS, POLICY_KEYS, policy_key

LEVEL_LABELS = dict(Level.choices)


def _field(key: str, name: str) -> str:
    return f"{key}__{name}"


class DeadlinesForm(forms.Form):
    """Six rows (level × red) of three deadlines, each an amount and a unit."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = []
        for row in rows:
            key = policy_key(row["level"], row["red"])
            pairs = []
            for kind in KINDS:
                value_name, unit_name = _field(key, f"{kind}_value"), _field(key, f"{kind}_unit")
                self.fields[value_name] = forms.IntegerField(
                    label=KIND_LABELS[kind],
                    initial=row[f"{kind}_value"],
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
                )
                self.fields[unit_name] = forms.ChoiceField(
                    label="单位",
                    choices=DeadlineUnit.choices,
                    initial=row[f"{kind}_unit"],
                    # Shown beside its number with no label of its own: named for screen readers.
                    widget=forms.Select(attrs={"aria-label": "单位"}),
                )
                pairs.append((value_name, unit_name))
            title = LEVEL_LABELS[row["level"]] + ("（红色风险）" if row["red"] else "")
            self.sections.append({"key": key, "title": title, "own": row["own"], "pairs": pairs})

    def bound_sections(self):
        return [
            {
                **section,
                "pairs": [(self[v], self[u]) for v, u in section["pairs"]],
            }
            for section in self.sections
        ]

    def rows(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "level": level,
                "red": red,
                **{
                    f"{kind}_{part}": data[_field(policy_key(level, red), f"{kind}_{part}")]
                    for kind in KINDS
                    for part in ("value", "unit")
                },
            }
            for level, red in POLICY_KEYS
        ]


@login_required
def deadlines(request, county_id):
    """办理时限: the county's assign, respond and resolve limits per level; new values apply
    to cases reported (or escalated) after the save."""
    county = page_county(request, county_id)
    rows = county_settings.sla_policy_of(county)
    form = DeadlinesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            county_settings.sla_policy_set(actor=request.user, county=county, rows=form.rows())
        except InvalidInput as error:
            form_errors_from(form, renamed(error, lambda k: k.replace(".", "__")))
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        else:
            messages.success(request, "办理时限已保存，新登记的案件按新时限计算。")
            return redirect("web:settings-deadlines", county_id=county.pk)
    return render(
        request,
        "cases/settings_deadlines.html",
        {
            "county": county,
            "tabs": tabs(county, "deadlines"),
            "form": form,
            "sections": form.bound_sections(),
            "nav_active": "settings",
        },
    )


class OverrideForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label="这一天",
        choices=[("0", "放假（休息日）"), ("1", "上班（调休补班）")],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label="说明", max_length=100, required=False)


def _calendar_area(request):
    try:
        return county_settings.calendar_editor_area(request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message)


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        year = today.year + 1  # the year whose holidays are entered next
    return year


@login_required
def calendar(request):
    """工作日历: the national holidays and make-up workdays entered by hand, by year; admins
    enter the years the official calendar does not know yet."""
    _calendar_area(request)
    year = _year(request)
    form = OverrideForm(request.POST or None, initial={"date": date(year, 1, 1)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            county_settings.calendar_override_save(
                actor=request.user,
                day=data["date"],
                is_workday=data["is_workday"],
                note=data["note"],
            )
        except InvalidInput as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"已保存 {data['date']:%Y-%m-%d}。")
            return redirect(f"{request.path}?year={data['date'].year}")
    return render(
        request,
        "cases/settings_calendar.html",
        {
            "county": None,
            "tabs": _calendar_tabs(request),
            "form": form,
            "year": year,
            "years": [year - 1, year, year + 1],
            "library_knows": county_settings.library_knows(year),
            "overrides": county_settings.calendar_overrides(year),
            "nav_active": "settings",
        },
    )


def _calendar_tabs(request):
    from accounts.selectors import settings_counties

    counties = list(settings_counties(request.user).order_by("code")[:2])
    if len(counties) == 1:
        return tabs(counties[0], "calendar")
    return []


@login_required
@require_POST
def calendar_delete(request, pk):
    """Remove one day's override."""
    _calendar_area(request)
    try:
        county_settings.calendar_override_delete(actor=request.user, override_id=pk)
    except InvalidInput as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已删除。")
    return redirect("web:settings-calendar")
