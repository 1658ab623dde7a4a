"""The case list as a spreadsheet an office can hand upward (the same filters as the list;
personal data masked): a title row with the area, the period and 数据截至, a frozen header with
an autofilter, column widths, real date cells and the parties in their own columns. Written in
openpyxl's streaming (write-only) mode: rows go to disk as they come."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from config.exports import safe_cell

from .choices import PartyRole

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TITLE_FONT = Font(bold=True, size=13)


def _local(moment):
    """A naive local datetime (a spreadsheet has no time zones), or None."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _parties(role):
    def names(case):
        return "、".join(p.name for p in case.parties.all() if p.role == role)

    def ids(case):
        return "、".join(p.id_number_masked for p in case.parties.all() if p.role == role)

    def phones(case):
        return "、".join(p.phone_masked for p in case.parties.all() if p.role == role)

    return names, ids, phones


_applicant = _parties(PartyRole.APPLICANT)
_respondent = _parties(PartyRole.RESPONDENT)

# (header, value, width, is a date-time)
EXPORT_COLUMNS = [
    ("案件编号", lambda c: c.number, 21, False),
    ("案件名称", lambda c: c.title, 30, False),
    ("纠纷类型", lambda c: c.get_category_display(), 11, False),
    ("案件来源", lambda c: c.get_source_display(), 11, False),
    ("风险等级", lambda c: c.get_risk_display(), 8, False),
    ("当前层级", lambda c: c.get_level_display(), 8, False),
    ("最高层级", lambda c: c.get_peak_level_display(), 8, False),
    ("状态", lambda c: c.get_status_display(), 8, False),
    ("结果", lambda c: c.get_outcome_display() if c.outcome else "", 10, False),
    ("发生地", lambda c: c.origin.name, 16, False),
    ("乡镇", lambda c: c.town.name, 12, False),
    ("村（社区）", lambda c: c.village.name, 14, False),
    ("承办单位", lambda c: c.holder.name, 14, False),
    ("承办人", lambda c: str(c.assignee) if c.assignee else "", 10, False),
    ("涉及人数", lambda c: c.people_involved, 8, False),
    ("重复纠纷", lambda c: "是" if c.repeat_dispute else "", 8, False),
    ("登记时间", lambda c: _local(c.reported_at), 17, True),
    ("结案时间", lambda c: _local(c.concluded_at), 17, True),
    ("申请人", _applicant[0], 14, False),
    ("申请人身份证号", _applicant[1], 21, False),
    ("申请人电话", _applicant[2], 14, False),
    ("被申请人", _respondent[0], 14, False),
    ("被申请人身份证号", _respondent[1], 21, False),
    ("被申请人电话", _respondent[2], 14, False),
]


@dataclass
class ExportTitle:
    """What the title row says: the area, the report-time window and the moment of the data."""

    area: str
    after: datetime | None
    before: datetime | None
    as_of: datetime

    def text(self) -> str:
        if self.after or self.before:
            since = _day(self.after) if self.after else "最早"
            until = _until(self.before) if self.before else "至今"
            window = f"登记时间 {since} 至 {until}"
        else:
            window = "登记时间 不限"
        stamp = timezone.localtime(self.as_of).strftime("%Y-%m-%d %H:%M")
        return safe_cell(f"{self.area} 矛盾纠纷案件清单（{window}；数据截至 {stamp}）")


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d")


def _until(moment) -> str:
    """An exclusive end: a midnight is shown as the day before (1–30, not 1–1)."""
    local = timezone.localtime(moment)
    if local.time() == time(0):
        return (local - timedelta(days=1)).strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")


def _cell(sheet, value, *, font=None, fill=None, number_format=None, wrap=False):
    cell = WriteOnlyCell(sheet, value=value)
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if number_format:
        cell.number_format = number_format
    if wrap:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


def export_workbook(cases, title: ExportTitle | None = None) -> bytes:
    """An .xlsx of the cases with Chinese headers and masked personal data."""
    title = title or ExportTitle(area="", after=None, before=None, as_of=timezone.now())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("案件")
    # Sheet views and column widths precede the rows in the file: set them first.
    sheet.freeze_panes = "B3"
    for index, (_, _, width, _) in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.append([_cell(sheet, title.text(), font=TITLE_FONT)])
    sheet.append(
        [
            _cell(sheet, header, font=HEADER_FONT, fill=HEADER_FILL, wrap=True)
            for header, _, _, _ in EXPORT_COLUMNS
        ]
    )
    rows = 0
    for case in cases:
        sheet.append(
            [
                _cell(sheet, getter(case), number_format=DATETIME_FORMAT)
                if is_date
                else safe_cell(getter(case))
                for _, getter, _, is_date in EXPORT_COLUMNS
            ]
        )
        rows += 1
    last = get_column_letter(len(EXPORT_COLUMNS))
    sheet.auto_filter.ref = f"A2:{last}{2 + rows}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
