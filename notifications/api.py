"""Notifications over the API: each user's own list, unread count, mark read."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import selectors, services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "case", "created_at", "read_at"]
        read_only_fields = fields


UnreadCountSerializer = inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The signed-in user's notifications; anyone else's do not exist (404)."""

    # For the schema only (the model and the type of `id`); requests use get_queryset().
    queryset = Notification.objects.none()
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return selectors.notifications_for(self.request.user)

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

    @extend_schema(request=None, responses=UnreadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_read_all(user=request.user)
        return Response({"unread": selectors.unread_count(request.user)})
