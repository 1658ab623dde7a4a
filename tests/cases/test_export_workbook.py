"""The case workbook an office hands upward: a title row with the area, the window and
数据截至, a frozen header with an autofilter, column widths, real date cells, the parties in
their own (masked) columns, formulas quoted; written in streaming mode."""

from datetime import datetime, timedelta
from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from tests.builders import id_number, party, report


def _book(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(BytesIO(response.content))["案件"]


def test_case_workbook_has_title_frozen_header_filter_widths_dates_and_party_columns(cast, api):
    case = report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        title='=HYPERLINK("http://x")',
        parties=[
            party("甲", "applicant", 11),
            party("乙", "applicant", 13),
            party("+丙", "respondent", 15),
        ],
    )
    client = api(cast.town_officer_a)
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    as_of = timezone.now() + timedelta(minutes=1)
    sheet = _book(
        client.get(
            "/api/v1/cases/export.xlsx",
            {
                "area": cast.areas.town_a.pk,
                "reported_after": start.isoformat(),
                "reported_before": (start + timedelta(days=40)).replace(day=1).isoformat(),
                "as_of": as_of.isoformat(),
            },
        )
    )
    title = sheet["A1"].value
    assert title.startswith("彭镇 矛盾纠纷案件清单")
    assert f"登记时间 {start:%Y-%m-%d} 至 " in title
    # 数据截至: the moment asked for, never later than now.
    assert "数据截至 " in title
    stated = datetime.strptime(title.split("数据截至 ")[1][:16], "%Y-%m-%d %H:%M")
    assert stated <= timezone.localtime().replace(tzinfo=None)
    header = [c.value for c in sheet[2]]
    assert header[:2] == ["案件编号", "案件名称"]
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(row=2, column=len(header)).column_letter}3"
    assert sheet.column_dimensions["A"].width >= 20
    assert sheet.column_dimensions["B"].width >= 25
    row = dict(zip(header, [c for c in sheet[3]], strict=True))
    assert row["案件编号"].value == case.number
    assert row["案件名称"].value == '\'=HYPERLINK("http://x")', "a formula is quoted"
    reported = row["登记时间"]
    assert isinstance(reported.value, datetime) and reported.number_format == "yyyy-mm-dd hh:mm"
    assert reported.value == timezone.localtime(case.reported_at).replace(
        tzinfo=None, microsecond=reported.value.microsecond
    )
    assert row["结案时间"].value is None
    assert row["申请人"].value == "甲、乙"
    assert row["被申请人"].value == "'+丙"
    applicant_ids = row["申请人身份证号"].value.split("、")
    assert len(applicant_ids) == 2 and all("********" in v for v in applicant_ids)
    assert id_number(11) not in applicant_ids[0] and applicant_ids[0].startswith(id_number(11)[:6])
    assert "****" in row["申请人电话"].value
    assert "********" in row["被申请人身份证号"].value


def test_case_workbook_title_without_filters_says_now_and_the_users_area(cast, api):
    report(cast.grid_worker_a, cast.areas.grid_a1)
    sheet = _book(api(cast.town_officer_a).get("/api/v1/cases/export.xlsx"))
    assert sheet["A1"].value.startswith("彭镇 矛盾纠纷案件清单（登记时间 不限；数据截至 ")
    assert sheet.max_row == 3


def test_a_junk_as_of_is_a_400(cast, api):
    response = api(cast.town_officer_a).get("/api/v1/cases/export.xlsx", {"as_of": "yesterday"})
    assert response.status_code == 400 and "as_of" in response.json()
