"""What the mediation API modules share: the month parameter, the brief user, and the
per-case records mixin (the case found through the scope method; who may write)."""

from datetime import date

from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers

from accounts.models import User
from cases.policy import CasePolicy, access_case
from config import dates
from config.errors import InvalidInput, NotAllowed


def parse_month(value, field="month") -> date:
    """`2026-11` (or a date in that month) → the month's first day; 400 otherwise."""
    try:
        return dates.parse_month(value)
    except ValueError as error:
        raise InvalidInput(str(error), fields={field: [str(error)]})


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
    """The case of the URL through `access_case` (absent or out of scope: 404); before the
    input is read, `check_write` asks the case policy whether the user may do the record
    action at all (403). The service checks again, on the locked case, in the policy's order
    (the status first: 409)."""

    pagination_class = None
    filter_backends = []

    @cached_property
    def case(self):
        return access_case(self.request.user, self.kwargs["case_id"])

    def check_write(self, action: str, **facts):
        message = CasePolicy(self.request.user, self.case).role_error(action, **facts)
        if message is not None:
            raise NotAllowed(message)
