"""The settings API of this app: a county's SLA policy and the national calendar overrides."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import settings_county

from . import county_settings
from .choices import DeadlineUnit, Level


class SlaRowSerializer(serializers.Serializer):
    level = serializers.ChoiceField(label="层级", choices=Level.choices)
    red = serializers.BooleanField(label="高风险（红）", default=False)
    assign_value = serializers.IntegerField(label="分派时限")
    assign_unit = serializers.ChoiceField(label="分派时限单位", choices=DeadlineUnit.choices)
    respond_value = serializers.IntegerField(label="响应时限")
    respond_unit = serializers.ChoiceField(label="响应时限单位", choices=DeadlineUnit.choices)
    resolve_value = serializers.IntegerField(label="办结时限")
    resolve_unit = serializers.ChoiceField(label="办结时限单位", choices=DeadlineUnit.choices)


class SlaRowOutSerializer(SlaRowSerializer):
    own = serializers.BooleanField(label="本县单独设置")


class SlaPolicyInputSerializer(serializers.Serializer):
    rows = SlaRowSerializer(many=True, allow_empty=False)


class SlaPolicyOutputSerializer(serializers.Serializer):
    county = serializers.IntegerField()
    rows = SlaRowOutSerializer(many=True)


class SlaPolicyView(APIView):
    """A county's handling deadlines (six rows: village, town, county × red or not). PUT sets
    the rows given; cases reported (or escalated) after the change get the new deadlines."""

    @extend_schema(responses=SlaPolicyOutputSerializer)
    def get(self, request, county_id):
        county = settings_county(request.user, county_id)
        return Response({"county": county.pk, "rows": county_settings.sla_policy_of(county)})

    @extend_schema(request=SlaPolicyInputSerializer, responses=SlaPolicyOutputSerializer)
    def put(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = SlaPolicyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = county_settings.sla_policy_set(
            actor=request.user, county=county, rows=data.validated_data["rows"]
        )
        return Response({"county": county.pk, "rows": rows})


class CalendarOverrideSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(label="日期")
    is_workday = serializers.BooleanField(label="是否工作日")
    note = serializers.CharField(label="说明", max_length=100, required=False, allow_blank=True)


class CalendarYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)


class CalendarOverrideListView(APIView):
    """The national calendar overrides (工作日调整): days whose working status is set by hand.
    Admins at a county or above enter the years the official calendar does not know yet."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int)],
        responses=CalendarOverrideSerializer(many=True),
    )
    def get(self, request):
        county_settings.calendar_editor_area(request.user)
        query = CalendarYearSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = county_settings.calendar_overrides(query.validated_data.get("year"))
        return Response(CalendarOverrideSerializer(rows, many=True).data)

    @extend_schema(request=CalendarOverrideSerializer, responses={201: CalendarOverrideSerializer})
    def post(self, request):
        county_settings.calendar_editor_area(request.user)
        data = CalendarOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        override = county_settings.calendar_override_save(
            actor=request.user,
            day=values["date"],
            is_workday=values["is_workday"],
            note=values.get("note", ""),
        )
        return Response(CalendarOverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class CalendarOverrideDetailView(APIView):
    """Remove one calendar override."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        county_settings.calendar_editor_area(request.user)
        county_settings.calendar_override_delete(actor=request.user, override_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
