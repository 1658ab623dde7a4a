"""How an area is shown over the API (the scoped area lookups, which need the user's roles,
are in accounts/api.py)."""

from rest_framework import serializers

from .models import Area


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level"]


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "parent", "retired"]
