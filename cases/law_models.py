"""The report to the police a dispute that may turn criminal owes (人民调解法 art. 25,
DESIGN.md §16). Imported by models.py; no workflow lives here: see police.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class PoliceTrigger(models.TextChoices):
    RED_RISK = "red_risk", "风险升为高风险（红）"
    REPEAT_PARTY = "repeat_party", "重复纠纷当事人"
    MANUAL = "manual", "承办人主动报告"


class PoliceReport(models.Model):
    """The case's report to a police station: due within 24 h of the risk turning red or of a
    repeat-party match (`due_at`, watched by the sweep while `reported_at` is blank), the
    report itself, and the station's receipt (回执) recorded when it comes."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="police_report"
    )
    trigger = models.CharField("报告原因", max_length=16, choices=PoliceTrigger.choices)
    trigger_note = models.CharField("原因说明", max_length=200, blank=True)
    due_at = models.DateTimeField("报告期限", null=True, blank=True)
    # The station as named by the mediator; a later change links it to an agency (§15).
    station = models.CharField("派出所", max_length=100, blank=True)
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField("报告内容", blank=True, max_length=5000)
    receipt_number = models.CharField("回执编号", max_length=64, blank=True)
    receipt_at = models.DateTimeField("回执时间", null=True, blank=True)
    receipt_person = models.CharField("接收人", max_length=50, blank=True)
    created_at = models.DateTimeField("创建时间")
    # When the sweep reminded of the overdue report (once; the breach ledger says so too): the
    # sweep's partial index holds only the unreported reports not yet reminded of.
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "报告公安机关"
        verbose_name_plural = "报告公安机关"
        indexes = [
            models.Index(
                fields=["due_at"],
                name="police_report_open_due",
                condition=Q(reported_at__isnull=True, due_at__isnull=False),
            ),
            models.Index(
                fields=["due_at"],
                name="police_report_to_remind",
                condition=Q(
                    reported_at__isnull=True, due_at__isnull=False, reminded_at__isnull=True
                ),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.station or self.get_trigger_display()}"
