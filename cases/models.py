"""Cases, their parties and attachments, the append-only event log, and each level's
handling period with its clocks. No workflow lives here: see services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import (
    Category,
    DeadlineKind,
    DeadlineUnit,
    EventKind,
    Level,
    Outcome,
    PartyRole,
    PeriodEnd,
    PeriodEntry,
    Risk,
    Source,
    Status,
)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one scope method: cases whose origin lies under one of the user's roles
        (grid workers: their grid's cases and what they reported themselves)."""
        from accounts.selectors import scope_for

        scope = scope_for(user)
        if scope.is_superuser:
            return self
        condition = scope.area_q()
        if scope.roles_of("grid_worker"):
            condition |= Q(reported_by=user)
        if scope.agency_ids:
            # A liaison: the cases referred to or by their agencies (DESIGN.md §15).
            from .referral_models import Referral

            referred = Referral.objects.filter(agency_id__in=scope.agency_ids)
            condition |= Q(pk__in=referred.values("case_id"))
        if scope.beat_village_ids:
            # 一村一警: the police officer of a village reads its cases.
            condition |= Q(village_id__in=scope.beat_village_ids)
        if scope.agency_ids:
            # 三官一律: a person of an agency reads the cases they were consulted on (the
            # consultations' table is the mediation app's, reached through its relation).
            consulted = self.model._base_manager.filter(consultations__consultant_id=user.pk)
            condition |= Q(pk__in=consulted.values("pk"))
        return self.filter(condition)


class CaseNumberSequence(models.Model):
    """The last number given in one county and year; locked while a number is taken."""

    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "案件编号序列"
        verbose_name_plural = "案件编号序列"
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="case_number_seq_unique")
        ]


class Case(models.Model):
    """A dispute (矛盾纠纷案件) from intake to closure, scoped by its origin's ancestors."""

    number = models.CharField("案件编号", max_length=32, unique=True)
    title = models.CharField("案件名称", max_length=200)
    facts = models.TextField("纠纷事实", max_length=10000)
    category = models.CharField("纠纷类型", max_length=32, choices=Category.choices)
    source = models.CharField("案件来源", max_length=32, choices=Source.choices)
    risk = models.CharField("风险等级", max_length=8, choices=Risk.choices, default=Risk.GREEN)
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    amount = models.DecimalField(
        "涉及金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    people_involved = models.PositiveIntegerField("涉及人数", default=2)

    # Origin (a grid or a village) and its ancestors, copied so scoping is one indexed filter.
    origin = models.ForeignKey(
        "grids.Area", verbose_name="发生地", on_delete=models.PROTECT, related_name="+"
    )
    # The (level, -reported_at, -id) indexes of Meta serve these columns' lookups and joins,
    # and the list's order: a plain index on the column alone would tempt the planner into
    # reading a whole village and sorting it.
    province = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    county = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    town = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    grid = models.ForeignKey(
        "grids.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    level = models.CharField("当前层级", max_length=8, choices=Level.choices)
    peak_level = models.CharField("最高层级", max_length=8, choices=Level.choices)
    # The area whose office holds the case now (the village, town or county of `level`).
    holder = models.ForeignKey(
        "grids.Area", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField("结案说明", blank=True)
    supervised = models.BooleanField("督办", default=False)
    repeat_dispute = models.BooleanField("重复纠纷", default=False)

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    reported_at = models.DateTimeField("登记时间")
    resolved_at = models.DateTimeField("调解成功时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # When the final outcome was reached (resolved, or closed without agreement): KPIs count it.
    concluded_at = models.DateTimeField("结案时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["county", "-reported_at", "-id"], name="case_county_reported"),
            models.Index(fields=["town", "-reported_at", "-id"], name="case_town_reported"),
            models.Index(fields=["village", "-reported_at", "-id"], name="case_village_reported"),
            models.Index(fields=["grid", "-reported_at", "-id"], name="case_grid_reported"),
            models.Index(fields=["city", "-reported_at", "-id"], name="case_city_reported"),
            models.Index(fields=["-reported_at", "-id"], name="case_reported"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["reported_by", "-reported_at"], name="case_reporter"),
            models.Index(fields=["county", "concluded_at"], name="case_county_concluded"),
            # The few supervised cases (督办), for the dashboards' overdue panel.
            models.Index(
                fields=["county", "-id"], name="case_supervised", condition=Q(supervised=True)
            ),
            # Resolved cases waiting for their first follow-up (the overdue rule's follow-ups).
            models.Index(
                fields=["resolved_at"], name="case_resolved_open", condition=Q(status="resolved")
            ),
            # The same, one county's: the dashboard's overdue panel (cases.overdue.Under).
            models.Index(
                fields=["county", "resolved_at"],
                name="case_resolved_county",
                condition=Q(status="resolved"),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class Party(models.Model):
    """A party to the case (当事人). ID number and phone are encrypted at rest; keyed hashes
    of both find the same person in other cases (and the search by a full number)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField("姓名/名称", max_length=100)
    role = models.CharField("身份", max_length=16, choices=PartyRole.choices)
    id_number_encrypted = models.BinaryField("身份证号（密文）", null=True, blank=True)
    id_number_hash = models.CharField("身份证号索引", max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField("身份证号（脱敏）", max_length=32, blank=True)
    phone_encrypted = models.BinaryField("电话（密文）", null=True, blank=True)
    phone_masked = models.CharField("电话（脱敏）", max_length=32, blank=True)
    phone_hash = models.CharField("电话索引", max_length=64, blank=True, db_index=True)
    address = models.CharField("住址", max_length=200, blank=True)
    area = models.ForeignKey(
        "grids.Area",
        verbose_name="居住地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["id"]
        indexes = [models.Index(fields=["name"], name="party_name")]

    def __str__(self):
        return self.name


def attachment_path(instance, filename):
    return f"cases/{instance.case_id}/{filename}"


class Attachment(models.Model):
    """Evidence (photos, scans) stored through Django's storage API, served by a scoped view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]


class CaseEvent(models.Model):
    """One action on a case (append-only): who, when, from/to state and level, note, data."""

    # No index of its own: `event_case_time` leads with the case (one index fewer to write on
    # every event, the largest table).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField("动作", max_length=16, choices=EventKind.choices)
    # Null actor: the system (the sweep).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    from_level = models.CharField(max_length=8, choices=Level.choices, blank=True)
    to_level = models.CharField(max_length=8, choices=Level.choices, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "案件动态"
        verbose_name_plural = "案件动态"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Case events are append-only.")


class HandlingPeriod(models.Model):
    """One level's turn with a case and its clocks; `next_deadline` is the earliest of them not
    yet met (the lists' deadline sort). What the sweep has still to act on, the next deadline
    still ahead or not yet acted on that the lists and the case page show, is the period's
    cursor (`PeriodCursor`), in a table of its own."""

    # No index of its own: `period_case_open` leads with the case (one index fewer to write
    # on every period).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="periods", db_index=False)
    level = models.CharField("层级", max_length=8, choices=Level.choices)
    area = models.ForeignKey(
        "grids.Area", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    entered_by = models.CharField(max_length=16, choices=PeriodEntry.choices)
    red = models.BooleanField("按高风险时限", default=False)
    arrived_at = models.DateTimeField("到达时间")
    assign_due = models.DateTimeField("分派期限")
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    respond_due = models.DateTimeField("响应期限", null=True, blank=True)
    responded_at = models.DateTimeField("响应时间", null=True, blank=True)
    resolve_due = models.DateTimeField("办结期限")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=PeriodEnd.choices, blank=True)
    next_deadline = models.DateTimeField("下一期限", null=True, blank=True)
    next_deadline_kind = models.CharField(max_length=16, choices=DeadlineKind.choices, blank=True)

    class Meta:
        verbose_name = "办理时段"
        verbose_name_plural = "办理时段"
        ordering = ["arrived_at", "id"]
        indexes = [
            # The open cases by their earliest deadline not met, overdue first (the lists'
            # deadline sort), in index order. The sweep never writes it.
            models.Index(
                fields=["next_deadline", "id"],
                name="period_next_deadline_open",
                condition=Q(ended_at__isnull=True, next_deadline__isnull=False),
            ),
            models.Index(fields=["case", "ended_at"], name="period_case_open"),
            # The overdue rule (cases.overdue): each stage of the open periods, missing its event.
            models.Index(
                fields=["assign_due"],
                name="period_assign_late",
                condition=Q(ended_at__isnull=True, assigned_at__isnull=True),
            ),
            models.Index(
                fields=["respond_due"],
                name="period_respond_late",
                condition=Q(ended_at__isnull=True, responded_at__isnull=True),
            ),
            models.Index(
                fields=["resolve_due"],
                name="period_resolve_late",
                condition=Q(ended_at__isnull=True),
            ),
            # The closure KPI: resolve deadlines that fell in a period, of periods that ended
            # (after it: late); the open ones are on `period_resolve_late`. Partial, so a walk of
            # the open periods in deadline order never takes it.
            # The same, by the unit that holds the period: a county's panel reads its own units'
            # late periods (cases.overdue.Under), not every county's.
            models.Index(
                fields=["area", "assign_due"],
                name="period_assign_late_at",
                condition=Q(ended_at__isnull=True, assigned_at__isnull=True),
            ),
            models.Index(
                fields=["area", "respond_due"],
                name="period_respond_late_at",
                condition=Q(ended_at__isnull=True, responded_at__isnull=True),
            ),
            models.Index(
                fields=["area", "resolve_due"],
                name="period_resolve_late_at",
                condition=Q(ended_at__isnull=True),
            ),
            models.Index(
                fields=["resolve_due"],
                name="period_resolve_due_ended",
                condition=Q(ended_at__isnull=False),
            ),
            models.Index(fields=["arrived_at"], name="period_arrived"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="period_one_open_per_case"
            )
        ]


class PeriodCursor(models.Model):
    """The sweep's cursor on an open handling period: the deadline it has still to act on
    (`next_deadline`, of `next_deadline_kind`); or, with `acted_due` set, parked on the resolve
    deadline it acted on with nothing left after it (a supervised county case: out of the
    sweep's look until the period's clocks change). One row per open period (`cases.clocks`),
    gone when the period ends.

    A table of its own because the sweep moves a cursor for every breach it acts on: here that
    writes a narrow row and its index, where on the period it wrote the period's dozen
    indexes again (an update of an indexed column is never a heap-only update)."""

    period = models.OneToOneField(
        HandlingPeriod, primary_key=True, on_delete=models.CASCADE, related_name="cursor"
    )
    next_deadline = models.DateTimeField()
    next_deadline_kind = models.CharField(max_length=16, choices=DeadlineKind.choices)
    acted_due = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "超期巡检游标"
        verbose_name_plural = "超期巡检游标"
        indexes = [
            # What the sweep has still to act on (`cases.sweep._due_periods`), in the order it
            # takes a batch: a batch reads its rows in index order and stops, never sorting all
            # that is due; the parked cursors are not in it.
            models.Index(
                fields=["next_deadline", "period"],
                name="cursor_to_act",
                condition=Q(acted_due__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.period_id}: {self.next_deadline_kind} {self.next_deadline}"


class Breach(models.Model):
    """A deadline that passed and what the sweep did about it; unique per subject and kind,
    so a breach is acted on exactly once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="breaches")
    period = models.ForeignKey(
        HandlingPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="breaches"
    )
    kind = models.CharField("超期类型", max_length=32)
    # What the deadline belongs to, e.g. "period:17", "followup:42", "consultation:9".
    subject = models.CharField(max_length=64)
    due_at = models.DateTimeField("期限")
    detected_at = models.DateTimeField("发现时间")
    action = models.CharField("处理", max_length=32, blank=True)

    class Meta:
        verbose_name = "超期记录"
        verbose_name_plural = "超期记录"
        constraints = [
            models.UniqueConstraint(fields=["subject", "kind"], name="breach_once_per_subject")
        ]
        indexes = [models.Index(fields=["detected_at"], name="breach_detected")]


class SlaPolicy(models.Model):
    """The handling deadlines of one level, for red-risk cases or the others (DESIGN.md §7),
    by default or for one county; read whenever a handling period opens."""

    # Blank: the default every county starts from (Django admin); set: one county's own rows,
    # edited by its admins in the app's settings pages.
    county = models.ForeignKey(
        "grids.Area",
        verbose_name="所属县",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField("层级", max_length=8, choices=Level.choices)
    red = models.BooleanField("高风险（红）", default=False)
    assign_value = models.PositiveIntegerField("分派时限")
    assign_unit = models.CharField("分派时限单位", max_length=16, choices=DeadlineUnit.choices)
    respond_value = models.PositiveIntegerField("响应时限")
    respond_unit = models.CharField("响应时限单位", max_length=16, choices=DeadlineUnit.choices)
    resolve_value = models.PositiveIntegerField("办结时限")
    resolve_unit = models.CharField("办结时限单位", max_length=16, choices=DeadlineUnit.choices)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        ordering = ["county_id", "level", "red"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "red"],
                condition=Q(county__isnull=True),
                name="sla_policy_unique_default",
            ),
            models.UniqueConstraint(
                fields=["county", "level", "red"],
                condition=Q(county__isnull=False),
                name="sla_policy_unique_county",
            ),
            models.CheckConstraint(
                condition=Q(assign_value__gte=1)
                & Q(respond_value__gte=1)
                & Q(resolve_value__gte=1),
                name="sla_policy_positive",
            ),
        ]

    def __str__(self):
        return f"{self.get_level_display()}{'（红）' if self.red else ''}"


class CalendarOverride(models.Model):
    """A day whose working status an admin set by hand; wins over the holiday library (for a
    year it does not know yet, or a local holiday)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_workday else '休息日'}"


class IntakeKey(models.Model):
    """An intake's idempotency key (one per user and key) and the case it made: a repeated,
    replayed or double-tapped submission answers with the first case instead of a second."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("幂等键", max_length=64)
    fingerprint = models.CharField("请求摘要", max_length=64)
    # Empty only inside the transaction that claims the key and makes the case.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "登记幂等键"
        verbose_name_plural = "登记幂等键"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="intake_key_once_per_user")
        ]


def held_photo_path(instance, filename):
    return f"held/{instance.user_id}/{filename}"


class HeldPhoto(models.Model):
    """A photo chosen on an intake form that was sent back for a correction: held under the
    form's token until the corrected form is submitted, so the user never chooses it again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField("表单令牌", max_length=64)
    file = models.FileField("文件", upload_to=held_photo_path)
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "暂存照片"
        verbose_name_plural = "暂存照片"
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "token"], name="held_photo_form")]


from .law_models import PoliceReport  # noqa: E402,F401  (art. 25, police.py)
from .referral_models import Referral  # noqa: E402, F401
