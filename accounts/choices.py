from django.db import models


class RoleKind(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    MEDIATOR = "mediator", "调解员"
    OFFICER = "officer", "工作人员"
    VIEWER = "viewer", "领导查阅"
    ADMIN = "admin", "管理员"
    VOLUNTEER = "volunteer", "平安志愿者"
    LIAISON = "liaison", "联动单位联络人"


# A volunteer's light account sees its own duty and log only (community decides); it never
# grants scope over an area's cases or records.
# A liaison (a person of an agency, DESIGN.md §15) sees the referrals to their agency and the
# cases they concern, and a village police officer the villages they 包联: never an area.
AREA_SCOPE_KINDS = [k for k in RoleKind.values if k not in (RoleKind.VOLUNTEER, RoleKind.LIAISON)]


class AgencyKind(models.TextChoices):
    """Agencies beside people's mediation (三调联动, DESIGN.md §15)."""

    POLICE = "police", "派出所"
    COURT = "court", "人民法院"
    TRIBUNAL = "tribunal", "人民法庭"
    PROCURATORATE = "procuratorate", "人民检察院"
    PETITION = "petition", "信访局"
    ADMINISTRATIVE = "administrative", "行政部门"
    LAW_FIRM = "law_firm", "律师事务所"
