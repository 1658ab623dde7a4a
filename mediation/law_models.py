"""Each party's consent to mediation or refusal (人民调解法 art. 17) and the rights-and-duties
notice they were given (art. 23), recorded before the first session. Imported by models.py;
no workflow lives here: see consent.py."""

from django.conf import settings
from django.db import models


class ConsentDecision(models.TextChoices):
    CONSENT = "consent", "同意调解"
    REFUSE = "refuse", "拒绝调解"


class NoticeMethod(models.TextChoices):
    WRITTEN = "written", "书面告知（告知书签收）"
    ORAL = "oral", "口头告知（记录在案）"


class PartyConsent(models.Model):
    """One party's answer to mediation and the notice of their rights and duties."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="consents")
    party = models.OneToOneField("cases.Party", on_delete=models.CASCADE, related_name="consent")
    decision = models.CharField("意愿", max_length=8, choices=ConsentDecision.choices)
    decided_on = models.DateField("表示日期")
    notified_on = models.DateField("权利义务告知日期", null=True, blank=True)
    notice_method = models.CharField(
        "告知方式", max_length=8, choices=NoticeMethod.choices, blank=True
    )
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = "当事人意愿与告知"
        verbose_name_plural = "当事人意愿与告知"
        ordering = ["party_id"]
        indexes = [models.Index(fields=["case"], name="consent_case")]

    def __str__(self):
        return f"{self.party_id} {self.get_decision_display()}"
