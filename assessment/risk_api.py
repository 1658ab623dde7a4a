"""API of the village risk ratings (assessment/risk.py): the villages with their rating of a
month (filter `?risk=red`), a town officer's override, the officer's visits, and the county's
thresholds."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import scope_for, settings_county
from grids.models import Area

from . import risk
from .risk_models import RiskLevel

MONTH = OpenApiParameter("month", str, description="月份，如 2026-10（默认本月）")
RISK = OpenApiParameter("risk", str, enum=RiskLevel.values, description="只列出该等级的村")
AREA = OpenApiParameter("area", int, description="只列出该镇（县）的村")


def area_param(user, value):
    """The `?area=` of a list: an area the user's roles cover, else 404."""
    if not value:
        return None
    if not str(value).isdigit() or not 0 < int(value) < 2**63:
        raise Http404("没有这个区划。")
    area = Area.objects.filter(pk=int(value)).first()
    if area is None or not scope_for(user).covers(area):
        raise Http404("没有这个区划。")
    return area


class VillageRiskSerializer(serializers.Serializer):
    village = serializers.IntegerField(source="village.pk")
    village_name = serializers.CharField(source="village.name")
    village_code = serializers.CharField(source="village.code")
    town_name = serializers.CharField(source="village.parent.name")
    rating = serializers.CharField(label="风险等级（生效）", allow_blank=True)
    computed = serializers.SerializerMethodField(label="计算等级")
    override = serializers.SerializerMethodField(label="调整后等级")
    reason = serializers.SerializerMethodField(label="调整理由")
    inputs = serializers.SerializerMethodField(label="计算依据")
    report_days = serializers.IntegerField(allow_null=True, label="网格上报间隔（天）")
    visit_days = serializers.IntegerField(allow_null=True, label="走访间隔（天）")
    visits = serializers.IntegerField(label="本月走访次数")
    missed = serializers.IntegerField(label="本月缺少走访次数")
    missed_reports = serializers.IntegerField(label="本月网格缺报次数（各网格合计）")

    def get_computed(self, row) -> str:
        return row.risk.computed if row.risk else ""

    def get_override(self, row) -> str:
        return row.risk.override if row.risk else ""

    def get_reason(self, row) -> str:
        return row.risk.reason if row.risk else ""

    def get_inputs(self, row) -> dict:
        return row.risk.inputs if row.risk else {}


class VillageRiskListSerializer(serializers.Serializer):
    month = serializers.CharField()
    results = VillageRiskSerializer(many=True)


class VillageRiskListView(APIView):
    """The villages the caller sees with their risk rating of the month (红/黄/绿), the
    schedule it sets and the month's visits; `?risk=red` lists the red ones only."""

    @extend_schema(parameters=[MONTH, RISK, AREA], responses=VillageRiskListSerializer)
    def get(self, request):
        area = area_param(request.user, request.query_params.get("area"))
        period, rows = risk.village_rows(
            request.user,
            month=request.query_params.get("month"),
            risk=request.query_params.get("risk", ""),
            area=area,
        )
        return Response(
            {"month": period.key, "results": VillageRiskSerializer(rows, many=True).data}
        )


class OverrideSerializer(serializers.Serializer):
    rating = serializers.CharField(label="调整后等级", allow_blank=True, required=False)
    reason = serializers.CharField(label="调整理由", allow_blank=True, required=False)
    month = serializers.CharField(label="月份", allow_blank=True, required=False)


class RiskRowSerializer(serializers.Serializer):
    village = serializers.IntegerField(source="village_id")
    month = serializers.DateField()
    computed = serializers.CharField()
    override = serializers.CharField()
    rating = serializers.CharField()
    reason = serializers.CharField()
    inputs = serializers.JSONField()
    overridden_by = serializers.IntegerField(source="overridden_by_id", allow_null=True)
    overridden_at = serializers.DateTimeField(allow_null=True)


class VillageRiskOverrideView(APIView):
    """A town officer sets a village's rating of the month (reason required; audited)."""

    @extend_schema(request=OverrideSerializer, responses=RiskRowSerializer)
    def post(self, request, pk):
        risk.village_in_scope(request.user, pk)
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = risk.risk_override(actor=request.user, village_id=pk, **data.validated_data)
        return Response(RiskRowSerializer(row).data)


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    visited_on = serializers.CharField(label="走访日期")
    note = serializers.CharField(label="走访情况", allow_blank=True, required=False)
    visitor = serializers.IntegerField(source="visitor_id", read_only=True)


class VillageVisitsView(APIView):
    """A village's visits by its officer (newest first), and recording one."""

    @extend_schema(responses=VisitSerializer(many=True))
    def get(self, request, pk):
        village = risk.village_in_scope(request.user, pk)
        visits = risk.VillageVisit.objects.filter(village=village)[:100]
        return Response(VisitSerializer(visits, many=True).data)

    @extend_schema(request=VisitSerializer, responses={201: VisitSerializer})
    def post(self, request, pk):
        risk.village_in_scope(request.user, pk)
        data = VisitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit = risk.visit_record(actor=request.user, village_id=pk, **data.validated_data)
        return Response(VisitSerializer(visit).data, status=201)


class RiskSettingsSerializer(serializers.Serializer):
    values = serializers.DictField(label="村风险评定标准", child=serializers.IntegerField())


class RiskSettingsOutputSerializer(RiskSettingsSerializer):
    county = serializers.IntegerField()
    own = serializers.BooleanField(label="本县单独设置")


class RiskSettingsView(APIView):
    """A county's village risk thresholds (yellow and red per input) and the report and visit
    intervals each rating sets; they apply from the next rating on."""

    @extend_schema(responses=RiskSettingsOutputSerializer)
    def get(self, request, county_id):
        county = settings_county(request.user, county_id)
        return Response(
            RiskSettingsOutputSerializer({"county": county.pk, **risk.settings_of(county)}).data
        )

    @extend_schema(request=RiskSettingsSerializer, responses=RiskSettingsOutputSerializer)
    def put(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = RiskSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = risk.settings_set(
            actor=request.user, county=county, values=data.validated_data["values"]
        )
        return Response(RiskSettingsOutputSerializer({"county": county.pk, **result}).data)
