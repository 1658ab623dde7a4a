"""The phone layout, used as a grid worker would at 360 px: a bottom tab bar, a short header a
long name cannot break, sign-out behind a confirmation in 我的, 记住此设备 at sign-in."""

import pytest

from accounts.devices import TrustedDevice
from accounts.models import User

from .conftest import DEMO_PASSWORD, DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LONG_NAME = "宜阳一社区网格员欧阳诸葛慕容东方长名字测试人员"


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_a_phone_gets_a_bottom_tab_bar_and_a_short_header(sign_in):
    User.objects.filter(username="grid_worker").update(display_name=LONG_NAME)
    page = sign_in("grid_worker", PHONE)
    page.goto("/queue/")
    tabs = page.locator('[data-testid="tabbar"] a')
    assert tabs.all_inner_texts() == ["待办", "登记", "消息", "我的"]
    bar = _box(page, '[data-testid="tabbar"]')
    assert bar["y"] + bar["height"] == pytest.approx(PHONE["height"], abs=1)  # at the bottom
    for tab in tabs.all():
        box = tab.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    header = _box(page, ".topbar")
    assert header["height"] <= 56, header  # was 88, with every menu entry in it
    assert page.locator(".topbar .nav").is_hidden()
    # The long name is cut, never the brand.
    brand = page.locator(".brand")
    assert brand.inner_text() == "矛盾纠纷调解"
    assert brand.evaluate("e => e.scrollWidth <= e.clientWidth")
    name = page.locator('[data-testid="user-name"]')
    assert name.evaluate("e => e.scrollWidth > e.clientWidth")  # ellipsised
    page.screenshot(path="/tmp/phone-queue-long-name.png")

    # The header scrolls away; the tab bar stays.
    page.goto("/cases/")
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(200)
    assert _box(page, '[data-testid="tabbar"]')["y"] == pytest.approx(bar["y"], abs=1)

    # Sign-out sits in 我的, behind a confirmation.
    page.locator('[data-testid="tab-me"]').click()
    page.wait_for_url("**/me/")
    assert page.locator('[data-testid="logout-confirm"]').is_hidden()
    page.locator('[data-testid="logout"] summary').click()
    confirm = page.locator('[data-testid="logout-confirm"]')
    assert confirm.is_visible() and confirm.bounding_box()["height"] >= 44
    confirm.click()
    page.wait_for_url("**/login/**")


def test_a_desktop_keeps_the_menu_in_one_header_row(sign_in):
    page = sign_in("town_officer", DESKTOP)
    page.goto("/inbox/")
    assert page.locator('[data-testid="tabbar"]').is_hidden()
    assert page.locator(".topbar .nav").is_visible()
    assert _box(page, ".topbar")["height"] <= 60


def test_remember_this_device_keeps_the_phone_signed_in(chromium, live_server, demo):
    context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "grid_worker")
    page.fill("#id_password", DEMO_PASSWORD)
    remember = page.locator('label[for="id_remember"]')
    assert remember.bounding_box()["height"] >= 44
    remember.click()
    page.click("button[type=submit]")
    page.wait_for_load_state()
    cookies = {c["name"]: c for c in context.cookies()}
    days = (cookies["sessionid"]["expires"] - cookies["device"]["expires"]) / 86400
    assert abs(days) < 1 and cookies["device"]["httpOnly"]
    assert TrustedDevice.objects.filter(user__username="grid_worker").count() == 1
    page.goto("/me/")
    assert "本机" in page.locator('[data-testid="devices"]').inner_text()
    page.screenshot(path="/tmp/phone-me.png", full_page=True)
    # Removing this device signs the phone out.
    page.locator('[data-testid="revoke-device"]').click()
    page.goto("/queue/")
    assert "/login/" in page.url
    context.close()
