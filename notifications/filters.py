"""The filter of a user's notifications (未读 / 类型 / 日期), shared by the API and the page; the
same fields choose what "mark read" marks in bulk."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from .kinds import kind_choices

READ_STATES = [("", "全部"), ("unread", "未读"), ("read", "已读")]
MAX_IDS = 500


class NotificationFilter(forms.Form):
    """`state` unread/read, `kind`, `after`/`before` (dates, both days included); for marking
    read, `ids` picks notifications by id (at most 500)."""

    state = forms.ChoiceField(label="状态", choices=READ_STATES, required=False)
    kind = forms.ChoiceField(
        label="类型",
        choices=lambda: [("", "全部类型"), *kind_choices()],
        required=False,
        error_messages={"invalid_choice": "消息类型无效。"},
    )
    after = forms.DateField(
        label="起始日期", required=False, error_messages={"invalid": "日期格式须为 YYYY-MM-DD。"}
    )
    before = forms.DateField(
        label="截止日期", required=False, error_messages={"invalid": "日期格式须为 YYYY-MM-DD。"}
    )

    def __init__(self, data=None, *, unread=None, ids=None, **kwargs):
        data = data.copy() if data is not None else {}
        # The API's `unread=true|false` is the page's `state`.
        if unread is not None and not data.get("state"):
            value = str(unread).lower()
            if value in ("1", "true", "yes"):
                data["state"] = "unread"
            elif value in ("0", "false", "no"):
                data["state"] = "read"
            else:
                data["state"] = "?"
        super().__init__(data, **kwargs)
        self.ids = ids

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("after"), cleaned.get("before")
        if after and before and after > before:
            self.add_error("before", "截止日期不能早于起始日期。")
        if self.errors.get("state"):
            self.errors["state"] = self.error_class(["状态须为 unread 或 read（未读/已读）。"])
        ids = self.ids
        if ids is not None:
            if not isinstance(ids, list) or len(ids) > MAX_IDS:
                self.add_error(None, f"ids 须为不超过{MAX_IDS}个编号的列表。")
            else:
                try:
                    cleaned["ids"] = [int(i) for i in ids]
                except (TypeError, ValueError):
                    self.add_error(None, "ids 须为消息编号的列表。")
        return cleaned

    @property
    def active(self) -> bool:
        """True when the user narrowed the list."""
        return self.is_bound and any(self.data.get(f) for f in ("state", "kind", "after", "before"))

    def apply(self, queryset):
        """The queryset narrowed by the valid filter."""
        data = self.cleaned_data
        if data.get("state") == "unread":
            queryset = queryset.filter(read_at__isnull=True)
        elif data.get("state") == "read":
            queryset = queryset.filter(read_at__isnull=False)
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        tz = timezone.get_current_timezone()
        if data.get("after"):
            queryset = queryset.filter(
                created_at__gte=timezone.make_aware(datetime.combine(data["after"], time()), tz)
            )
        if data.get("before"):
            end = data["before"] + timedelta(days=1)
            queryset = queryset.filter(
                created_at__lt=timezone.make_aware(datetime.combine(end, time()), tz)
            )
        if data.get("ids") is not None:
            queryset = queryset.filter(pk__in=data["ids"])
        return queryset

    def error_dict(self) -> dict:
        """The errors as the API answers them: {field: [messages]}."""
        return {
            ("ids" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in self.errors.items()
        }
