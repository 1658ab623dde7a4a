"""以奖代补 over the API: awards per concluded case, the monthly sheet and its workbook."""

import django_filters
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import audit_export
from config.exports import XLSX_RESPONSES, xlsx_response
from config.filters import IdFilter

from .. import selectors, services
from ..choices import (
    Difficulty,
)
from ..export import reward_sheet_workbook
from ..models import (
    Reward,
)
from .common import MonthField, UserBriefSerializer, parse_month


class RewardSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True, label="案件编号")
    case_title = serializers.CharField(source="case.title", read_only=True, label="案件名称")
    mediator = UserBriefSerializer(read_only=True)
    committee_name = serializers.CharField(
        source="committee.name", read_only=True, default="", label="调解组织"
    )
    difficulty_label = serializers.CharField(
        source="get_difficulty_display", read_only=True, label="难易程度"
    )
    month = MonthField(read_only=True, label="所属月份")

    class Meta:
        model = Reward
        fields = [
            "id",
            "case",
            "case_number",
            "case_title",
            "mediator",
            "committee",
            "committee_name",
            "difficulty",
            "difficulty_label",
            "amount",
            "month",
            "claimed_at",
        ]


class RewardInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(label="案件")
    difficulty = serializers.ChoiceField(label="难易程度", choices=Difficulty.choices)


class RewardFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(method="filter_month", label="月份 YYYY-MM")
    mediator = IdFilter(field_name="mediator_id")
    committee = IdFilter(field_name="committee_id")

    class Meta:
        model = Reward
        fields = ["month", "mediator", "committee"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=parse_month(value))


SHEET_SCHEMA = inline_serializer(
    "RewardSheet",
    {
        "month": serializers.CharField(label="月份"),
        "mediators": serializers.ListField(child=serializers.DictField(), label="按调解员"),
        "committees": serializers.ListField(child=serializers.DictField(), label="按调解组织"),
        "cases": serializers.IntegerField(label="案件数"),
        "total": serializers.DecimalField(max_digits=12, decimal_places=2, label="合计（元）"),
    },
)
MONTH_PARAM = OpenApiParameter("month", str, required=True, description="月份，YYYY-MM")


class RewardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """以奖代补: awards per concluded case with a complete file, and the monthly sheet."""

    serializer_class = RewardSerializer
    filterset_class = RewardFilter

    def get_queryset(self):
        return selectors.rewards_visible_to(self.request.user)

    @extend_schema(request=RewardInputSerializer, responses={201: RewardSerializer})
    def create(self, request):
        data = RewardInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reward = services.reward_claim(
            actor=request.user,
            case_id=data.validated_data["case"],
            difficulty=data.validated_data["difficulty"],
        )
        return Response(RewardSerializer(self.get_queryset().get(pk=reward.pk)).data, 201)

    @extend_schema(parameters=[MONTH_PARAM], responses={200: SHEET_SCHEMA})
    @action(detail=False, methods=["get"])
    def sheet(self, request):
        """The month's reward sheet per mediator and per committee."""
        month = parse_month(request.query_params.get("month"))
        return Response(selectors.reward_sheet(self.get_queryset(), month))


class RewardSheetExportView(APIView):
    """The month's reward sheet as an Excel workbook."""

    @extend_schema(parameters=[MONTH_PARAM], responses=XLSX_RESPONSES)
    def get(self, request):
        month = parse_month(request.query_params.get("month"))
        sheet = selectors.reward_sheet(selectors.rewards_visible_to(request.user), month)
        audit_export(
            actor=request.user,
            what=f"以奖代补发放表 {month:%Y-%m}",
            params=dict(request.query_params.items()),
            rows=sheet["cases"],
        )
        content = reward_sheet_workbook(
            sheet, month, selectors.rewards_visible_to(request.user).filter(month=month)
        )
        return xlsx_response(content, f"rewards-{month:%Y-%m}.xlsx")
