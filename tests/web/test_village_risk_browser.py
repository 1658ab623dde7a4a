"""A town officer rates a village red on a 360 px phone: from the dashboard's risk panel to the
village's page, the override with its reason, and back to the panel that now lists it; the
county leader sees it at 1366 px."""

import pytest

from accounts.models import AuditEntry
from assessment.risk_models import VillageRisk

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_officer_overrides_a_village_on_a_phone(sign_in):
    page = sign_in("town_officer", PHONE)
    page.goto("/dashboard/")
    panel = page.get_by_test_id("village-risk-panel")
    assert "红 0" in panel.inner_text()
    panel.get_by_role("link", name="全部 ›").click()
    page.wait_for_load_state()
    assert "/risk/villages/" in page.url
    page.screenshot(path="/tmp/risk_list_phone.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    village = page.get_by_test_id("village-risk-table").locator("tbody tr a").first
    name = village.inner_text()
    village.click()
    page.wait_for_load_state()

    form = page.get_by_test_id("override-form")
    form.get_by_role("button", name="保存调整").click()
    page.wait_for_load_state()
    assert "请填写调整理由" in page.get_by_test_id("override-form").inner_text()
    form = page.get_by_test_id("override-form")
    form.get_by_label("调整为").select_option("red")
    form.get_by_label("调整理由").fill("山林权属纠纷多次反复")
    form.get_by_role("button", name="保存调整").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("override-reason").inner_text() == "山林权属纠纷多次反复"
    page.screenshot(path="/tmp/risk_village_phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert VillageRisk.objects.get(village__name=name, override="red").reason
    assert AuditEntry.objects.filter(actor__username="town_officer", what__contains=name).exists()

    page.goto("/dashboard/")
    panel = page.get_by_test_id("village-risk-panel")
    assert "红 1" in panel.inner_text()
    assert name in page.get_by_test_id("risk-red-villages").inner_text()
    panel.get_by_test_id("risk-count-red").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("village-risk-table").locator("tbody tr")
    assert rows.count() == 1 and name in rows.first.inner_text()

    county = sign_in("county_officer", DESKTOP)
    county.goto("/dashboard/")
    assert "红 1" in county.get_by_test_id("village-risk-panel").inner_text()
    county.get_by_test_id("village-risk-panel").screenshot(path="/tmp/risk_panel_desktop.png")
