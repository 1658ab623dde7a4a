"""The settings pages (设置) without a browser: the county's admin changes the deadlines,
weights, grades, rewards and calendar in the app; each save is audited; a town's admin, a
viewer and the neighbouring county's admin are refused."""

import re
from datetime import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from assessment.models import GradeThreshold, IndexWeight
from cases.calendar import add_working_days
from cases.models import CalendarOverride, HandlingPeriod, SlaPolicy
from mediation.models import RewardRate
from tests.cases.conftest import report
from tests.factories import AreaFactory, RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _initial(form, prefix=""):
    """The POST a browser would send for an untouched form."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[f"{prefix}{name}"] = "on" if value is True else str(value)
    return data


def _no_inline_script(html):
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler"


def _deadlines(county):
    return f"/settings/{county.id}/deadlines/"


def test_county_admin_finds_settings_in_the_menu_and_lands_on_the_county(client, cast):
    _login(client, cast.county_admin)
    home = client.get("/settings/")
    assert home.status_code == 302
    assert home["Location"] == _deadlines(cast.areas.county)
    page = client.get(_deadlines(cast.areas.county))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/settings/"' in html and ">设置<" in html
    assert "/admin/" not in html  # Django admin is for superusers
    assert "办理时限" in html and "宜君县" in html
    _no_inline_script(html)


def test_the_menu_has_no_settings_for_a_town_admin_or_an_officer(client, cast):
    for user in [cast.town_admin_a, cast.county_officer]:
        _login(client, user)
        html = client.get("/cases/").content.decode()
        assert 'href="/settings/"' not in html
        assert client.get("/settings/").status_code == 403


def test_county_admin_changes_the_village_resolve_limit_and_a_new_case_gets_it(client, cast):
    _login(client, cast.county_admin)
    url = _deadlines(cast.areas.county)
    form = client.get(url).context["form"]
    data = _initial(form)
    assert data["village__resolve_value"] == "15"
    data["village__resolve_value"] = "10"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(url).context["form"]["village__resolve_value"].value() == 10

    start = timezone.make_aware(datetime(2026, 11, 2, 10, 0))
    case = report(cast.grid_worker_a, cast.areas.grid_a1, at=start)
    assert HandlingPeriod.objects.get(case=case).resolve_due == add_working_days(start, 10)

    (row,) = AuditEntry.objects.filter(kind="settings")
    assert row.actor == cast.county_admin and row.area == cast.areas.county
    assert row.params["changes"] == {"village": {"resolve_value": {"before": 15, "after": 10}}}


def test_bad_deadlines_show_field_messages_and_change_nothing(client, cast):
    _login(client, cast.county_admin)
    url = _deadlines(cast.areas.county)
    data = _initial(client.get(url).context["form"])
    data["village__resolve_value"] = "-3"
    data["town-red__assign_value"] = "9999"
    data["county__respond_unit"] = "fortnights"
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["county__respond_unit"]
    data["county__respond_unit"] = "working_days"
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "至少为1" in form.errors["village__resolve_value"][0]
    assert "不能超过" in form.errors["town-red__assign_value"][0]
    assert "至少为1" in response.content.decode()
    assert not SlaPolicy.objects.filter(county__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_town_admin_and_viewer_are_refused_and_another_county_is_404(client, cast):
    url = _deadlines(cast.areas.county)
    for user in [cast.town_admin_a, cast.county_viewer]:
        _login(client, user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"village__resolve_value": "1"}).status_code == 403
        for page in [
            f"/settings/{cast.areas.county.id}/assessment/",
            f"/settings/{cast.areas.county.id}/rewards/",
        ]:
            assert client.get(page).status_code == 403
    other = AreaFactory(code="610221000000", name="耀州区", level="county", parent=cast.areas.city)
    stranger = UserFactory(username="other_admin")
    RoleFactory(user=stranger, kind="admin", area=other)
    _login(client, stranger)
    assert client.get(url).status_code == 404
    assert client.get(f"/settings/{cast.areas.county.id}/rewards/").status_code == 404
    assert client.get(_deadlines(other)).status_code == 200
    assert not AuditEntry.objects.exists()


def test_weights_page_refuses_a_wrong_sum_and_saves_a_right_one(client, cast):
    _login(client, cast.county_admin)
    url = f"/settings/{cast.areas.county.id}/assessment/"
    page = client.get(url)
    assert page.status_code == 200
    _no_inline_script(page.content.decode())
    data = {"form": "weights", **_initial(page.context["weights_form"], "w-")}
    data["w-resolution_rate"] = "40"  # 110 in all
    response = client.post(url, data)
    assert response.status_code == 200
    assert "之和须为100" in response.content.decode()
    assert not IndexWeight.objects.filter(county__isnull=False).exists()
    data["w-village_retention"] = "0"
    response = client.post(url, data)
    assert response.status_code == 302
    assert IndexWeight.objects.get(county=cast.areas.county, metric="resolution_rate").weight == 40

    data = {"form": "thresholds", "g-gold": "93", "g-silver": "88", "g-bronze": "88"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "须金鼎高于银鼎" in response.content.decode()
    data["g-bronze"] = "80"
    assert client.post(url, data).status_code == 302
    assert GradeThreshold.objects.filter(county=cast.areas.county).count() == 3
    assert AuditEntry.objects.filter(kind="settings").count() == 2


def test_rewards_page_changes_an_amount_and_adds_a_line(client, cast):
    _login(client, cast.county_admin)
    url = f"/settings/{cast.areas.county.id}/rewards/"
    page = client.get(url)
    assert page.status_code == 200
    _no_inline_script(page.content.decode())
    formset = page.context["formset"]
    data = {
        "lines-TOTAL_FORMS": str(len(formset.forms)),
        "lines-INITIAL_FORMS": str(formset.initial_form_count()),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, form in enumerate(formset.forms):
        data.update(_initial(form, f"lines-{index}-"))
    assert data["lines-0-difficulty"] == "ordinary"
    data["lines-0-amount"] = "120"
    new = len(formset.forms) - 1
    data.update({f"lines-{new}-difficulty": "major", f"lines-{new}-level": "county"})
    data[f"lines-{new}-amount"] = "-5"
    data[f"lines-{new}-active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "须大于0" in response.content.decode()
    assert not RewardRate.objects.filter(county__isnull=False).exists()
    data[f"lines-{new}-amount"] = "500"
    response = client.post(url, data)
    assert response.status_code == 302
    own = {
        (r.difficulty, r.level): str(r.amount)
        for r in RewardRate.objects.filter(county=cast.areas.county)
    }
    assert own == {
        ("ordinary", ""): "120.00",
        ("difficult", ""): "200.00",
        ("major", ""): "300.00",
        ("major", "county"): "500.00",
    }
    assert AuditEntry.objects.filter(kind="settings").count() == 1


def test_calendar_page_takes_a_2027_holiday_and_refuses_2026(client, cast):
    _login(client, cast.county_admin)
    page = client.get("/settings/calendar/?year=2027")
    assert page.status_code == 200
    assert "尚未收录2027年" in page.content.decode()
    _no_inline_script(page.content.decode())
    response = client.post(
        "/settings/calendar/", {"date": "2027-02-08", "is_workday": "0", "note": "春节"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date="2027-02-08").is_workday is False
    response = client.post("/settings/calendar/", {"date": "2026-10-12", "is_workday": "0"})
    assert response.status_code == 200
    assert "已有官方日历" in response.content.decode()
    override = CalendarOverride.objects.get()
    assert client.post(f"/settings/calendar/{override.pk}/delete/").status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(kind="settings").count() == 2

    _login(client, cast.town_admin_a)
    assert client.get("/settings/calendar/").status_code == 403
    assert client.post("/settings/calendar/", {"date": "2027-02-09"}).status_code == 403
