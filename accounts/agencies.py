"""Agencies beside people's mediation (三调联动, DESIGN.md §15) and their people: police stations,
courts and people's tribunals, procuratorates, petition offices, administrative departments and
lawyers' offices, each attached to an area; and 一村一警, the police officer of each village."""

from django.conf import settings
from django.db import models

from .choices import AgencyKind


class Agency(models.Model):
    """An organisation that refers disputes to mediation or takes them from it."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=AgencyKind.choices)
    # For an administrative department: which (人社, 市场监管, 住建, 自然资源, 交通…).
    department = models.CharField("部门", max_length=30, blank=True)
    area = models.ForeignKey(
        "grids.Area", verbose_name="所在区划", on_delete=models.PROTECT, related_name="agencies"
    )
    # The county the agency belongs to (its area's county, or the area itself): referrals stay
    # inside one county.
    county = models.ForeignKey(
        "grids.Area", verbose_name="所属县", on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField("电话", max_length=30, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "联动单位"
        verbose_name_plural = "联动单位"
        ordering = ["county_id", "kind", "code"]
        indexes = [models.Index(fields=["county", "kind"], name="agency_county_kind")]

    def __str__(self):
        return self.name


class AgencyMember(models.Model):
    """A person of an agency (a liaison user): sees and answers the agency's referrals."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_memberships"
    )
    title = models.CharField("职务", max_length=30, blank=True)

    class Meta:
        verbose_name = "联动单位人员"
        verbose_name_plural = "联动单位人员"
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="agency_member_unique")
        ]

    def __str__(self):
        return f"{self.user} · {self.agency}"


class PoliceBeat(models.Model):
    """一村一警: the police officer who 包联 a village (one per village), a member of its
    station; they receive the village's red-risk cases and see its cases read-only."""

    village = models.OneToOneField(
        "grids.Area",
        verbose_name="村（社区）",
        on_delete=models.CASCADE,
        related_name="police_beat",
    )
    member = models.ForeignKey(
        AgencyMember, verbose_name="包联民警", on_delete=models.CASCADE, related_name="beats"
    )

    class Meta:
        verbose_name = "一村一警"
        verbose_name_plural = "一村一警"

    def __str__(self):
        return f"{self.village.name} · {self.member.user}"
