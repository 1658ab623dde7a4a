"""The records a mediation committee keeps by law (人民调解法 art. 27–33): committees and
their mediators, sessions, 三官一律 consultations, the agreement and its signatures, judicial
confirmation, follow-ups, file documents, rewards and grid inspection reports. No workflow
lives here: see services.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.choices import Category, Level

from .choices import (
    AgreementForm,
    CommitteeKind,
    CommitteePosition,
    ConfirmationStatus,
    ConsultantKind,
    Difficulty,
    DocumentKind,
    Employment,
    FollowUpMethod,
    RejectionRoute,
    RemainingRisk,
    Satisfaction,
)


class Committee(models.Model):
    """A mediation committee (村/镇人民调解委员会, 行业性专业性调解委员会) or a named studio."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=CommitteeKind.choices)
    area = models.ForeignKey(
        "grids.Area", verbose_name="所属区划", on_delete=models.PROTECT, related_name="committees"
    )
    # Industry committees serve one field (e.g. traffic, medical); blank for general committees.
    category = models.CharField(
        "专业领域", max_length=32, choices=Category.choices, blank=True, default=""
    )
    # A studio (调解工作室) usually sits under a committee.
    parent = models.ForeignKey(
        "self",
        verbose_name="所属调委会",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="studios",
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "调解组织"
        verbose_name_plural = "调解组织"
        ordering = ["area__code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="committee_unique_name_per_area")
        ]

    def __str__(self):
        return self.name


class MediatorProfile(models.Model):
    """A person's membership of a committee as a mediator (调解员)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调解员",
        on_delete=models.CASCADE,
        related_name="mediator_profiles",
    )
    committee = models.ForeignKey(
        Committee, verbose_name="调解组织", on_delete=models.CASCADE, related_name="members"
    )
    position = models.CharField(
        "职务", max_length=16, choices=CommitteePosition.choices, default=CommitteePosition.MEMBER
    )
    employment = models.CharField(
        "专兼职", max_length=16, choices=Employment.choices, default=Employment.PART_TIME
    )
    specialty = models.CharField("擅长领域", max_length=100, blank=True)
    certified = models.BooleanField("持证上岗", default=False)
    title = models.CharField("荣誉称号", max_length=100, blank=True)
    active = models.BooleanField("在职", default=True)
    joined_on = models.DateField("聘任日期", null=True, blank=True)

    class Meta:
        verbose_name = "调解员"
        verbose_name_plural = "调解员"
        ordering = ["committee_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "committee"], name="mediator_once_per_committee"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.committee}"


class MediationSession(models.Model):
    """One mediation session (调解) with its minutes (调解笔录)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="mediation_sessions"
    )
    held_at = models.DateTimeField("调解时间")
    place = models.CharField("调解地点", max_length=200)
    mediators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="调解员", related_name="mediation_sessions"
    )
    attendees = models.TextField("参加人员", blank=True)
    minutes = models.TextField("调解笔录", max_length=50000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "调解记录"
        verbose_name_plural = "调解记录"
        ordering = ["held_at", "id"]
        indexes = [models.Index(fields=["case", "held_at"], name="session_case_time")]

    def __str__(self):
        return f"{self.held_at:%Y-%m-%d} {self.place}"


class Consultation(models.Model):
    """A 三官一律 consultation: the village's police officer, judge, prosecutor or lawyer is
    asked for an opinion by a deadline; `due_at` is what the sweep watches while unanswered."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consultations")
    consultant_kind = models.CharField("咨询对象", max_length=16, choices=ConsultantKind.choices)
    consultant_name = models.CharField("姓名", max_length=50)
    consultant_org = models.CharField("单位", max_length=100, blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="系统用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations_received",
    )
    question = models.TextField("咨询事项", max_length=5000)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField("提出时间")
    due_at = models.DateTimeField("答复期限")
    answer = models.TextField("答复意见", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    # When the sweep reminded of the overdue answer (once; the breach ledger says so too): the
    # sweep's partial index holds only the unanswered consultations not yet reminded of.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "三官一律咨询"
        verbose_name_plural = "三官一律咨询"
        ordering = ["asked_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="consultation_open_due",
                condition=Q(answered_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"],
                name="consultation_to_remind",
                condition=Q(answered_at__isnull=True, reminded_at__isnull=True),
            ),
            models.Index(fields=["case", "asked_at"], name="consultation_case"),
        ]

    def __str__(self):
        return f"{self.get_consultant_kind_display()} {self.consultant_name}"


class Agreement(models.Model):
    """The mediation agreement (调解协议, art. 28–31): written or oral. A written one takes
    effect when every party and the mediator have signed and the committee has sealed."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="agreement")
    number = models.CharField("协议编号", max_length=64)
    form = models.CharField("协议形式", max_length=8, choices=AgreementForm.choices)
    committee = models.ForeignKey(
        Committee,
        verbose_name="调解组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调解员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    facts = models.TextField("纠纷事实及争议事项", blank=True, max_length=20000)
    responsibilities = models.TextField("各方责任", blank=True, max_length=20000)
    terms = models.TextField("协议内容", max_length=20000)
    performance_method = models.TextField("履行方式", blank=True, max_length=5000)
    perform_by = models.DateField("履行期限", null=True, blank=True)
    reached_on = models.DateField("达成日期")
    mediator_signed_on = models.DateField("调解员签名日期", null=True, blank=True)
    sealed_on = models.DateField("调委会盖章日期", null=True, blank=True)
    # The mediator's signature drawn on the phone's screen (PNG), when signed that way.
    mediator_signature = models.BinaryField("调解员签名图像", null=True, blank=True)
    # The photographed sheet the parties, the mediator and the committee signed and sealed.
    signed_sheet = models.ForeignKey(
        "cases.Attachment",
        verbose_name="签字盖章协议书照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    effective_on = models.DateField("生效日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "调解协议"
        verbose_name_plural = "调解协议"
        indexes = [models.Index(fields=["effective_on"], name="agreement_effective")]

    def __str__(self):
        return self.number


class AgreementSignature(models.Model):
    """The date one party signed (or thumb-printed) the written agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    signed_on = models.DateField("签名日期")
    # The party's signature drawn on the phone's screen (PNG), when signed that way.
    image = models.BinaryField("签名图像", null=True, blank=True)

    class Meta:
        verbose_name = "当事人签名"
        verbose_name_plural = "当事人签名"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="signature_once_per_party")
        ]

    def __str__(self):
        return f"{self.party} {self.signed_on}"


class JudicialConfirmation(models.Model):
    """Judicial confirmation (司法确认, art. 33): the 30-day window to apply opens when the
    agreement takes effect; `due_at`/`remind_at` are the clock the sweep reads."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="judicial_confirmation"
    )
    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="judicial_confirmation"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ConfirmationStatus.choices, default=ConfirmationStatus.OPEN
    )
    opened_on = models.DateField("协议生效日期")
    remind_at = models.DateTimeField("提醒时间")
    due_at = models.DateTimeField("申请期限")
    court = models.CharField("受理法院", max_length=100, blank=True)
    # The parties who applied (art. 33: both, jointly), as party ids.
    applicants = models.JSONField("申请人", default=list, blank=True)
    applied_on = models.DateField("申请日期", null=True, blank=True)
    result_on = models.DateField("裁定日期", null=True, blank=True)
    ruling_number = models.CharField("裁定书文号", max_length=64, blank=True)
    # After a rejection: mediation again (reopen) or the parties go to court (litigation).
    route = models.CharField(
        "驳回后的处理", max_length=16, choices=RejectionRoute.choices, blank=True
    )
    note = models.TextField("备注", blank=True)
    updated_at = models.DateTimeField("更新时间", default=timezone.now, editable=False)
    # When the sweep reminded of the window (day 20, once; the breach ledger says so too): the
    # sweep's partial index holds only the open windows not yet reminded of.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "司法确认"
        verbose_name_plural = "司法确认"
        indexes = [
            # The sweep's look (`deadlines.judicial_candidates`): open windows not yet reminded.
            models.Index(
                fields=["remind_at"],
                name="confirmation_to_remind",
                condition=Q(status="open", reminded_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.case} {self.get_status_display()}"


class FollowUp(models.Model):
    """A follow-up visit (回访): was the agreement performed, is the party satisfied."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="follow_ups")
    method = models.CharField("回访方式", max_length=16, choices=FollowUpMethod.choices)
    performed_on = models.DateField("回访日期")
    performed = models.BooleanField("协议已履行")
    satisfaction = models.CharField("满意度", max_length=16, choices=Satisfaction.choices)
    remaining_risk = models.CharField(
        "遗留风险", max_length=8, choices=RemainingRisk.choices, default=RemainingRisk.NONE
    )
    note = models.TextField("回访情况", blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="回访人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["performed_on", "id"]
        indexes = [models.Index(fields=["case", "performed_on"], name="followup_case")]

    def __str__(self):
        return f"{self.performed_on} {self.get_method_display()}"


class FileDocument(models.Model):
    """A paper of the case file (一案一卷) that is not itself a record here: the rights notice,
    identity copies, confirmation papers… optionally pointing at an uploaded attachment."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="file_documents")
    kind = models.CharField("材料类型", max_length=16, choices=DocumentKind.choices)
    attachment = models.ForeignKey(
        "cases.Attachment",
        verbose_name="附件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "卷宗材料"
        verbose_name_plural = "卷宗材料"
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="filedoc_case_kind")]

    def __str__(self):
        return self.get_kind_display()


class RewardRate(models.Model):
    """One line of the 以奖代补 schedule, by default or for one county (a county with lines of
    its own uses only those); blank category or level matches any, and the most specific
    active line wins."""

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

    difficulty = models.CharField("难易程度", max_length=16, choices=Difficulty.choices)
    category = models.CharField(
        "纠纷类型", max_length=32, choices=Category.choices, blank=True, default=""
    )
    level = models.CharField("层级", max_length=8, choices=Level.choices, blank=True, default="")
    amount = models.DecimalField("补贴金额（元）", max_digits=10, decimal_places=2)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "以奖代补标准"
        verbose_name_plural = "以奖代补标准"
        ordering = ["county_id", "difficulty", "category", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["difficulty", "category", "level"],
                condition=Q(county__isnull=True),
                name="reward_rate_unique_default",
            ),
            models.UniqueConstraint(
                fields=["county", "difficulty", "category", "level"],
                condition=Q(county__isnull=False),
                name="reward_rate_unique_county",
            ),
        ]

    def __str__(self):
        return f"{self.get_difficulty_display()} {self.amount} 元"


class Reward(models.Model):
    """A 以奖代补 award for one concluded case with a complete file, to its mediator."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="reward")
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调解员", on_delete=models.PROTECT, related_name="+"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name="调解组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    difficulty = models.CharField("难易程度", max_length=16, choices=Difficulty.choices)
    rate = models.ForeignKey(
        RewardRate, verbose_name="适用标准", on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    # First day of the month the reward is paid in: the sheet groups by it.
    month = models.DateField("所属月份")
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申报人", on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField("申报时间")
    # The case's ancestors, copied so sheets are scoped with one indexed filter.
    province = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "以奖代补"
        verbose_name_plural = "以奖代补"
        ordering = ["-month", "id"]
        indexes = [
            models.Index(fields=["county", "month"], name="reward_county_month"),
            models.Index(fields=["town", "month"], name="reward_town_month"),
            models.Index(fields=["village", "month"], name="reward_village_month"),
        ]

    def __str__(self):
        return f"{self.case} {self.amount} 元"


class InspectionReport(models.Model):
    """A grid's dispute inspection report (排查报告) for one month; no disputes found is a
    zero report (零上报), and it counts."""

    grid = models.ForeignKey(
        "grids.Area", verbose_name="网格", on_delete=models.PROTECT, related_name="+"
    )
    period = models.DateField("排查月份")
    zero = models.BooleanField("零上报", default=False)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name="排查发现的纠纷", blank=True, related_name="inspection_reports"
    )
    note = models.TextField("排查情况", blank=True, max_length=5000)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上报人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("上报时间")
    # The grid's ancestors, copied so scoping and coverage are one indexed filter.
    province = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    city = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "排查报告"
        verbose_name_plural = "排查报告"
        ordering = ["-period", "grid_id"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "period"], name="inspection_once_per_period")
        ]
        indexes = [
            models.Index(fields=["county", "period"], name="inspection_county_period"),
            models.Index(fields=["town", "period"], name="inspection_town_period"),
            models.Index(fields=["village", "period"], name="inspection_village_period"),
        ]

    def __str__(self):
        return f"{self.grid} {self.period:%Y-%m}"


from .law_models import PartyConsent  # noqa: E402,F401  (art. 17 and 23, consent.py)
