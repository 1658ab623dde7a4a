"""Referrals (移交/委派/委托, DESIGN.md §15): a dispute moving between people's mediation and an
agency, with its own clocks: sent → received → answered with a result → closed."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Direction(models.TextChoices):
    OUT = "out", "移交联动单位"
    IN = "in", "联动单位移交调解"


class ReferralKind(models.TextChoices):
    POLICE_110 = "police_110", "110非警务纠纷"
    COURT_PRE_SUIT = "court_pre_suit", "诉前调解"
    COURT_ENTRUSTED = "court_entrusted", "委派调解"
    PETITION = "petition", "信访转办"
    TRANSFER = "transfer", "移交办理"


class ReferralStatus(models.TextChoices):
    SENT = "sent", "已移交"
    RECEIVED = "received", "已签收"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class ReferralResult(models.TextChoices):
    MEDIATED = "mediated", "调解成功"
    FAILED = "failed", "调解不成"
    HANDLED = "handled", "已依法处理"
    DECLINED = "declined", "不予受理"


OPEN_REFERRAL = (ReferralStatus.SENT, ReferralStatus.RECEIVED)


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Referrals a user may see: a liaison those of their agencies; an area role those of
        the cases under its areas (a police officer's 包联 villages show cases, not other
        agencies' referrals)."""
        from accounts.selectors import scope_for

        scope = scope_for(user)
        if scope.is_superuser:
            return self
        condition = Q(agency_id__in=scope.agency_ids) if scope.agency_ids else Q(pk__in=[])
        if scope.roles_of():
            condition |= scope.area_q(prefix="case__")
        return self.filter(condition)


class Referral(models.Model):
    """One referral of a case to or from an agency, with its clocks."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name="联动单位", on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField("方向", max_length=4, choices=Direction.choices)
    kind = models.CharField("类型", max_length=16, choices=ReferralKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    note = models.TextField("移交事由", max_length=2000, blank=True)
    # Copied from the case so a county's or town's referrals are one indexed filter.
    county = models.ForeignKey("grids.Area", on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey(
        "grids.Area", on_delete=models.PROTECT, related_name="+", db_index=False
    )

    sent_at = models.DateTimeField("移交时间")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    receive_due = models.DateTimeField("签收期限")
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when sent if the sender fixed it, else on receipt by the agency's period.
    answer_due = models.DateTimeField("答复期限", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField("办理结果", max_length=10, choices=ReferralResult.choices, blank=True)
    result_note = models.TextField("结果说明", max_length=2000, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The deadline the referral owes now (receive while sent, answer while received), for the
    # sweep and the overdue rule: one partial index.
    next_due = models.DateTimeField(null=True, blank=True)
    # The deadline the sweep last reminded of (`next_due` then; the breach ledger says so too):
    # the sweep's partial index holds only the referrals whose owed deadline is not reminded of.
    reminded_due = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "移交委派"
        verbose_name_plural = "移交委派"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(status__in=["sent", "received"]),
                name="referral_one_open_per_agency",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_due"], condition=Q(next_due__isnull=False), name="referral_next_due"
            ),
            models.Index(
                fields=["next_due"],
                condition=Q(next_due__isnull=False) & ~Q(reminded_due=F("next_due")),
                name="referral_to_remind",
            ),
            models.Index(fields=["agency", "status", "-sent_at"], name="referral_agency_inbox"),
            models.Index(fields=["county", "sent_at"], name="referral_county_sent"),
            # A county's late referral steps in deadline order (cases.overdue.Under).
            models.Index(
                fields=["county", "next_due"],
                condition=Q(next_due__isnull=False),
                name="referral_county_next_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.agency} · {self.case_id}"

    @property
    def late(self) -> bool:
        """Answered or received after its due."""
        if self.received_at and self.received_at > self.receive_due:
            return True
        return bool(self.answer_due and self.answered_at and self.answered_at > self.answer_due)
