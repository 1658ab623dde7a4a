"""The installable app without signal, as a grid worker opens it: at the queue (the intake form
never visited), the network cut. The tab 登记 is then served by the service worker from the
phone's copy (the shell's styles and scripts with it), the form works and keeps the report as
待发送; a page that is not kept says there is no network; the queue, also kept, shows the report
waiting. When the signal returns the report is sent exactly once, and signing out drops the
kept pages."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, IntakeKey
from tests.builders import id_number

from .conftest import PHONE
from .test_offline_intake import _fill, _photo, until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT = """Promise.all(['/cases/new/', '/queue/'].map((p) => caches.match(p)))
  .then((hits) => hits.every(Boolean))"""


def test_the_tab_bar_opens_the_kept_intake_form_without_signal_and_the_report_is_sent_once(
    sign_in, tmp_path
):
    page = sign_in("grid_worker", PHONE)
    assert page.url.endswith("/queue/")
    until(page, "navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller)")
    # Opened at the queue only: the worker keeps the intake form too, with its assets.
    until(page, KEPT)
    intake_css = page.eval_on_selector("link[href*='intake.css']", "el => el.href")
    until(page, f"caches.match({intake_css!r})")

    posts = []
    page.on(
        "response",
        lambda r: (
            posts.append(r.status)
            if r.request.method == "POST" and r.url.split("#")[0].endswith("/cases/new/")
            else None
        ),
    )
    page.context.set_offline(True)

    # A page that is not kept: the worker's own short page, which leads to the form.
    response = page.goto("/notifications/")
    assert response.status == 503 and response.from_service_worker
    expect(page.get_by_role("heading")).to_have_text("当前没有网络")

    page.goto("/queue/")
    with page.expect_navigation() as navigation:
        page.get_by_test_id("tab-intake").click()
    response = navigation.value
    assert response.status == 200 and response.from_service_worker
    assert page.url.endswith("/cases/new/")
    form = page.get_by_test_id("intake-form")
    expect(form).to_be_visible()
    # The shell is there: the phone's styles (the tab bar sits at the bottom), the scripts.
    tabbar = page.get_by_test_id("tabbar")
    expect(tabbar).to_be_visible()
    assert tabbar.evaluate("el => getComputedStyle(el).position") == "fixed"
    assert re.fullmatch(r"[0-9a-f]{32}", page.input_value("[data-form-token]"))

    _fill(page, title="排水沟纠纷（缓存页登记）", id_value=id_number(44))
    page.set_input_files("#id_photos", _photo(tmp_path, "水沟.jpg", (90, 90, 30)))
    page.get_by_test_id("submit-intake").click()
    item = page.get_by_test_id("outbox-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("outbox-status")).to_have_text("待发送")
    expect(item).to_contain_text("含1张照片")

    # The queue, kept too, shows the same report waiting.
    response = page.goto("/queue/")
    assert response.from_service_worker
    item = page.get_by_test_id("outbox-item")
    expect(item.get_by_test_id("outbox-status")).to_have_text("待发送")
    assert posts == [] and not Case.objects.exists()

    page.context.set_offline(False)
    expect(item.get_by_test_id("outbox-status")).to_have_text("已发送", timeout=30_000)
    case = Case.objects.get()
    expect(item.get_by_test_id("outbox-number")).to_have_text(case.number)
    assert case.title == "排水沟纠纷（缓存页登记）"
    assert list(case.attachments.values_list("name", flat=True)) == ["水沟.jpg"]

    # Pages loaded again online try the outbox again: nothing is sent a second time.
    page.reload()
    page.goto("/cases/new/")
    expect(page.get_by_test_id("outbox-number")).to_have_text(case.number)
    assert posts == [201]
    assert Case.objects.count() == 1 and IntakeKey.objects.count() == 1

    # Signing out drops the kept pages: the next person on this phone finds none of them.
    page.goto("/me/")
    page.get_by_test_id("logout").locator("summary").click()
    page.get_by_test_id("logout-confirm").click()
    page.wait_for_url(re.compile(r"/login/"))
    until(page, "caches.match('/cases/new/').then((hit) => !hit)")
    assert page.evaluate("caches.match('/cases/new/').then(Boolean)") is False
    assert page.evaluate("caches.match('/queue/').then(Boolean)") is False
