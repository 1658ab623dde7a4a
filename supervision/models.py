"""督查督办 as records (DESIGN.md §18): a 督办 on a case or on a lower unit with its feedback,
and the letters the offices issue and keep (提醒函, 工作通报), numbered per county and year.
No workflow lives here: see services.py."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .choices import LetterKind, SupervisionStatus


class Supervision(models.Model):
    """A 督办: an officer above asks a unit (a town or village office) to act on a case or on its
    work by a deadline; the unit's feedback closes it, the opener may return it."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="案件",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    unit = models.ForeignKey(
        "grids.Area", verbose_name="责任单位", on_delete=models.PROTECT, related_name="+"
    )
    # The unit's ancestors, copied so scoping is one indexed filter (as on cases).
    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(
        "grids.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "grids.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("督办事由")
    due_at = models.DateTimeField("反馈期限")
    status = models.CharField(
        "状态", max_length=8, choices=SupervisionStatus.choices, default=SupervisionStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("督办时间")
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="反馈人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The deadline the sweep reminded of: set once per deadline by a compare-and-set, so two
    # sweeps at once remind once (a returned 督办 with a new deadline is reminded again).
    reminded_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"], name="supervision_open_due", condition=Q(status="open")
            ),
            models.Index(
                fields=["due_at"],
                name="supervision_to_remind",
                condition=Q(status="open") & ~Q(reminded_due=F("due_at")),
            ),
            models.Index(fields=["unit", "-opened_at"], name="supervision_unit"),
            models.Index(fields=["county", "-opened_at"], name="supervision_county"),
            models.Index(fields=["town", "-opened_at"], name="supervision_town"),
            models.Index(fields=["village", "-opened_at"], name="supervision_village"),
        ]

    def __str__(self):
        return f"督办 {self.pk} {self.unit_id}"


def feedback_path(instance, filename):
    return f"supervision/{instance.supervision_id}/{filename}"


class Feedback(models.Model):
    """The unit's answer (反馈) to a 督办, with an optional attachment; kept when returned."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="feedbacks")
    text = models.TextField("反馈内容")
    file = models.FileField("附件", upload_to=feedback_path, blank=True)
    file_name = models.CharField("附件名", max_length=200, blank=True)
    file_type = models.CharField("附件类型", max_length=100, blank=True)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="反馈人", on_delete=models.PROTECT, related_name="+"
    )
    given_at = models.DateTimeField("反馈时间")
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)

    class Meta:
        verbose_name = "督办反馈"
        verbose_name_plural = "督办反馈"
        ordering = ["given_at", "id"]


class LetterSequence(models.Model):
    """The last number given to one kind of letter in one county and year; locked while taken."""

    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=LetterKind.choices)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "文书编号序列"
        verbose_name_plural = "文书编号序列"
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "year"], name="letter_sequence_unique"
            )
        ]


def letter_path(instance, filename):
    return f"letters/{instance.county_id}/{instance.year}/{filename}"


class Letter(models.Model):
    """An issued document, kept as the file that was issued: a 提醒函 to a lagging unit or the
    county's monthly 工作通报; numbered 〔year〕第N号 per county, kind and year."""

    kind = models.CharField("文书类型", max_length=16, choices=LetterKind.choices)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=40)
    title = models.CharField("标题", max_length=200)
    # The addressee (提醒函) or the area reported on (工作通报), with its ancestors for scope.
    area = models.ForeignKey(
        "grids.Area", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(
        "grids.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    village = models.ForeignKey(
        "grids.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_key = models.CharField("考核周期", max_length=8)
    figures = models.JSONField("主要数据", default=dict)
    file = models.FileField("文件", upload_to=letter_path)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("签发时间")

    class Meta:
        verbose_name = "督办文书"
        verbose_name_plural = "督办文书"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind", "year", "serial"], name="letter_number_unique"
            )
        ]
        indexes = [
            models.Index(fields=["area", "-issued_at"], name="letter_area"),
            models.Index(fields=["county", "kind", "-issued_at"], name="letter_county"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"
