"""KPIs, rankings and the KPI workbook over the API; every area is checked against the user's
scope (outside it: 404)."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import scope_for
from accounts.services import audit_export
from config.exports import XLSX_RESPONSES, xlsx_response
from grids.api import AreaBriefSerializer
from grids.choices import LEVEL_RANK
from grids.models import Area

from . import selectors
from .choices import KPI_FIELDS, SNAPSHOT_LEVELS
from .export import bulletin_workbook, kpi_workbook
from .periods import month_of, parse_period

COUNT_FIELDS = [
    "intake",
    "concluded",
    "resolved",
    "escalations",
    "assign_measured",
    "assign_met",
    "respond_measured",
    "respond_met",
    "escalations_measured",
    "escalations_met",
    "concluded_on_time",
    "resolve_overdue_open",
    "closure_measured",
    "resolved_for_follow_up",
    "followed_up",
    "follow_ups",
    "satisfied",
    "grids",
    "grids_inspected",
]


class KpiQuerySerializer(serializers.Serializer):
    area = serializers.IntegerField(required=False, min_value=1, max_value=2**62)
    period = serializers.CharField(required=False, max_length=16)
    breakdown = serializers.ChoiceField(choices=["children"], required=False)

    def validate_period(self, value):
        try:
            return parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc))


class RankingQuerySerializer(KpiQuerySerializer):
    level = serializers.ChoiceField(choices=["county", "town", "village"])


def _resolve(request, query_class):
    """Validated query, the area (in the user's scope, else 404) and the period."""
    query = query_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    scope = scope_for(request.user)
    if "area" in data:
        area = Area.objects.filter(pk=data["area"]).first()
        if area is None or not scope.covers(area):
            raise Http404
    else:
        areas = sorted(scope.areas(), key=lambda a: (LEVEL_RANK[a.level], a.code))
        if not areas:
            raise serializers.ValidationError({"area": ["请选择区划。"]})
        area = areas[0]
    if area.level not in SNAPSHOT_LEVELS:
        raise serializers.ValidationError({"area": ["网格不单独考核，请选择村及以上区划。"]})
    period = data.get("period") or month_of(timezone.now())
    return data, area, period


def kpi_values(snapshot) -> dict:
    return {name: snapshot.metrics.get(name) for name, _, _ in KPI_FIELDS}


def snapshot_row(snapshot) -> dict:
    row = {
        "area": AreaBriefSerializer(snapshot.area).data,
        "kpis": kpi_values(snapshot),
        "safety_index": snapshot.safety_index,
        "grade": snapshot.grade,
    }
    row["computed_at"] = snapshot.computed_at
    if hasattr(snapshot, "standing"):
        row["standing"] = snapshot.standing
    if hasattr(snapshot, "rank"):
        row["rank"] = snapshot.rank
    if hasattr(snapshot, "rank_in_parent"):
        row["rank_in_parent"] = snapshot.rank_in_parent
    return row


def kpi_payload(area, period, *, breakdown: bool) -> dict:
    """The area's KPIs, and with `breakdown` its children's, all of one moment (`as_of`)."""
    if breakdown:
        snapshot, children = selectors.area_and_children(area, period)
    else:
        snapshot, children = selectors.area_snapshot(area, period), []
    payload = {
        "area": AreaBriefSerializer(area).data,
        "period": period.key,
        "period_kind": period.kind,
        "period_label": period.label,
        "computed_at": snapshot.computed_at,
        "as_of": snapshot.computed_at,
        "period_start": period.start,
        "period_end": period.end,
        "kpis": kpi_values(snapshot),
        "counts": {name: snapshot.metrics.get(name) for name in COUNT_FIELDS},
        "referrals_by_kind": snapshot.metrics.get("referrals_by_kind", {}),
        "safety_index": snapshot.safety_index,
        "grade": snapshot.grade,
    }
    if breakdown:
        payload["children"] = [snapshot_row(s) for s in children]
    return payload


def add_year_grades(payload: dict, area, period) -> None:
    """Each row's grade of the year so far (`year_grade`, "" without case work in the year)."""
    from .figures import RANKED, snapshots_of, standing, year_of_period

    year = year_of_period(period)
    ids = [area.pk] + [row["area"]["id"] for row in payload.get("children", [])]
    found = snapshots_of([year], ids, area)[year.key]

    def grade(area_id):
        snapshot = found.get(area_id)
        if snapshot is None or snapshot.safety_index is None or standing(snapshot) != RANKED:
            return ""
        return snapshot.grade or "none"

    payload["year"] = year.label
    payload["year_grade"] = grade(area.pk)
    for row in payload.get("children", []):
        row["year_grade"] = grade(row["area"]["id"])


AREA_PARAM = OpenApiParameter(
    "area", OpenApiTypes.INT, description="区划 id（默认：本人最高层级的区划）"
)
PERIOD_PARAM = OpenApiParameter("period", OpenApiTypes.STR, description="2026-10、2026-Q3 或 2026")


class KpiView(APIView):
    """An area's KPIs for a period (`breakdown=children`: one row per child area, ranked)."""

    @extend_schema(
        parameters=[
            AREA_PARAM,
            PERIOD_PARAM,
            OpenApiParameter("breakdown", OpenApiTypes.STR, enum=["children"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        data, area, period = _resolve(request, KpiQuerySerializer)
        return Response(kpi_payload(area, period, breakdown=data.get("breakdown") == "children"))


class RankingView(APIView):
    """Units of a level under an area, ordered by safety index (ties: resolution rate, code)."""

    @extend_schema(
        parameters=[
            AREA_PARAM,
            PERIOD_PARAM,
            OpenApiParameter("level", OpenApiTypes.STR, enum=["county", "town", "village"]),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        data, area, period = _resolve(request, RankingQuerySerializer)
        try:
            rows = selectors.ranking(area, data["level"], period)
        except ValueError as exc:
            raise serializers.ValidationError({"level": [str(exc)]})
        return Response(
            {
                "area": AreaBriefSerializer(area).data,
                "level": data["level"],
                "period": period.key,
                "as_of": rows[0].computed_at if rows else None,
                "results": [snapshot_row(s) for s in rows],
            }
        )


class KpiExportView(APIView):
    """The KPI workbook: the area's KPIs, then its child areas ranked."""

    @extend_schema(
        parameters=[AREA_PARAM, PERIOD_PARAM],
        responses=XLSX_RESPONSES,
    )
    def get(self, request):
        _, area, period = _resolve(request, KpiQuerySerializer)
        payload = kpi_payload(area, period, breakdown=True)
        add_year_grades(payload, area, period)
        content = kpi_workbook(payload)
        audit_export(
            actor=request.user,
            what=f"考核指标 {period.key}",
            area=area,
            params=dict(request.query_params.items()),
        )
        return xlsx_response(content, f"kpi-{area.code}-{period.key}.xlsx")


class KpiBulletinView(APIView):
    """The monthly bulletin (工作通报): KPIs, units ranked, overdue and supervised cases, and the
    units that missed deadlines in the period."""

    @extend_schema(
        parameters=[AREA_PARAM, PERIOD_PARAM],
        responses=XLSX_RESPONSES,
    )
    def get(self, request):
        _, area, period = _resolve(request, KpiQuerySerializer)
        payload = kpi_payload(area, period, breakdown=True)
        villages = []
        if area.level != "village":
            villages = [snapshot_row(s) for s in selectors.ranking(area, "village", period)]
        overdue = list(selectors.bulletin_cases(area))
        late = selectors.late_units(area, period)
        content = bulletin_workbook(payload, villages=villages, overdue=overdue, late=late)
        audit_export(
            actor=request.user,
            what=f"工作通报 {period.key}",
            area=area,
            params=dict(request.query_params.items()),
            rows=len(overdue),
        )
        return xlsx_response(content, f"bulletin-{area.code}-{period.key}.xlsx")
