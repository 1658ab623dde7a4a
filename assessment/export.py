"""The KPI workbook a county office hands to its leaders: the area's KPIs on the first sheet,
its child areas ranked on the second; Chinese headers, rates as percentages."""

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


def kpi_workbook(payload: dict) -> bytes:
    """The workbook for a `kpi_payload(..., breakdown=True)`."""
    area, label = payload["area"], payload["period_label"]
    book = Workbook()
    summary = book.active
    summary.title = "区域指标"
    summary.append([f"{area['name']} {label} 矛盾纠纷化解考核指标"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["区划代码", area["code"]])
    summary.append(["统计周期", payload["period"]])
    if payload.get("grade"):
        summary.append(["平安创建等级", GRADE_LABELS.get(payload["grade"], payload["grade"])])
    _header(summary, ["指标", "数值"])
    for name, title, _ in KPI_FIELDS:
        summary.append([title, payload["kpis"].get(name)])
        summary.cell(row=summary.max_row, column=2).number_format = _cell_format(name)
    summary.column_dimensions["A"].width = 30
    summary.column_dimensions["B"].width = 18

    ranked = book.create_sheet("下级排名")
    _header(ranked, ["排名", "区划代码", "名称", "平安创建等级"] + [t for _, t, _ in KPI_FIELDS])
    for row in payload.get("children", []):
        ranked.append(
            [
                row["rank"],
                row["area"]["code"],
                safe_cell(row["area"]["name"]),
                GRADE_LABELS.get(row["grade"], ""),
            ]
            + [row["kpis"].get(name) for name, _, _ in KPI_FIELDS]
        )
        for offset, (name, _, _) in enumerate(KPI_FIELDS, start=5):
            ranked.cell(row=ranked.max_row, column=offset).number_format = _cell_format(name)
    ranked.freeze_panes = "D2"
    for column in range(1, 5 + len(KPI_FIELDS)):
        ranked.column_dimensions[get_column_letter(column)].width = 14 if column > 3 else 16
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
