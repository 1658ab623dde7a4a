"""The case list as a spreadsheet (the same filters as the list; personal data masked)."""

from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

from config.exports import safe_cell

EXPORT_COLUMNS = [
    ("案件编号", lambda c: c.number),
    ("案件名称", lambda c: c.title),
    ("纠纷类型", lambda c: c.get_category_display()),
    ("案件来源", lambda c: c.get_source_display()),
    ("风险等级", lambda c: c.get_risk_display()),
    ("当前层级", lambda c: c.get_level_display()),
    ("最高层级", lambda c: c.get_peak_level_display()),
    ("状态", lambda c: c.get_status_display()),
    ("结果", lambda c: c.get_outcome_display() if c.outcome else ""),
    ("发生地", lambda c: c.origin.name),
    ("乡镇", lambda c: c.town.name),
    ("村（社区）", lambda c: c.village.name),
    ("承办单位", lambda c: c.holder.name),
    ("承办人", lambda c: str(c.assignee) if c.assignee else ""),
    ("涉及人数", lambda c: c.people_involved),
    ("重复纠纷", lambda c: "是" if c.repeat_dispute else ""),
    ("登记时间", lambda c: timezone.localtime(c.reported_at).strftime("%Y-%m-%d %H:%M")),
    (
        "结案时间",
        lambda c: (
            timezone.localtime(c.concluded_at).strftime("%Y-%m-%d %H:%M") if c.concluded_at else ""
        ),
    ),
    ("当事人", lambda c: "；".join(_party_cell(p) for p in c.parties.all())),
]


def _party_cell(party) -> str:
    parts = [party.name, party.get_role_display()]
    if party.id_number_masked:
        parts.append(party.id_number_masked)
    if party.phone_masked:
        parts.append(party.phone_masked)
    return " ".join(parts)


def export_workbook(cases) -> bytes:
    """An .xlsx of the cases with Chinese headers and masked personal data."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("案件")
    sheet.append([title for title, _ in EXPORT_COLUMNS])
    for case in cases:
        sheet.append([safe_cell(getter(case)) for _, getter in EXPORT_COLUMNS])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
