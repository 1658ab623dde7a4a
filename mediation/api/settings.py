"""The settings API of the mediation app: a county's 以奖代补 reward schedule."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import settings_county
from cases.choices import Category, Level

from .. import county_settings
from ..choices import Difficulty


class RewardLineSerializer(serializers.Serializer):
    difficulty = serializers.ChoiceField(label="难易程度", choices=Difficulty.choices)
    category = serializers.ChoiceField(
        label="纠纷类型（空为不限）", choices=Category.choices, required=False, allow_blank=True
    )
    level = serializers.ChoiceField(
        label="层级（空为不限）", choices=Level.choices, required=False, allow_blank=True
    )
    amount = serializers.DecimalField(label="补贴金额（元）", max_digits=10, decimal_places=2)
    active = serializers.BooleanField(label="在用", default=True)


class ScheduleSerializer(serializers.Serializer):
    lines = RewardLineSerializer(many=True)


class ScheduleOutputSerializer(ScheduleSerializer):
    county = serializers.IntegerField()
    own = serializers.BooleanField(label="本县单独设置")


class RewardScheduleView(APIView):
    """A county's reward schedule. PUT sets the whole schedule: the lines given, a line left out
    is switched off; claims made after the change are paid by it."""

    @extend_schema(responses=ScheduleOutputSerializer)
    def get(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = county_settings.schedule_of(county)
        return Response(ScheduleOutputSerializer({"county": county.pk, **data}).data)

    @extend_schema(request=ScheduleSerializer, responses=ScheduleOutputSerializer)
    def put(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = county_settings.schedule_set(
            actor=request.user, county=county, lines=data.validated_data["lines"]
        )
        return Response(ScheduleOutputSerializer({"county": county.pk, **result}).data)
