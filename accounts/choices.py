from django.db import models


class RoleKind(models.TextChoices):
    GRID_WORKER = "grid_worker", "网格员"
    MEDIATOR = "mediator", "调解员"
    OFFICER = "officer", "工作人员"
    VIEWER = "viewer", "领导查阅"
    ADMIN = "admin", "管理员"
