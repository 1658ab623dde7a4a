"""Referrals over the API (DESIGN.md §15): the scoped list (a liaison's inbox, the committee's
referrals), the detail, an agency's dispute referred in, a case referred out, and one endpoint
per step. Every queryset starts from `Referral.objects.visible_to(user)`: a referral out of
scope is a 404, another agency's included."""

import django_filters
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.agencies import Agency
from accounts.choices import AgencyKind
from accounts.selectors import scope_for
from config.filters import IdFilter

from . import referrals
from .api import CaseCreateSerializer
from .policy import ReferralPolicy
from .referral_models import (
    Direction,
    Referral,
    ReferralKind,
    ReferralResult,
    ReferralStatus,
)

MAX_NOTE = 2000


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "kind", "department", "phone"]


class ReferralCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    level = serializers.CharField()
    risk = serializers.CharField()
    village = serializers.CharField(source="village.name")


class ReferralSerializer(serializers.ModelSerializer):
    case = ReferralCaseSerializer()
    agency = AgencySerializer()
    overdue = serializers.SerializerMethodField()
    late = serializers.BooleanField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "agency",
            "direction",
            "kind",
            "status",
            "note",
            "sent_at",
            "receive_due",
            "received_at",
            "answer_due",
            "answered_at",
            "result",
            "result_note",
            "closed_at",
            "overdue",
            "late",
            "allowed_actions",
        ]

    def get_overdue(self, obj) -> bool:
        return obj.next_due is not None and obj.next_due <= timezone.now()

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        user = request.user if request else None
        return sorted(ReferralPolicy(user, obj).allowed_actions())


class ReferInSerializer(CaseCreateSerializer):
    """An agency's dispute referred to people's mediation: the case's intake fields and the
    referral's."""

    source = None
    screening = None
    screening_note = None
    agency = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")
    answer_due = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ReferOutSerializer(serializers.Serializer):
    agency = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(max_length=MAX_NOTE)
    answer_due = serializers.DateTimeField(required=False, allow_null=True, default=None)
    close_case = serializers.BooleanField(required=False, default=False)


class AnswerSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ReferralResult.choices)
    note = serializers.CharField(max_length=MAX_NOTE)


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices)
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    agency_kind = django_filters.ChoiceFilter(field_name="agency__kind", choices=AgencyKind.choices)
    case = IdFilter(field_name="case_id")
    overdue = django_filters.BooleanFilter(method="filter_overdue")

    class Meta:
        model = Referral
        fields = ["status", "direction", "agency_kind", "case", "overdue"]

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(next_due__lte=now)
        return queryset.exclude(next_due__lte=now)


def referrals_for_list(user):
    """Scoped referrals with what a row shows (a constant number of queries)."""
    return (
        Referral.objects.visible_to(user)
        .select_related("case", "case__village", "case__holder", "agency")
        .order_by("-sent_at", "-id")
    )


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Referrals in the user's scope; an agency's dispute referred in; the steps."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return referrals_for_list(self.request.user)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _done(self, referral_id, status_code=status.HTTP_200_OK):
        referral = referrals_for_list(self.request.user).get(pk=referral_id)
        return Response(
            ReferralSerializer(referral, context=self.get_serializer_context()).data,
            status=status_code,
        )

    @extend_schema(request=ReferInSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        data = dict(self._input(ReferInSerializer))
        data["agency_id"] = data.pop("agency")
        referral = referrals.referral_receive_dispute(actor=request.user, **data)
        return self._done(referral.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        referral = referrals.referral_receive(actor=request.user, referral_id=pk)
        return self._done(referral.pk)

    @extend_schema(request=AnswerSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        referrals.access_referral(request.user, pk)
        data = self._input(AnswerSerializer)
        referral = referrals.referral_answer(actor=request.user, referral_id=pk, **data)
        return self._done(referral.pk)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        referral = referrals.referral_close(actor=request.user, referral_id=pk)
        return self._done(referral.pk)


class CaseReferView(APIView):
    """`POST /api/v1/cases/{id}/refer/`: refer the case to an agency (移交)."""

    @extend_schema(request=ReferOutSerializer, responses={201: ReferralSerializer})
    def post(self, request, pk):
        from .policy import access_case

        access_case(request.user, pk)
        serializer = ReferOutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["agency_id"] = data.pop("agency")
        referral = referrals.referral_send(actor=request.user, case_id=pk, **data)
        referral = referrals_for_list(request.user).get(pk=referral.pk)
        return Response(
            ReferralSerializer(referral, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def agencies_visible_to(user):
    """Agencies a user may pick: those of the counties their roles lie in or cover (a liaison:
    their own agencies' counties)."""
    from django.db.models import Q

    from grids.choices import LEVEL_RANK, AreaLevel

    scope = scope_for(user)
    if scope.is_superuser:
        return Agency.objects.filter(active=True)
    condition = Q(county_id__in=Agency.objects.filter(pk__in=scope.agency_ids).values("county_id"))
    for area in scope.areas():
        if area.rank >= LEVEL_RANK[AreaLevel.COUNTY]:
            condition |= Q(county__code__startswith=area.code[:6])
        else:
            condition |= Q(county__code__startswith=area.prefix)
    return Agency.objects.filter(condition, active=True)


class AgencyListView(APIView):
    """`GET /api/v1/agencies/?kind=`: agencies of the user's counties, to refer to or consult."""

    @extend_schema(responses=AgencySerializer(many=True))
    def get(self, request):
        queryset = agencies_visible_to(request.user).order_by("kind", "code")
        kind = request.query_params.get("kind")
        if kind:
            if kind not in AgencyKind.values:
                return Response({"kind": ["类型无效。"]}, status=status.HTTP_400_BAD_REQUEST)
            queryset = queryset.filter(kind=kind)
        return Response(AgencySerializer(queryset[:500], many=True).data)
