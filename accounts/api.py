"""Auth endpoints, the current user, user management for admins, and the audit trail an admin
queries for their subtree (reveals of personal data, exports and other audited changes)."""

import django_filters
from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.dates import BoundedDateTimeField
from config.errors import NotAllowed
from config.filters import IdFilter
from config.pagination import PageNumberNoCountPagination
from config.throttling import LoginRateThrottle
from grids.api import AreaBriefSerializer, AreaSerializer
from grids.choices import AreaLevel
from grids.models import Area

from . import audit, devices, services
from .auth import token_expires_at
from .choices import RoleKind
from .models import AuditEntry, Role, User
from .selectors import areas_visible_to, scope_for, users_visible_to


class RoleSerializer(serializers.ModelSerializer):
    area = AreaBriefSerializer(read_only=True)

    class Meta:
        model = Role
        fields = ["id", "kind", "area"]


class UserSerializer(serializers.ModelSerializer):
    roles = RoleSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "phone", "is_active", "roles"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleAreaField(serializers.PrimaryKeyRelatedField):
    """An area id that must be visible to the requesting user (else "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Area.objects.none()
        return areas_visible_to(request.user)


class RoleInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RoleKind.choices)
    area = VisibleAreaField()


class UserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    password = serializers.CharField(min_length=8, max_length=128, write_only=True)
    display_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.RegexField(r"^1\d{10}$", required=False, allow_blank=True)
    roles = RoleInputSerializer(many=True, allow_empty=False)


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """POST username and password, get a token (`Authorization: Token …`)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # django-axes counts failures on the Django request, not DRF's wrapper.
            user = authenticate(
                request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except PermissionDenied:
            user = None
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": "登录失败次数过多，账号已临时锁定，请稍后再试。", "code": "locked_out"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response(
                {"detail": "用户名或密码错误。", "code": "invalid_credentials"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A token login is a login: resets the failure count and records last_login.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class MeView(APIView):
    """The signed-in user with their roles."""

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        user = User.objects.prefetch_related("roles__area").get(pk=request.user.pk)
        return Response(UserSerializer(user).data)


class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Users inside the admin's subtree: list, create, deactivate, activate, grant and revoke
    roles (each change audited)."""

    serializer_class = UserSerializer

    def get_queryset(self):
        return users_visible_to(self.request.user).prefetch_related("roles__area").order_by("id")

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request):
        data = UserCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = services.user_create(
            actor=request.user,
            username=values["username"],
            password=values["password"],
            display_name=values.get("display_name", ""),
            phone=values.get("phone", ""),
            roles=[(r["kind"], r["area"]) for r in values["roles"]],
        )
        user = self.get_queryset().get(pk=user.pk)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self.get_object()
        services.user_deactivate(actor=request.user, user=user)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        user = self.get_object()
        services.user_activate(actor=request.user, user=user)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        """Lift a sign-in lockout early: the user's failed attempts are forgotten."""
        user = self.get_object()
        services.user_unlock(actor=request.user, user=user)
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("DevicesRevoked", {"revoked": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"], url_path="revoke-devices")
    def revoke_devices(self, request, pk=None):
        """Sign out every device the user chose to stay signed in on (记住此设备), e.g. a lost
        phone; audited."""
        user = self.get_object()
        revoked = devices.devices_revoke_all(actor=request.user, user=user)
        return Response({"revoked": revoked})

    @extend_schema(request=RoleInputSerializer, responses={201: RoleSerializer})
    @action(detail=True, methods=["post"])
    def roles(self, request, pk=None):
        user = self.get_object()
        data = RoleInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        role = services.role_grant(
            actor=request.user,
            user=user,
            kind=data.validated_data["kind"],
            area=data.validated_data["area"],
        )
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"roles/(?P<role_id>\d+)")
    def revoke_role(self, request, pk=None, role_id=None):
        user = self.get_object()
        role = get_object_or_404(Role.objects.select_related("area", "user"), pk=role_id, user=user)
        services.role_revoke(actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- the audit trail


AUDIT_KINDS = ["reveal", *AuditEntry.Kind.values]


class AuditQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AUDIT_KINDS, required=False)
    actor = serializers.IntegerField(required=False, min_value=1)
    after = BoundedDateTimeField(required=False)
    before = BoundedDateTimeField(required=False)


class AuditRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    actor_id = serializers.IntegerField(allow_null=True)
    what = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    case_number = serializers.CharField(allow_null=True)
    data = serializers.DictField()


class AuditPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = AuditRowSerializer(many=True)


def _entries(scope, query):
    entries = AuditEntry.objects.select_related("actor")
    if not scope.is_superuser:
        condition = Q(pk__in=[])
        for area in scope.areas(RoleKind.ADMIN):
            condition |= Q(area__code__startswith=area.prefix)
        entries = entries.filter(condition)
    if "kind" in query:
        entries = entries.filter(kind=query["kind"])
    if "actor" in query:
        entries = entries.filter(actor_id=query["actor"])
    if "after" in query:
        entries = entries.filter(created_at__gte=query["after"])
    if "before" in query:
        entries = entries.filter(created_at__lt=query["before"])
    return entries.order_by("-created_at", "-id")


def _name(user):
    return (user.display_name or user.username) if user else None


class AuditView(APIView):
    """Reveals of personal data and the audit rows (exports, users, roles, committees,
    settings, admin edits) of the admin's subtree, newest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=AUDIT_KINDS),
            OpenApiParameter("actor", int),
            OpenApiParameter("after", str),
            OpenApiParameter("before", str),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=AuditPageSerializer,
    )
    def get(self, request):
        scope = scope_for(request.user)
        if not scope.is_superuser and not scope.areas(RoleKind.ADMIN):
            raise NotAllowed("只有管理员可以查看审计记录。")
        query_serializer = AuditQuerySerializer(data=request.query_params)
        query_serializer.is_valid(raise_exception=True)
        query = query_serializer.validated_data
        paginator = PageNumberNoCountPagination()
        paginator.page_size_value = paginator._int_param(
            request, "page_size", paginator.page_size, paginator.max_page_size
        )
        page = paginator._int_param(request, "page", 1, paginator.max_page)
        wanted = page * paginator.page_size_value + 1
        rows = []
        if query.get("kind") in (None, "reveal"):
            for event in audit.reader("reveal")(scope, query)[:wanted]:
                rows.append(
                    {
                        "kind": "reveal",
                        "at": event.created_at,
                        "actor": _name(event.actor),
                        "actor_id": event.actor_id,
                        "what": event.note,
                        "case_id": event.case_id,
                        "case_number": event.case.number,
                        "data": event.data,
                    }
                )
        if query.get("kind") != "reveal":
            for entry in _entries(scope, query)[:wanted]:
                rows.append(
                    {
                        "kind": entry.kind,
                        "at": entry.created_at,
                        "actor": _name(entry.actor),
                        "actor_id": entry.actor_id,
                        "what": entry.what,
                        "case_id": None,
                        "case_number": None,
                        "data": {
                            "params": entry.params,
                            "rows": entry.rows,
                            "target": entry.target,
                        },
                    }
                )
        rows.sort(key=lambda row: row["at"], reverse=True)
        rows = paginator.paginate_queryset(rows, request)
        return paginator.get_paginated_response(AuditRowSerializer(rows, many=True).data)


# ---------------------------------------------------------------- the area tree


class AreaFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = IdFilter(field_name="parent_id")
    code = django_filters.CharFilter(field_name="code")

    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """Areas the user may see: their roles' subtrees and the ancestors above them (scoped by
    the user's roles, so it lives here and not in grids, below accounts)."""

    serializer_class = AreaSerializer
    filterset_class = AreaFilter

    def get_queryset(self):
        return areas_visible_to(self.request.user).order_by("code")
