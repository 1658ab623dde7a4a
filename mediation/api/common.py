"""What the mediation API modules share: the month parameter, the brief user, and the
per-case records mixin (the case found through the scope method; who may write)."""

import re
from datetime import date

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from accounts.models import User
from cases.models import Case
from config.errors import InvalidInput, NotAllowed

from .. import selectors

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value, field="month") -> date:
    """`2026-11` (or a date in that month) → the month's first day; 400 otherwise."""
    if isinstance(value, date):
        return value.replace(day=1)
    match = MONTH_RE.match(str(value or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput("月份格式应为 YYYY-MM。", fields={field: ["月份格式应为 YYYY-MM。"]})
    return date(int(match.group(1)), int(match.group(2)), 1)


@extend_schema_field(OpenApiTypes.STR)
class MonthField(serializers.Field):
    """A month as `YYYY-MM` in and out."""

    default_error_messages = {"invalid": "月份格式应为 YYYY-MM。"}

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except InvalidInput:
            self.fail("invalid")

    def to_representation(self, value):
        return f"{value:%Y-%m}"


class UserBriefSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField(label="姓名")

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return str(user)


class CaseRecordsMixin:
    """Finds the case through the scope method (absent or out of scope: 404) and says who
    may write: the assignee and the officers of the case's current level (others: 403)."""

    pagination_class = None
    filter_backends = []

    def get_case(self):
        if not hasattr(self, "_case"):
            cases = Case.objects.visible_to(self.request.user).select_related("holder")
            self._case = get_object_or_404(cases, pk=self.kwargs["case_id"])
        return self._case

    def check_write(self, case):
        if not selectors.can_write_records(self.request.user, case):
            raise NotAllowed("只有承办人和本级工作人员可以记录。")
