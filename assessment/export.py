"""The KPI workbook a county office hands to its leaders: the area's KPIs on the first sheet,
its child areas ranked on the second; Chinese headers, rates as percentages."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

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
                row["area"]["name"],
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
