"""Notifications over the API: each user's own list (filtered by unread, kind and date),
unread count, mark one read or many at once."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .filters import NotificationFilter
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "case", "created_at", "read_at"]
        read_only_fields = fields


UnreadCountSerializer = inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})
MarkedSerializer = inline_serializer(
    "MarkedRead", {"marked": serializers.IntegerField(), "unread": serializers.IntegerField()}
)
MarkReadSerializer = inline_serializer(
    "MarkRead",
    {
        "ids": serializers.ListField(child=serializers.IntegerField(), required=False),
        "unread": serializers.BooleanField(required=False),
        "kind": serializers.CharField(required=False),
        "after": serializers.DateField(required=False),
        "before": serializers.DateField(required=False),
    },
)
FILTER_PARAMETERS = [
    OpenApiParameter("unread", bool, description="true: unread only; false: read only"),
    OpenApiParameter("kind", str, description="a notification kind, e.g. assigned, progress"),
    OpenApiParameter("after", str, description="YYYY-MM-DD, from this day"),
    OpenApiParameter("before", str, description="YYYY-MM-DD, up to this day"),
]


def _filter(data, *, ids=None) -> NotificationFilter:
    """The filter from query parameters or a body; a 400 with field messages when invalid."""
    fields = {k: data.get(k) for k in ("kind", "after", "before") if data.get(k) is not None}
    fields = {k: str(v) for k, v in fields.items()}
    form = NotificationFilter(fields, unread=data.get("unread"), ids=ids)
    if not form.is_valid():
        raise serializers.ValidationError(form.error_dict())
    return form


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's notifications; anyone else's do not exist (404)."""

    # For the schema only (the model and the type of `id`); requests use get_queryset().
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer

    def get_queryset(self):
        queryset = selectors.notifications_for(self.request.user)
        if self.action == "list":
            queryset = _filter(self.request.query_params).apply(queryset)
        return queryset

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        response.data["unread"] = selectors.unread_count(request.user)
        return response

    @extend_schema(request=None, responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(request.user)})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        try:
            notification_id = int(pk)
        except (TypeError, ValueError):
            raise Http404
        try:
            notification = services.notification_read(
                user=request.user, notification_id=notification_id
            )
        except Notification.DoesNotExist:
            raise Http404
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark many read at once: all unread, or those chosen by `ids` and/or the list's
        filters (kind, after, before) in the body."""
        data = request.data if isinstance(request.data, dict) else {}
        if not isinstance(request.data, dict) and request.data:
            raise serializers.ValidationError({"ids": ["请求体须为 JSON 对象。"]})
        ids = data.getlist("ids") or None if hasattr(data, "getlist") else data.get("ids")
        form = _filter(data, ids=ids)
        among = form.apply(selectors.notifications_for(request.user)) if data else None
        marked = services.notifications_read_all(user=request.user, among=among)
        return Response({"marked": marked, "unread": selectors.unread_count(request.user)})
