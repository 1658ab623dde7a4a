"""Spreadsheets of the mediation records: the monthly 以奖代补 sheet."""

from datetime import date
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from config.exports import safe_cell


def reward_sheet_workbook(sheet: dict, month: date, rewards) -> bytes:
    """The month's sheet (per mediator, per committee) and its detail rows, as xlsx bytes."""
    book = Workbook()
    first = book.active
    first.title = "按调解员"
    bold = Font(bold=True)
    title = f"{month.year}年{month.month}月以奖代补发放表"
    for ws, key, head in (
        (first, "mediators", "调解员"),
        (book.create_sheet("按调解组织"), "committees", "调解组织"),
    ):
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append(["序号", head, "案件数", "金额（元）"])
        for cell in ws[2]:
            cell.font = bold
        for index, row in enumerate(sheet[key], start=1):
            ws.append([index, safe_cell(row["name"]), row["cases"], float(row["amount"])])
        ws.append(["合计", "", sheet["cases"], float(sheet["total"])])
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["D"].width = 14
    detail = book.create_sheet("明细")
    detail.append(["案件编号", "案件名称", "调解员", "调解组织", "难易程度", "金额（元）"])
    for reward in rewards.order_by("id"):
        detail.append(
            [
                reward.case.number,
                safe_cell(reward.case.title),
                safe_cell(str(reward.mediator)),
                safe_cell(reward.committee.name if reward.committee else ""),
                reward.get_difficulty_display(),
                float(reward.amount),
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
