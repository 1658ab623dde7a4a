"""The intake on a 360 px phone, as a grid worker in a field: with no signal the report is kept
on the phone (待发送) and sent once when the signal returns, photo included; a replay of the
same request names the same case. And a wrong ID number sent back with two photos keeps every
typed value and both photos, with the summary of errors in view."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from cases.models import Attachment, Case, HeldPhoto
from tests.builders import id_number

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shots(tmp_path):
    out = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _photo(folder, name, colour):
    path = folder / name
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def until(page, expression, timeout=15.0):
    """Wait for a JavaScript expression that may give a promise to come true (Playwright's
    `wait_for_function` takes a pending promise for a true value and returns at once)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"Promise.resolve({expression}).then(Boolean)"):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)


def _fill(page, *, title, id_value):
    page.fill("#id_title", title)
    page.select_option("#id_category", "land_forest")
    page.select_option("#id_source", "grid_inspection")
    page.fill("#id_occurred_on", "2026-11-20")
    page.fill("#id_people_involved", "3")
    page.fill("#id_amount", "800")
    page.fill("#id_facts", "两户因地界石被移动发生争执。")
    page.fill("#id_parties-0-name", "王五")
    page.fill("#id_parties-0-id_number", id_value)
    page.fill("#id_parties-0-phone", "13912345678")
    page.fill("#id_parties-0-address", "一组")
    page.fill("#id_parties-1-name", "赵六")


READ_RECORD = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("mediation-outbox", 1);
    r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error);
  });
  const rows = await new Promise((ok) => {
    const r = db.transaction("intake").objectStore("intake").getAll();
    r.onsuccess = () => ok(r.result);
  });
  db.close();
  window.__replay = rows[0];
  return rows.map((r) => ({ key: r.key, status: r.status, photos: r.photoCount }));
}"""

REPLAY = """async () => {
  const record = window.__replay;
  const data = new FormData();
  for (const [name, value, file] of record.entries) {
    if (name === "csrfmiddlewaretoken") continue;
    if (file) data.append(name, value, file); else data.append(name, value);
  }
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  data.append("csrfmiddlewaretoken", csrf);
  const response = await fetch(record.action, {
    method: "POST", body: data, credentials: "same-origin",
    headers: { "Accept": "application/json", "Idempotency-Key": record.key, "X-CSRFToken": csrf },
  });
  return { status: response.status, body: await response.json() };
}"""


def test_a_report_made_without_signal_is_sent_once_when_it_returns(sign_in, tmp_path):
    out = _shots(tmp_path)
    page = sign_in("grid_worker", PHONE)
    page.goto("/cases/new/")
    # The worker keeps the form and its assets, so it opens again without signal.
    until(page, "navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller)")
    until(page, "caches.match('/cases/new/').then(Boolean)")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("intake-form")).to_be_visible()

    _fill(page, title="地界石纠纷（无信号登记）", id_value=id_number(41))
    page.set_input_files("#id_photos", _photo(tmp_path, "现场.jpg", (30, 120, 60)))
    page.get_by_test_id("submit-intake").click()

    item = page.get_by_test_id("outbox-item")
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("outbox-status")).to_have_text("待发送")
    expect(item).to_contain_text("地界石纠纷（无信号登记）")
    expect(item).to_contain_text("含1张照片")
    expect(page.get_by_test_id("offline-notice")).to_be_visible()
    assert page.input_value("#id_title") == ""  # a fresh form for the next report
    page.screenshot(path=str(out / "offline-intake-pending-360.png"), full_page=True)
    kept = page.evaluate(READ_RECORD)
    assert [(k["status"], k["photos"]) for k in kept] == [("pending", 1)]
    assert not Case.objects.exists()

    page.context.set_offline(False)
    expect(item.get_by_test_id("outbox-status")).to_have_text("已发送", timeout=30_000)
    case = Case.objects.get()
    expect(item.get_by_test_id("outbox-number")).to_have_text(case.number)
    assert case.title == "地界石纠纷（无信号登记）"
    assert list(case.attachments.values_list("name", flat=True)) == ["现场.jpg"]
    page.screenshot(path=str(out / "offline-intake-sent-360.png"), full_page=True)

    replay = page.evaluate(REPLAY)
    assert replay["status"] == 201
    assert replay["body"]["number"] == case.number and replay["body"]["replayed"] is True
    assert Case.objects.count() == 1 and Attachment.objects.count() == 1

    # The queue shows the same outbox.
    page.goto("/queue/")
    expect(page.get_by_test_id("outbox-item").get_by_test_id("outbox-number")).to_have_text(
        case.number
    )


def test_a_wrong_id_number_keeps_every_value_and_both_photos(sign_in, tmp_path):
    out = _shots(tmp_path)
    page = sign_in("grid_worker", PHONE)
    page.goto("/cases/new/")
    good = id_number(42)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    _fill(page, title="地界石纠纷", id_value=wrong)
    page.set_input_files(
        "#id_photos",
        [_photo(tmp_path, "东侧.jpg", (200, 40, 40)), _photo(tmp_path, "西侧.jpg", (40, 40, 200))],
    )
    page.get_by_test_id("submit-intake").click()
    page.wait_for_load_state()

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("身份证号校验位错误")
    expect(summary.locator("a[href='#id_parties-0-id_number']")).to_be_visible()
    page.screenshot(path=str(out / "intake-error-summary-360.png"))
    values = {
        "#id_title": "地界石纠纷",
        "#id_category": "land_forest",
        "#id_source": "grid_inspection",
        "#id_occurred_on": "2026-11-20",
        "#id_people_involved": "3",
        "#id_amount": "800",
        "#id_facts": "两户因地界石被移动发生争执。",
        "#id_parties-0-name": "王五",
        "#id_parties-0-id_number": wrong,
        "#id_parties-0-phone": "13912345678",
        "#id_parties-0-address": "一组",
        "#id_parties-1-name": "赵六",
    }
    for selector, value in values.items():
        assert page.input_value(selector) == value, selector
    held = page.get_by_test_id("held-photos")
    expect(held).to_contain_text("东侧.jpg")
    expect(held).to_contain_text("西侧.jpg")
    assert HeldPhoto.objects.count() == 2 and not Case.objects.exists()

    summary.locator("a[href='#id_parties-0-id_number']").click()
    expect(page.locator("#id_parties-0-id_number")).to_be_in_viewport()
    page.fill("#id_parties-0-id_number", good)
    page.get_by_test_id("submit-intake").click()
    page.wait_for_url(re.compile(r"/cases/\d+/"))
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("name", flat=True)) == ["东侧.jpg", "西侧.jpg"]
    assert case.people_involved == 3 and case.category == "land_forest"
    assert not HeldPhoto.objects.exists()
    page.screenshot(path=str(out / "intake-corrected-case-360.png"))


def test_the_county_officer_picks_a_town_then_a_village(sign_in, tmp_path):
    from grids.models import Area

    out = _shots(tmp_path)
    page = sign_in("county_officer", PHONE)
    page.goto("/cases/new/")
    town_select = page.locator("#id_origin_town")
    expect(town_select).to_be_visible()
    all_places = page.locator("#id_origin option").count()
    town_name = page.locator("#id_origin_town option").nth(2).text_content()
    town_select.select_option(label=town_name)
    places = page.locator("#id_origin option")
    assert 1 < places.count() < all_places
    assert page.locator("#id_origin optgroup").count() == 1
    village_label = places.nth(1).text_content()
    page.select_option("#id_origin", label=village_label)
    page.screenshot(path=str(out / "intake-town-picker-360.png"))
    _fill(page, title="跨组纠纷", id_value=id_number(43))
    # Two taps: the second is ignored and the button is disabled while the first is sent.
    disabled = page.evaluate(
        """() => {
          const form = document.querySelector("[data-intake-form]");
          form.requestSubmit();
          form.requestSubmit();
          return document.querySelector("[data-testid=submit-intake]").disabled;
        }"""
    )
    assert disabled is True
    page.wait_for_url(re.compile(r"/cases/\d+/"))
    case = Case.objects.get()
    assert case.town == Area.objects.get(name=town_name, level="town")
    assert case.origin.name == village_label.split(" · ")[-1]
