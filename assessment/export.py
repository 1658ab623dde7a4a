"""The KPI workbook a county office hands to its leaders: the area's KPIs on the first sheet,
its child areas ranked on the second; Chinese headers, rates as percentages."""

from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from config.exports import safe_cell

from .choices import KPI_FIELDS, RATE_FIELDS, Grade

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
GRADE_LABELS = dict(Grade.choices)


def _cell_format(name: str) -> str:
    if name in RATE_FIELDS:
        return "0.00%"
    if name in {"safety_index"} or name.endswith("_hours") or name.endswith("_days"):
        return "0.00"
    return "0"


def _header(sheet, values):
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _local(moment):
    """A naive local datetime for a cell (a spreadsheet has no time zones)."""
    from django.utils import timezone

    if isinstance(moment, str):
        from django.utils.dateparse import parse_datetime

        moment = parse_datetime(moment)
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def title_text(payload: dict, what: str) -> str:
    """The title row: the area, the period and 数据截至."""
    from django.utils import timezone

    as_of = payload.get("as_of") or payload.get("computed_at")
    stamp = timezone.localtime(as_of).strftime("%Y-%m-%d %H:%M") if as_of else "—"
    return safe_cell(
        f"{payload['area']['name']} {payload['period_label']} {what}（数据截至 {stamp}）"
    )


def _meta(sheet, payload: dict):
    """Label/value rows under the title: the area, the period (real dates) and 数据截至."""
    end = payload.get("period_end")
    sheet.append(["区划", safe_cell(payload["area"]["name"]), "区划代码", payload["area"]["code"]])
    sheet.append(["统计周期", payload["period_label"], "周期代码", payload["period"]])
    if payload.get("period_start"):
        sheet.append(
            [
                "起始日期",
                _local(payload["period_start"]).date(),
                "截止日期（含）",
                (_local(end) - timedelta(days=1)).date(),
            ]
        )
        sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"
    sheet.append(["数据截至", _local(payload.get("as_of") or payload.get("computed_at"))])
    sheet.cell(row=sheet.max_row, column=2).number_format = "yyyy-mm-dd hh:mm"


def _grade_label(code: str) -> str:
    if code == "none":
        return "未达等级"
    return GRADE_LABELS.get(code, "")


STANDING_LABELS = {"ranked": "", "no_cases": "无案件", "no_data": "无数据"}


def kpi_workbook(payload: dict) -> bytes:
    """The workbook for a `kpi_payload(..., breakdown=True)` (with `year_grade`s): the area's
    KPIs, then its child areas ranked; each sheet opens with a title row saying the area, the
    period and 数据截至, and the ranking has a frozen header with an autofilter."""
    title = title_text(payload, "矛盾纠纷化解考核指标")
    book = Workbook()
    summary = book.active
    summary.title = "区域指标"
    summary.append([title])
    summary["A1"].font = Font(bold=True, size=14)
    _meta(summary, payload)
    if payload.get("year_grade"):
        summary.append(
            [f"{payload.get('year', '')}平安创建等级", _grade_label(payload["year_grade"])]
        )
    _header(summary, ["指标", "数值"])
    for name, title_, _ in KPI_FIELDS:
        summary.append([title_, payload["kpis"].get(name)])
        summary.cell(row=summary.max_row, column=2).number_format = _cell_format(name)
    _autowidth(summary, [30, 18, 14, 16])

    ranked = book.create_sheet("下级排名")
    ranked.append([title])
    ranked["A1"].font = Font(bold=True, size=14)
    headers = ["排名", "区划代码", "名称", "排名说明", "年度等级"] + [t for _, t, _ in KPI_FIELDS]
    _header(ranked, headers)
    first = len(headers) - len(KPI_FIELDS) + 1
    for row in payload.get("children", []):
        ranked.append(
            [
                row["rank"],
                row["area"]["code"],
                safe_cell(row["area"]["name"]),
                STANDING_LABELS.get(row.get("standing", ""), ""),
                _grade_label(row.get("year_grade", "")),
            ]
            + [row["kpis"].get(name) for name, _, _ in KPI_FIELDS]
        )
        for offset, (name, _, _) in enumerate(KPI_FIELDS, start=first):
            ranked.cell(row=ranked.max_row, column=offset).number_format = _cell_format(name)
    ranked.freeze_panes = "D3"
    last = get_column_letter(len(headers))
    ranked.auto_filter.ref = f"A2:{last}{ranked.max_row}"
    _autowidth(ranked, [6, 15, 14, 9, 9] + [max(10, min(16, len(t) * 2)) for _, t, _ in KPI_FIELDS])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _autowidth(sheet, widths):
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def bulletin_workbook(payload: dict, *, villages: list, overdue: list, late: list) -> bytes:
    """The monthly bulletin (工作通报): the area's KPIs, units ranked, overdue and supervised
    cases, and the units that missed deadlines. No personal data: case numbers and titles only."""
    from django.utils import timezone

    from cases.choices import Level, Status

    area, label = payload["area"], payload["period_label"]
    book = Workbook()
    summary = book.active
    summary.title = "通报概况"
    summary.append([f"{area['name']}矛盾纠纷多元化解工作通报（{label}）"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["区划代码", area["code"]])
    _header(summary, ["指标", "数值"])
    for name, title, _ in KPI_FIELDS:
        summary.append([title, payload["kpis"].get(name)])
        summary.cell(row=summary.max_row, column=2).number_format = _cell_format(name)
    summary.append([])
    summary.append(["超期、督办未结案件", len(overdue)])
    summary.append(["本期超期单位", len(late)])
    _autowidth(summary, [30, 18])

    for title, rows, parent_header in (
        ("下级排名", payload.get("children", []), None),
        ("村（社区）排名", villages, "镇内排名"),
    ):
        if not rows:
            continue
        sheet = book.create_sheet(title)
        extra = [parent_header] if parent_header else []
        _header(
            sheet,
            ["排名", *extra, "区划代码", "名称", "平安指数", "化解率", "按期办结率", "受理数"],
        )
        for row in rows:
            kpis = row["kpis"]
            sheet.append(
                [row["rank"]]
                + ([row.get("rank_in_parent")] if parent_header else [])
                + [
                    row["area"]["code"],
                    row["area"]["name"],
                    kpis.get("safety_index"),
                    kpis.get("resolution_rate"),
                    kpis.get("closure_on_time_rate"),
                    kpis.get("intake"),
                ]
            )
            offset = 2 if parent_header else 1
            sheet.cell(row=sheet.max_row, column=offset + 3).number_format = "0.00"
            sheet.cell(row=sheet.max_row, column=offset + 4).number_format = "0.00%"
            sheet.cell(row=sheet.max_row, column=offset + 5).number_format = "0.00%"
        _autowidth(sheet, [8] * (1 + len(extra)) + [18, 16, 12, 12, 12, 10])

    cases_sheet = book.create_sheet("超期督办案件")
    _header(
        cases_sheet,
        ["案件编号", "案件名称", "当前层级", "承办单位", "状态", "承办人", "登记时间", "督办"],
    )
    for case in overdue:
        cases_sheet.append(
            [
                case.number,
                safe_cell(case.title),
                Level(case.level).label,
                case.holder.name,
                Status(case.status).label,
                safe_cell(str(case.assignee)) if case.assignee_id else "",
                timezone.localtime(case.reported_at).replace(tzinfo=None),
                "是" if case.supervised else "",
            ]
        )
        cases_sheet.cell(row=cases_sheet.max_row, column=7).number_format = "yyyy-mm-dd hh:mm"
    _autowidth(cases_sheet, [22, 30, 10, 16, 10, 12, 18, 8])

    late_sheet = book.create_sheet("超期单位")
    _header(late_sheet, ["区划代码", "单位", "分派超期", "响应超期", "办结超期", "合计"])
    for row in late:
        late_sheet.append(
            [
                row["area"]["code"],
                safe_cell(row["area"]["name"]),
                row["assign"],
                row["respond"],
                row["resolve"],
                row["total"],
            ]
        )
    _autowidth(late_sheet, [18, 16, 10, 10, 10, 8])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
