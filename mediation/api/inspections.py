"""Grid inspection reports (排查/零上报) and their coverage over the API."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.selectors import scope_for
from cases.models import Case
from config.errors import InvalidInput
from config.filters import IdFilter, id_param
from grids.api import AreaBriefSerializer

from .. import selectors, services
from ..models import (
    InspectionReport,
)
from .common import MonthField, UserBriefSerializer, parse_month


class InspectionSerializer(serializers.ModelSerializer):
    grid = AreaBriefSerializer(read_only=True)
    period = MonthField(read_only=True, label="排查月份")
    reporter = UserBriefSerializer(read_only=True)
    cases = serializers.SerializerMethodField(label="排查发现的纠纷")

    class Meta:
        model = InspectionReport
        fields = ["id", "grid", "period", "zero", "cases", "note", "reporter", "submitted_at"]

    def get_cases(self, report) -> list[dict]:
        return [{"id": c.id, "number": c.number, "title": c.title} for c in report.cases.all()]


class InspectionInputSerializer(serializers.Serializer):
    grid = serializers.IntegerField(label="网格")
    period = MonthField(label="排查月份")
    zero = serializers.BooleanField(label="零上报")
    cases = serializers.ListField(
        label="排查发现的纠纷", child=serializers.IntegerField(), required=False, max_length=200
    )
    note = serializers.CharField(
        label="排查情况", max_length=5000, required=False, allow_blank=True
    )


class InspectionFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(method="filter_period", label="月份 YYYY-MM")
    grid = IdFilter(field_name="grid_id")
    zero = django_filters.BooleanFilter()

    class Meta:
        model = InspectionReport
        fields = ["period", "grid", "zero"]

    def filter_period(self, queryset, name, value):
        return queryset.filter(period=parse_month(value, "period"))


class InspectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Grid inspection reports (排查/零上报), one per grid per month."""

    serializer_class = InspectionSerializer
    filterset_class = InspectionFilter

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user).prefetch_related("cases")

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionSerializer})
    def create(self, request):
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        grid = get_object_or_404(scope_for(request.user).areas_queryset(), pk=values.pop("grid"))
        case_ids = set(values.pop("cases", []))
        cases = list(Case.objects.visible_to(request.user).filter(pk__in=case_ids))
        if len(cases) != len(case_ids):
            raise InvalidInput("案件不存在。", fields={"cases": ["案件不存在。"]})
        report = services.inspection_file(grid=grid, actor=request.user, cases=cases, **values)
        return Response(InspectionSerializer(self.get_queryset().get(pk=report.pk)).data, 201)

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True, description="区划"),
            OpenApiParameter("period", str, required=True, description="月份，YYYY-MM"),
        ],
        responses={
            200: inline_serializer(
                "InspectionCoverage",
                {
                    "grids_with_report": serializers.IntegerField(label="已上报网格数"),
                    "grids_total": serializers.IntegerField(label="网格总数"),
                    "coverage": serializers.FloatField(label="覆盖率"),
                },
            )
        },
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        """Share of the area's grids that filed a report (zero reports count) in a month."""
        month = parse_month(request.query_params.get("period"), "period")
        area_id = id_param(request.query_params.get("area"), "area", "须指定区划。")
        area = get_object_or_404(scope_for(request.user).areas_queryset(), pk=area_id)
        with_report, total = selectors.inspection_coverage(area, month, month)
        return Response(
            {
                "grids_with_report": with_report,
                "grids_total": total,
                "coverage": round(with_report / total, 4) if total else None,
            }
        )
