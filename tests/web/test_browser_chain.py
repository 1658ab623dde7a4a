"""The whole chain in a real browser, as the demo accounts: a grid worker reports a dispute on a
phone, the village mediator claims, responds and escalates, the town officer assigns, resolves
with an agreement, follows up and closes; the county dashboard draws its charts and exports to
Excel; a mediator of another village gets the 404 page for the case."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from accounts.models import User
from cases.models import Case, CaseEvent
from mediation.services import document_record

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# A valid GB 11643 number (check digit X) and one with the last digit changed.
VALID_ID = "11010519491231002X"
BROKEN_ID = "110105194912310021"
# 1x1 transparent PNG: the "photo from the camera".
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)

CANVAS_INK = """(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  if (!canvas) return -1;
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) inked++;
  return inked;
}"""


def _status(page):
    return page.get_by_test_id("case-status").inner_text()


def _open_action(page, name):
    page.locator(f'details[data-action="{name}"] > summary').click()
    return page.locator(f'details[data-action="{name}"] form')


def test_a_dispute_goes_from_grid_to_town_and_closes(sign_in, live_server):
    # 1. The grid worker reports on a 360 px phone.
    grid = sign_in("grid_worker", PHONE)
    assert grid.url.endswith("/queue/")
    grid.get_by_test_id("new-case").click()
    expect(grid.get_by_test_id("intake-form")).to_be_visible()
    assert grid.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    grid.fill("#id_title", "王某与李某宅基地界址纠纷")
    grid.select_option("#id_category", "housing_homestead")
    grid.select_option("#id_source", "grid_inspection")
    grid.check("#id_risk_1")  # yellow
    assert grid.locator("#id_origin option:checked").inner_text().strip() != "请选择"
    grid.fill("#id_people_involved", "2")
    grid.fill("#id_facts", "两户因院墙位置发生争执，双方情绪激动。")
    grid.fill("#id_parties-0-name", "王某")
    grid.select_option("#id_parties-0-role", "applicant")
    # The ID check digit is checked as soon as the field is left.
    grid.fill("#id_parties-0-id_number", BROKEN_ID)
    grid.locator("#id_parties-0-phone").focus()
    expect(grid.locator("#id_parties-0-id_number ~ .js-error")).to_contain_text("校验位")
    grid.fill("#id_parties-0-id_number", VALID_ID)
    grid.fill("#id_parties-0-phone", "13800138000")
    grid.locator("#id_parties-1-name").focus()
    expect(grid.locator("#id_parties-0-id_number ~ .js-error")).to_have_text("")
    grid.fill("#id_parties-1-name", "李某")
    grid.select_option("#id_parties-1-role", "respondent")
    grid.fill("#id_parties-1-phone", "1391234")  # too short: shown inline
    grid.locator("#id_parties-1-address").focus()
    expect(grid.locator("#id_parties-1-phone ~ .js-error")).to_contain_text("手机号")
    grid.fill("#id_parties-1-phone", "13912345678")
    photos = grid.get_by_test_id("photos")
    assert photos.get_attribute("accept") == "image/*"
    assert photos.get_attribute("capture") == "environment"
    photos.set_input_files({"name": "scene.png", "mimeType": "image/png", "buffer": PNG})
    grid.get_by_test_id("submit-intake").click()
    expect(grid.get_by_test_id("case-status")).to_have_text("村级·待分派")
    number = grid.get_by_test_id("case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.attachments.count() == 1
    assert "138****8000" in grid.get_by_test_id("parties").inner_text()
    assert VALID_ID not in grid.content()
    case_url = f"/cases/{case.pk}/"

    # 2. The village mediator claims, responds and escalates, on a phone.
    mediator = sign_in("village_mediator", PHONE)
    assert mediator.url.endswith("/queue/")
    expect(mediator.locator(f'[data-number="{number}"]')).to_be_visible()
    mediator.locator(f'[data-number="{number}"]').click()
    mediator.get_by_test_id("do-claim").click()
    expect(mediator.get_by_test_id("case-status")).to_have_text("村级·已分派")
    _open_action(mediator, "respond").locator("textarea").fill("已电话联系双方，约定明日上门。")
    mediator.get_by_test_id("do-respond").click()
    expect(mediator.get_by_test_id("case-status")).to_have_text("村级·调解中")
    _open_action(mediator, "escalate").locator("textarea").fill("双方分歧大，涉及土地确权。")
    mediator.get_by_test_id("do-escalate").click()
    expect(mediator.get_by_test_id("case-status")).to_have_text("镇级·待分派")

    # 3. The town officer finds it first in the inbox, takes it and resolves it.
    town = sign_in("town_officer", DESKTOP)
    assert town.url.endswith("/inbox/")
    first = town.get_by_test_id("inbox").get_by_test_id("case-item").first
    assert first.get_attribute("data-number") == number
    first.click()
    form = _open_action(town, "assign")
    options = form.locator("select option").all_inner_texts()
    own = next(text for text in options if "（本人）" in text)
    form.locator("select").select_option(label=own)
    town.get_by_test_id("do-assign").click()
    expect(town.get_by_test_id("case-status")).to_have_text("镇级·已分派")
    _open_action(town, "respond").locator("textarea").fill("约双方到镇综治中心调解。")
    town.get_by_test_id("do-respond").click()
    expect(town.get_by_test_id("case-status")).to_have_text("镇级·调解中")
    # Each party's consent and rights notice before the first session (art. 17, 23).
    for p in case.parties.order_by("id"):
        form = _open_action(town, f"consent-{p.pk}")
        form.locator('label:has(input[value="consent"])').click()
        form.locator('select[name="notice_method"]').select_option("written")
        town.get_by_test_id(f"do-consent-{p.pk}").click()
        expect(town.locator(".messages")).to_contain_text("已记录当事人意愿")
    form = _open_action(town, "session")
    form.locator('input[name="place"]').fill("镇综治中心调解室")
    form.locator('textarea[name="minutes"]').fill("双方陈述意见，经调解同意按原界址重砌院墙。")
    town.get_by_test_id("do-session").click()
    expect(town.get_by_test_id("records")).to_contain_text("镇综治中心调解室")
    form = _open_action(town, "resolve")
    # An oral agreement is in effect when reached (the written one's signing has its own walk,
    # test_browser_agreement.py).
    form.locator('input[name="form"][value="oral"]').check()
    form.locator('textarea[name="terms"]').fill("按1998年确权界址重砌院墙，费用双方各半。")
    town.get_by_test_id("do-resolve").click()
    expect(town.get_by_test_id("case-status")).to_have_text("镇级·调解成功")
    expect(town.get_by_test_id("agreement")).to_contain_text("口头协议")

    # 李某 gave no ID number at intake: a copy of the identity card goes into the file.
    document_record(
        actor=User.objects.get(username="town_officer"),
        case_id=case.pk,
        kind="identity",
        note="李某身份证复印件",
    )

    # 4. A follow-up is recorded (dated, every answer chosen by the user) and the case closes.
    today = town.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Asia/Shanghai'})")
    form = _open_action(town, "follow_up")
    form.locator('input[name="performed_on"]').fill(today)
    for name, value in (
        ("method", "visit"),
        ("performed", "yes"),
        ("satisfaction", "satisfied"),
        ("remaining_risk", "none"),
    ):
        form.locator(f'input[name="{name}"][value="{value}"]').check()
    form.locator('textarea[name="note"]').fill("院墙已重砌，双方满意。")
    town.get_by_test_id("do-follow_up").click()
    expect(town.get_by_test_id("records")).to_contain_text("协议已履行")
    town.reload()
    expect(town.get_by_test_id("file-complete")).to_be_visible()
    _open_action(town, "close")
    town.get_by_test_id("do-close").click()
    expect(town.get_by_test_id("case-status")).to_have_text("镇级·已办结")
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    for kind in ("report", "assign", "respond", "escalate", "resolve", "close"):
        assert kind in kinds
    timeline = town.get_by_test_id("timeline").inner_text()
    assert "上报" in timeline and "结案" in timeline

    # 5. The county dashboard draws its charts and exports to Excel.
    county = sign_in("county_officer", DESKTOP)
    assert county.url.endswith("/dashboard/")
    for chart in ("chart-trend", "chart-ranking"):
        county.wait_for_selector(f'[data-testid="{chart}"] canvas')
        county.wait_for_function(f"({CANVAS_INK})('[data-testid=\"{chart}\"]') > 200")
        assert county.evaluate(CANVAS_INK, f'[data-testid="{chart}"]') > 200
    with county.expect_download() as download:
        county.get_by_test_id("export-kpis").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    cells = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert "化解率" in cells
    # Drill down: county → town → village → the case.
    town_link = county.locator('[data-testid="drill"]', has_text=case.town.name)
    town_link.click()
    expect(county.get_by_test_id("dashboard-title")).to_contain_text(case.town.name)
    county.locator('[data-testid="drill"]', has_text=case.village.name).click()
    expect(county.get_by_test_id("dashboard-title")).to_contain_text(case.village.name)
    county.get_by_test_id("village-cases").click()
    # On the desktop the list is the dense table (the phone's cards are hidden).
    county.locator(f'tr[data-number="{number}"] a').first.click()
    expect(county.get_by_test_id("case-number")).to_have_text(number)
    county.goto("/cases/")
    with county.expect_download() as download:
        county.get_by_test_id("export-cases").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    values = [c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert number in values

    # 6. A mediator of another village: the case does not exist for them.
    other = sign_in("village_mediator_2", PHONE)
    response = other.goto(case_url)
    assert response.status == 404
    expect(other.get_by_test_id("not-found")).to_contain_text("页面不存在")
