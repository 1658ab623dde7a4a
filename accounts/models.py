"""Users and their roles: each role is a kind of work at one area of the tree."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .choices import RoleKind


class User(AbstractUser):
    """A person who signs in: mediator, grid worker, officer, leader or administrator."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username


class Role(models.Model):
    """One (kind, area) a user holds; the area's level says village, town or county."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField("角色", max_length=16, choices=RoleKind.choices)
    area = models.ForeignKey(
        "grids.Area", verbose_name="所属区划", on_delete=models.PROTECT, related_name="roles"
    )
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "area"], name="role_unique_per_user")
        ]
        indexes = [models.Index(fields=["kind", "area"], name="role_kind_area")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.area.name}"


class AuditEntry(models.Model):
    """Every audited act that is not a case event: exports, anonymisation, users and roles,
    committees and mediators, settings, edits in Django admin; kept with the area it concerned
    so admins of that subtree can query it."""

    class Kind(models.TextChoices):
        EXPORT = "export", "导出"
        ANONYMISE = "anonymise", "匿名化"
        USER = "user", "用户"
        ROLE = "role", "角色"
        COMMITTEE = "committee", "调解组织"
        SETTINGS = "settings", "设置"
        ADMIN = "admin", "后台修改"

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries"
    )
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name="涉及区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    what = models.CharField("内容", max_length=100)
    # The object changed, as "app_label.model:pk" (blank for an export).
    target = models.CharField("对象", max_length=100, blank=True)
    params = models.JSONField("条件", default=dict, blank=True)
    rows = models.PositiveIntegerField("行数", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_kind_display()} {self.what}"
        )


from .agencies import Agency, AgencyMember, PoliceBeat  # noqa: E402, F401

# 记住此设备 (accounts/devices.py): the model lives beside its middleware and services.
from .devices import TrustedDevice  # noqa: E402, F401
