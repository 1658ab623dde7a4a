from django.db import models


class RoleKind(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    MEDIATOR = "mediator", "调解员"
    OFFICER = "officer", "工作人员"
    VIEWER = "viewer", "领导查阅"
    ADMIN = "admin", "管理员"
    VOLUNTEER = "volunteer", "平安志愿者"


# A volunteer's light account sees its own duty and log only (community decides); it never
# grants scope over an area's cases or records.
AREA_SCOPE_KINDS = [k for k in RoleKind.values if k != RoleKind.VOLUNTEER]
