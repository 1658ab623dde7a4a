"""The area tree over the API: scoped lookups with level/parent/code filters."""

import django_filters
from rest_framework import serializers, viewsets

from accounts.selectors import areas_visible_to

from .choices import AreaLevel
from .models import Area


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level"]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "parent", "retired"]


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")
    code = django_filters.CharFilter(field_name="code")

    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas the user may see: their roles' subtrees and the ancestors above them."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter

    def get_queryset(self):
        return areas_visible_to(self.request.user).order_by("code")
