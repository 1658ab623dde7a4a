"""The county's admin changes a deadline on a 360 px phone, from the menu to the saved page."""

import pytest

from accounts.models import AuditEntry
from cases.models import SlaPolicy

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_sets_the_village_resolve_limit_on_a_phone(sign_in):
    page = sign_in("county_admin", PHONE)
    # On a phone the menu is on 我的 (the bottom tab bar's last tab).
    page.locator('[data-testid="tab-me"]').click()
    page.locator('[data-testid="me-menu"]').get_by_role("link", name="设置").click()
    page.wait_for_load_state()
    assert "/deadlines/" in page.url
    page.screenshot(path="/tmp/audit_deadlines.png", full_page=False)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    village = page.get_by_test_id("deadlines-village")
    village.get_by_label("办结时限").fill("10")
    page.get_by_test_id("save-deadlines").click()
    page.wait_for_load_state()
    assert "新登记的案件按新时限计算" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("deadlines-village").get_by_label("办结时限").input_value() == "10"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    policy = SlaPolicy.objects.get(county__code="610222000000", level="village", red=False)
    assert policy.resolve_value == 10
    assert AuditEntry.objects.filter(kind="settings", actor__username="county_admin").exists()

    for path in ["assessment", "rewards"]:
        page.get_by_role(
            "link", name={"assessment": "考核权重与等级", "rewards": "以奖代补标准"}[path]
        ).click()
        page.wait_for_load_state()
        assert f"/{path}/" in page.url
        page.screenshot(path=f"/tmp/audit_{path}.png", full_page=False)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="工作日历").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
