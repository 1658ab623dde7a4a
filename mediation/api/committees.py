"""Mediation committees and studios, and their mediators, over the API."""

import django_filters
from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from accounts.selectors import scope_for
from cases.choices import Category
from config.errors import InvalidInput
from config.filters import IdFilter, id_param
from grids.api import AreaBriefSerializer
from grids.models import Area

from .. import selectors, services
from ..choices import (
    CommitteeKind,
    CommitteePosition,
    Employment,
)
from ..models import (
    Committee,
    MediatorProfile,
)
from .common import UserBriefSerializer


class MemberSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    employment_label = serializers.CharField(
        source="get_employment_display", read_only=True, label="专兼职"
    )
    position_label = serializers.CharField(
        source="get_position_display", read_only=True, label="职务"
    )

    class Meta:
        model = MediatorProfile
        fields = [
            "id",
            "user",
            "position",
            "position_label",
            "employment",
            "employment_label",
            "specialty",
            "certified",
            "title",
            "active",
            "joined_on",
        ]


class CommitteeSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="类型")
    member_count = serializers.IntegerField(read_only=True, label="调解员人数")

    class Meta:
        model = Committee
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "area",
            "category",
            "parent",
            "phone",
            "address",
            "active",
            "member_count",
        ]


class CommitteeInputSerializer(serializers.Serializer):
    name = serializers.CharField(label="名称", max_length=100)
    kind = serializers.ChoiceField(label="类型", choices=CommitteeKind.choices)
    area = serializers.PrimaryKeyRelatedField(label="所属区划", queryset=Area.objects.all())
    category = serializers.ChoiceField(
        label="专业领域", choices=Category.choices, required=False, allow_blank=True
    )
    parent = serializers.PrimaryKeyRelatedField(
        label="所属调委会", required=False, allow_null=True, queryset=Committee.objects.all()
    )
    phone = serializers.CharField(label="联系电话", max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(label="地址", max_length=200, required=False, allow_blank=True)


class CommitteeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(label="名称", max_length=100, required=False)
    phone = serializers.CharField(label="联系电话", max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(label="地址", max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(label="在用", required=False)


class MemberInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(label="调解员", queryset=User.objects.all())
    position = serializers.ChoiceField(
        label="职务", choices=CommitteePosition.choices, required=False
    )
    employment = serializers.ChoiceField(label="专兼职", choices=Employment.choices, required=False)
    specialty = serializers.CharField(label="擅长领域", max_length=100, required=False)
    certified = serializers.BooleanField(label="持证上岗", required=False)
    title = serializers.CharField(label="荣誉称号", max_length=100, required=False)
    active = serializers.BooleanField(label="在职", required=False)
    joined_on = serializers.DateField(label="聘任日期", required=False, allow_null=True)


class CommitteeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CommitteeKind.choices)
    area = IdFilter(method="filter_area", label="区划（含下级）")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Committee
        fields = ["kind", "area", "active"]

    def filter_area(self, queryset, name, value):
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        return queryset.filter(area__code__startswith=area.prefix)


class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Mediation committees and studios in the user's areas, and their mediators."""

    serializer_class = CommitteeSerializer
    filterset_class = CommitteeFilter

    def get_queryset(self):
        return selectors.committees_visible_to(self.request.user).annotate(
            member_count=Count("members")
        )

    def _user_visible(self, user):
        return (
            scope_for(self.request.user).is_superuser
            or user.roles.filter(area__in=scope_for(self.request.user).areas_queryset()).exists()
        )

    @extend_schema(request=CommitteeInputSerializer, responses={201: CommitteeSerializer})
    def create(self, request):
        data = CommitteeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not scope_for(request.user).covers(values["area"]):
            raise InvalidInput("区划不存在。", fields={"area": ["区划不存在。"]})
        committee = services.committee_create(actor=request.user, **values)
        return Response(CommitteeSerializer(self.get_queryset().get(pk=committee.pk)).data, 201)

    @extend_schema(request=CommitteeUpdateSerializer, responses={200: CommitteeSerializer})
    def partial_update(self, request, pk=None):
        committee = self.get_object()
        data = CommitteeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.committee_update(committee=committee, actor=request.user, **data.validated_data)
        return Response(CommitteeSerializer(self.get_queryset().get(pk=committee.pk)).data)

    @extend_schema(methods=["get"], responses={200: MemberSerializer(many=True)}, request=None)
    @extend_schema(
        methods=["post"], request=MemberInputSerializer, responses={201: MemberSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request, pk=None):
        """The committee's mediators; POST adds or updates one."""
        committee = self.get_object()
        if request.method == "GET":
            members = committee.members.select_related("user").order_by("id")
            return Response(MemberSerializer(members, many=True).data)
        data = MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        user = values.pop("user")
        if not self._user_visible(user):
            raise InvalidInput("用户不存在。", fields={"user": ["用户不存在。"]})
        profile = services.member_save(committee=committee, actor=request.user, user=user, **values)
        return Response(MemberSerializer(profile).data, status=201)

    @extend_schema(
        parameters=[OpenApiParameter("area", int, required=True, description="承办单位区划")],
        responses={200: UserBriefSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def mediators(self, request):
        """Who may be assigned a case held at `area`."""
        area_id = id_param(request.query_params.get("area"), "area", "须指定区划。")
        area = get_object_or_404(scope_for(request.user).areas_queryset(), pk=area_id)
        return Response(UserBriefSerializer(selectors.mediators_for(area), many=True).data)
