"""Forms of the case pages. They check shape and show errors beside each field; the rules
(transitions, who may act, ID check digits) live in the services, whose messages come back
onto these forms."""

from django import forms
from django.utils import timezone

from accounts.selectors import scope_for
from grids.models import Area

from . import crypto, services
from .choices import Category, Level, Outcome, PartyRole, Risk, Source
from .gates import Route


def origin_choices(user):
    """Where a dispute may be reported from: the villages and grids under the user's roles (a
    grid worker: their grid), grouped by town, so the page picks a town and then a village or
    grid in it (a flat list when they all lie in one town)."""
    scope = scope_for(user)
    if user.is_superuser:
        areas = Area.objects.filter(level__in=["village", "grid"])
    else:
        areas = scope.areas_queryset("grid_worker", "mediator", "officer").filter(
            level__in=["village", "grid"]
        )
    areas = areas.select_related("parent", "parent__parent").order_by("code")[:1000]
    groups = {}
    for area in areas:
        if area.level == "village":
            town, label = area.parent, area.name
        else:
            town, label = area.parent.parent, f"{area.parent.name} · {area.name}"
        group = groups.setdefault(town.pk if town else None, (town.name if town else "", []))
        group[1].append((str(area.pk), label))
    if len(groups) == 1:
        return next(iter(groups.values()))[1]
    return list(groups.values())


def flat_choices(choices):
    """The (value, label) pairs of possibly grouped choices."""
    flat = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


class RadioRow(forms.RadioSelect):
    """Radio buttons as a row of large chips (one tap on a phone)."""

    template_name = "cases/widgets/radio_row.html"


class IntakeForm(forms.Form):
    title = forms.CharField(
        label="纠纷简述",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：张某与李某宅基地界址纠纷"}),
    )
    # No answer chosen in advance: a default would be counted as the answer (statistics).
    category = forms.ChoiceField(label="纠纷类型", choices=[("", "请选择"), *Category.choices])
    source = forms.ChoiceField(label="案件来源", choices=[("", "请选择"), *Source.choices])
    risk = forms.ChoiceField(
        label="风险等级", choices=Risk.choices, initial="green", widget=RadioRow
    )
    origin = forms.ChoiceField(label="发生地（网格/村）")
    occurred_on = forms.DateField(
        label="发生日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    people_involved = forms.IntegerField(label="涉及人数", min_value=1, max_value=100000, initial=2)
    amount = forms.DecimalField(
        label="涉及金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    facts = forms.CharField(
        label="纠纷事实",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "时间、地点、起因、诉求"}),
    )

    def __init__(self, *args, origins=(), held=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["origin"].choices = [("", "请选择")] + list(origins)
        self.held = held  # photos already held for this form (sent back once)

    def origin_towns(self):
        """The towns of a grouped origin list (the page's first picker), else empty."""
        return [
            label
            for label, options in self.fields["origin"].choices
            if isinstance(options, (list, tuple))
        ]

    def clean_occurred_on(self):
        day = self.cleaned_data.get("occurred_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("发生日期不能晚于今天。")
        return day

    def clean_origin(self):
        value = self.cleaned_data["origin"]
        return Area.objects.get(pk=int(value))

    def clean(self):
        data = super().clean()
        photos = self.files.getlist("photos") if self.files else []
        if len(photos) + self.held > 9:
            self.add_error(None, "最多上传9张照片。")
        for photo in photos:
            photo.seek(0)
            head = photo.read(16)
            photo.seek(0)
            if services.sniff_type(head) not in {"image/jpeg", "image/png", "image/webp"}:
                self.add_error(None, f"{photo.name}：只能上传 JPEG、PNG 或 WebP 照片。")
            elif photo.size > services.attachment_max_bytes():
                limit = services.attachment_max_bytes() // (1024 * 1024)
                self.add_error(None, f"{photo.name} 超过{limit}MB。")
        return data


class PartyForm(forms.Form):
    name = forms.CharField(label="姓名/名称", max_length=100)
    role = forms.ChoiceField(label="身份", choices=PartyRole.choices)
    id_number = forms.CharField(
        label="身份证号",
        max_length=18,
        required=False,
        widget=forms.TextInput(
            attrs={
                "data-validate": "id-number",
                "autocomplete": "off",
                "inputmode": "text",
                "maxlength": "18",
                "autocapitalize": "characters",
            }
        ),
    )
    phone = forms.CharField(
        label="联系电话",
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "tel", "data-validate": "phone", "inputmode": "tel", "maxlength": "20"}
        ),
    )
    address = forms.CharField(label="住址", max_length=200, required=False)

    def has_changed(self):
        """A party row left blank (only its role chosen) is an unused row, not an error."""
        return any(
            (self.data.get(self.add_prefix(name)) or "").strip()
            for name in ("name", "id_number", "phone", "address")
        )

    # The same checks as the intake service, so the message shows beside the field at once.
    def clean_id_number(self):
        value = crypto.normalise_id_number(self.cleaned_data.get("id_number", ""))
        if value and (problem := crypto.id_number_error(value)):
            raise forms.ValidationError(problem)
        return value

    def clean_phone(self):
        value = crypto.normalise_phone(self.cleaned_data.get("phone", ""))
        if value and (problem := crypto.phone_error(value)):
            raise forms.ValidationError(problem)
        return value


class BasePartyFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        """The second row starts as the respondent (the usual two-sided dispute)."""
        return {"initial": {"role": PartyRole.RESPONDENT}} if index == 1 else {}

    def clean(self):
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and f.cleaned_data.get("name")]
        if not filled:
            raise forms.ValidationError("请至少填写一方当事人。")

    def cleaned_parties(self):
        """The filled-in parties as the service expects them."""
        parties = []
        for form in self.forms:
            if not form.has_changed() or not form.cleaned_data.get("name"):
                continue
            data = form.cleaned_data
            parties.append(
                {
                    "name": data["name"],
                    "role": data["role"],
                    "id_number": data.get("id_number", ""),
                    "phone": data.get("phone", ""),
                    "address": data.get("address", ""),
                }
            )
        return parties


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=2, max_num=20, validate_max=True
)


# ---------------------------------------------------------------- actions


class NoteForm(forms.Form):
    note = forms.CharField(
        label="联系情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：已电话联系双方，约定明日上门"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(ReasonForm):
    """Escalate or pull up, with the level the page showed: a second submission after the case
    has moved is refused (409) instead of sending it on again."""

    from_level = forms.ChoiceField(choices=Level.choices, widget=forms.HiddenInput, required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label="承办调解员", queryset=None, empty_label="请选择")

    def __init__(self, *args, mediators=None, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        ids = list(mediators.values_list("pk", flat=True)) if mediators is not None else []
        if actor is not None:
            ids.append(actor.pk)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=ids).order_by("id")
        self.fields["assignee"].label_from_instance = lambda u: (
            f"{u}（本人）" if actor is not None and u.pk == actor.pk else str(u)
        )


class DelegateForm(forms.Form):
    area = forms.ModelChoiceField(label="交办给", queryset=None, empty_label="请选择")
    note = forms.CharField(
        label="交办意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()
        self.fields["area"].label_from_instance = lambda a: a.name


WRITTEN_ONLY = "书面协议必填"


class ResolveForm(forms.Form):
    """The agreement (art. 28–29): a written one must state the facts and points in dispute,
    each side's responsibility, the agreed terms, and how and by when they are performed (the
    parties' details come from the case); the facts start as the case's."""

    form = forms.ChoiceField(
        label="协议形式",
        choices=[("written", "书面协议"), ("oral", "口头协议")],
        initial="written",
        widget=RadioRow,
    )
    terms = forms.CharField(
        label="协议内容", max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    facts = forms.CharField(
        label="纠纷主要事实及争议事项",
        max_length=20000,
        required=False,
        help_text=WRITTEN_ONLY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsibilities = forms.CharField(
        label="各方责任",
        max_length=20000,
        required=False,
        help_text=WRITTEN_ONLY,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    performance_method = forms.CharField(
        label="履行方式",
        max_length=5000,
        required=False,
        help_text=WRITTEN_ONLY,
        widget=forms.TextInput(),
    )
    perform_by = forms.DateField(
        label="履行期限",
        required=False,
        help_text=WRITTEN_ONLY + "；首次回访安排在履行期限",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    WRITTEN_FIELDS = ("facts", "responsibilities", "performance_method", "perform_by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.WRITTEN_FIELDS:
            self.fields[name].written_required = True  # the label shows the required mark

    def clean(self):
        data = super().clean()
        if data.get("form") == "written":
            for name in self.WRITTEN_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, f"书面协议须载明{self.fields[name].label}。")
        return data


class ExtendForm(forms.Form):
    """An extension: until when (at most 30 days past the current deadline, once), which
    parties agreed and when."""

    until = forms.DateField(
        label="延期至",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="最多延期30日，且只能延期一次。",
    )
    parties = forms.TypedMultipleChoiceField(
        label="同意延期的当事人", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    agreed_on = forms.DateField(
        label="同意日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    consent_note = forms.CharField(
        label="说明",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：双方在延期申请上签字"}),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        parties = list(case.parties.all()) if case is not None else []
        self.fields["parties"].choices = [
            (p.pk, f"{p.name}（{p.get_role_display()}）") for p in parties
        ]
        self.fields["agreed_on"].initial = timezone.localdate


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="结案方式")
    note = forms.CharField(
        label="结案说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    routes = forms.MultipleChoiceField(
        label="已告知当事人的其他途径",
        choices=Route.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="调解不成或不予受理时必选，至少一项（人民调解法第二十六条）。",
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None and case.status == "resolved":
            choices = [(Outcome.AGREEMENT, "协议履行完毕，结案")]
        else:
            choices = [
                (value, label) for value, label in Outcome.choices if value != Outcome.AGREEMENT
            ]
        self.fields["outcome"].choices = choices
        if case is not None and case.status == "resolved":
            del self.fields["routes"]


def _local_now_input():
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label="调解时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="调解地点", max_length=200, initial="村调委会调解室")
    attendees = forms.CharField(label="参加人员", max_length=2000, required=False)
    minutes = forms.CharField(
        label="调解笔录", max_length=50000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_at"].initial = _local_now_input


class ConsultationForm(forms.Form):
    consultant_kind = forms.ChoiceField(
        label="咨询对象",
        choices=[
            ("police", "警官"),
            ("judge", "法官"),
            ("prosecutor", "检察官"),
            ("lawyer", "律师"),
        ],
        widget=RadioRow,
        initial="lawyer",
    )
    member = forms.TypedChoiceField(
        label="咨询对象（联动单位人员）", coerce=int, required=False, empty_value=None
    )
    consultant_name = forms.CharField(
        label="系统外咨询对象姓名（如乡贤）", max_length=50, required=False,
        help_text="警官默认为本村包联民警；只有名单中没有的人才填写姓名，其意见由承办人代为记录。",
    )  # fmt: skip
    consultant_org = forms.CharField(label="系统外咨询对象单位", max_length=100, required=False)
    question = forms.CharField(
        label="咨询事项", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_at = forms.DateTimeField(
        label="答复期限",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the form is shown or checked, not for every case page that holds it.
        self.fields["member"].choices = lambda: consultant_choices(case)


def consultant_choices(case):
    """The 三官一律 a case may consult: the people of its county's police stations, courts,
    procuratorate and lawyers' offices."""
    from accounts.agencies import AgencyMember

    if case is None:
        return [("", "—")]
    people = (
        AgencyMember.objects.filter(
            agency__county_id=case.county_id,
            agency__active=True,
            agency__kind__in=["police", "court", "tribunal", "procuratorate", "law_firm"],
        )
        .select_related("agency", "user")
        .order_by("agency__kind", "agency__code", "id")
    )
    return [("", "—")] + [(m.pk, f"{m.agency.name} · {m.user}") for m in people]


class AnswerForm(forms.Form):
    consultation = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.CharField(
        label="答复意见", max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    """A follow-up (回访, art. 31) as the user found it: dated, nothing pre-selected."""

    performed_on = forms.DateField(label="回访日期", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(
        label="回访方式",
        choices=[
            ("visit", "上门回访"),
            ("phone", "电话回访"),
            ("message", "短信/微信回访"),
            ("meeting", "约见回访"),
        ],
        widget=RadioRow,
    )
    performed = forms.ChoiceField(
        label="协议履行情况",
        choices=[("yes", "已履行"), ("no", "未履行")],
        widget=RadioRow,
    )
    satisfaction = forms.ChoiceField(
        label="满意度",
        choices=[("satisfied", "满意"), ("basically", "基本满意"), ("dissatisfied", "不满意")],
        widget=RadioRow,
    )
    remaining_risk = forms.ChoiceField(
        label="遗留风险",
        choices=[("none", "无风险"), ("low", "低"), ("medium", "中"), ("high", "高")],
        widget=RadioRow,
    )
    note = forms.CharField(
        label="回访情况", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
