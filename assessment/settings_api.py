"""The settings API of this app: a county's safety index weights and grade thresholds."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import settings_county

from . import county_settings


class WeightsSerializer(serializers.Serializer):
    weights = serializers.DictField(
        label="平安指数权重", child=serializers.DecimalField(max_digits=6, decimal_places=2)
    )


class WeightsOutputSerializer(WeightsSerializer):
    county = serializers.IntegerField()
    own = serializers.BooleanField(label="本县单独设置")


class ThresholdsSerializer(serializers.Serializer):
    thresholds = serializers.DictField(
        label="最低平安指数", child=serializers.DecimalField(max_digits=5, decimal_places=2)
    )


class ThresholdsOutputSerializer(ThresholdsSerializer):
    county = serializers.IntegerField()
    own = serializers.BooleanField(label="本县单独设置")


def _out(county, data, serializer):
    return Response(serializer({"county": county.pk, **data}).data)


class IndexWeightsView(APIView):
    """The weights of a county's safety index (every metric, adding up to 100); they index the
    county's towns and villages from the next roll-up on."""

    @extend_schema(responses=WeightsOutputSerializer)
    def get(self, request, county_id):
        county = settings_county(request.user, county_id)
        return _out(county, county_settings.weights_of(county), WeightsOutputSerializer)

    @extend_schema(request=WeightsSerializer, responses=WeightsOutputSerializer)
    def put(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = WeightsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = county_settings.weights_set(
            actor=request.user, county=county, weights=data.validated_data["weights"]
        )
        return _out(county, result, WeightsOutputSerializer)


class GradeThresholdsView(APIView):
    """The lowest yearly index for each grade (gold > silver > bronze) in a county."""

    @extend_schema(responses=ThresholdsOutputSerializer)
    def get(self, request, county_id):
        county = settings_county(request.user, county_id)
        return _out(county, county_settings.thresholds_of(county), ThresholdsOutputSerializer)

    @extend_schema(request=ThresholdsSerializer, responses=ThresholdsOutputSerializer)
    def put(self, request, county_id):
        county = settings_county(request.user, county_id)
        data = ThresholdsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = county_settings.thresholds_set(
            actor=request.user, county=county, thresholds=data.validated_data["thresholds"]
        )
        return _out(county, result, ThresholdsOutputSerializer)
