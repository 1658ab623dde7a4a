"""Forms of the case page's law panel: a party's consent or refusal and rights notice, the
report to the police and its receipt. Shape only; the rules are the services'."""

from django import forms
from django.utils import timezone

from cases.choices import Risk
from cases.forms import RadioRow
from cases.gates import Route

from .law_models import ConsentDecision, NoticeMethod

DATE = {"type": "date"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


def _moment(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )


def _now_input():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class ConsentForm(forms.Form):
    """One party: consents or refuses, told of their rights and duties (art. 17, 23)."""

    party = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="是否同意调解", choices=ConsentDecision.choices, widget=RadioRow
    )
    decided_on = forms.DateField(
        label="表示日期", widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    notified_on = forms.DateField(
        label="权利义务告知日期",
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        help_text="同意调解的，须在调解前告知其权利义务（第二十三条）。",
    )
    notice_method = forms.ChoiceField(
        label="告知方式", choices=[("", "请选择"), *NoticeMethod.choices], required=False
    )
    routes = forms.MultipleChoiceField(
        label="拒绝调解时，已告知的其他途径",
        choices=Route.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="说明", max_length=500, required=False)

    def __init__(self, *args, party=None, **kwargs):
        super().__init__(*args, **kwargs)
        if party is not None:
            self.fields["party"].initial = party.pk
        self.fields["decided_on"].initial = timezone.localdate
        self.fields["notified_on"].initial = timezone.localdate


class PoliceReportForm(forms.Form):
    station = forms.CharField(
        label="报告的派出所",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "如：宜君县公安局城关派出所"}),
    )
    reported_at = _moment("报告时间")
    note = forms.CharField(
        label="报告内容", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reported_at"].initial = _now_input


class PoliceReceiptForm(forms.Form):
    receipt_number = forms.CharField(label="回执编号", max_length=64)
    receipt_at = _moment("回执时间")
    receipt_person = forms.CharField(label="接收人", max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt_at"].initial = _now_input


class RiskRaiseForm(forms.Form):
    """Raise the case's risk after intake (to red: the report to the police is due in 24 h)."""

    risk = forms.ChoiceField(label="升为", widget=RadioRow)
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        order = ["green", "yellow", "red"]
        labels = dict(Risk.choices)
        above = order[order.index(case.risk) + 1 :] if case is not None else order[1:]
        self.fields["risk"].choices = [(value, labels[value]) for value in above]
