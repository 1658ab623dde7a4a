"""The audit trail an admin can query for their subtree: who revealed which personal field of
which case (case events of kind `reveal`), and who exported what (AuditEntry)."""

from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from config.errors import NotAllowed
from config.pagination import PageNumberNoCountPagination

from .choices import RoleKind
from .models import AuditEntry
from .selectors import scope_for


class AuditQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["reveal", "export", "anonymise"], required=False)
    actor = serializers.IntegerField(required=False, min_value=1)
    after = serializers.DateTimeField(required=False)
    before = serializers.DateTimeField(required=False)


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


def _reveals(scope, query):
    from cases.models import CaseEvent

    events = CaseEvent.objects.filter(kind="reveal").select_related("actor", "case")
    if not scope.is_superuser:
        events = events.filter(scope.area_q(RoleKind.ADMIN, prefix="case__"))
    if "actor" in query:
        events = events.filter(actor_id=query["actor"])
    if "after" in query:
        events = events.filter(created_at__gte=query["after"])
    if "before" in query:
        events = events.filter(created_at__lt=query["before"])
    return events.order_by("-created_at", "-id")


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
    """Reveals of personal data and exports in the admin's subtree, newest first."""

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=["reveal", "export", "anonymise"]),
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
            for event in _reveals(scope, query)[:wanted]:
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
                        "data": {"params": entry.params, "rows": entry.rows},
                    }
                )
        rows.sort(key=lambda row: row["at"], reverse=True)
        rows = paginator.paginate_queryset(rows, request)
        return paginator.get_paginated_response(AuditRowSerializer(rows, many=True).data)
