"""督查督办 in the browser, as the demo accounts: at 1366 px the county officer issues the
month's 工作通报 from the county dashboard and opens a 督办 on a village from its page; at 360 px
the village's mediator finds it in the queue and answers it with a photo, which closes it.
Screenshots are saved to /tmp (supervision-*.png) for a look."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from supervision.models import Letter, Supervision

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fits(page, width):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_county_issues_a_bulletin_and_supervises_a_village_that_answers_on_the_phone(
    sign_in, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    village = Role.objects.get(user__username="village_mediator", kind="mediator").area

    county = sign_in("county_officer", DESKTOP)
    county.goto("/dashboard/")
    panel = county.get_by_test_id("dashboard-supervision")
    expect(panel).to_be_visible()
    panel.get_by_test_id("issue-bulletin").click()
    expect(county.get_by_test_id("bulletin-link")).to_be_visible()
    letter = Letter.objects.get(kind="bulletin")
    assert letter.number.endswith("第1号") and letter.file.read().startswith(b"%PDF")
    county.get_by_test_id("dashboard-supervision").screenshot(path="/tmp/supervision-dashboard.png")
    assert _fits(county, DESKTOP["width"])

    county.goto(f"/dashboard/?area={village.pk}")
    county.get_by_test_id("supervision-unit-link").click()
    expect(county.get_by_test_id("unit-title")).to_contain_text(village.name)
    county.get_by_test_id("open-unit-supervision").click()
    due = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    county.fill("#id_reason", "本月排查零上报缺失两次，请说明原因并补报。")
    county.fill("#id_due_at", due)
    county.screenshot(path="/tmp/supervision-open-1366.png", full_page=True)
    county.get_by_test_id("do-supervise").click()
    expect(county.get_by_test_id("supervision-status")).to_have_text("待反馈")
    supervision = Supervision.objects.get()
    assert supervision.unit_id == village.pk and supervision.opened_by.username == "county_officer"
    county.goto(f"/supervision/units/{village.pk}/")
    expect(county.get_by_test_id("supervision-item")).to_have_count(1)
    county.screenshot(path="/tmp/supervision-unit-1366.png", full_page=True)
    assert _fits(county, DESKTOP["width"])

    phone = sign_in("village_mediator", PHONE)
    assert phone.url.endswith("/queue/")
    awaiting = phone.get_by_test_id("awaiting-supervision")
    expect(awaiting).to_be_visible()
    assert _fits(phone, PHONE["width"])
    awaiting.get_by_test_id("supervision-item").click()
    expect(phone.get_by_test_id("feedback-form")).to_be_visible()
    phone.fill("#id_text", "已组织网格员补报两次零报告，今后按月上报。")
    phone.set_input_files(
        "#id_file", files=[{"name": "补报截图.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.screenshot(path="/tmp/supervision-answer-360.png", full_page=True)
    assert _fits(phone, PHONE["width"])
    phone.get_by_test_id("do-feedback").click()
    expect(phone.get_by_test_id("supervision-status")).to_have_text("已反馈")
    expect(phone.get_by_test_id("feedback-text")).to_contain_text("已组织网格员补报")
    phone.screenshot(path="/tmp/supervision-answered-360.png", full_page=True)
    assert _fits(phone, PHONE["width"])
    supervision.refresh_from_db()
    assert supervision.status == "closed" and supervision.answered_by.username == "village_mediator"
    assert supervision.feedbacks.get().file_name == "补报截图.png"
