"""Domain errors and the one exception handler that maps them to HTTP answers."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A rule of the domain refused the request; subclasses say which HTTP answer it gets."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message, *, code=None, **extra):
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.extra = extra

    def as_data(self):
        return {"detail": self.message, "code": self.code, **self.extra}


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule; `fields` maps field names to messages."""

    def __init__(self, message, *, fields=None, **extra):
        super().__init__(message, **extra)
        self.fields = fields or {}

    def as_data(self):
        data = dict(self.fields)
        data.setdefault("detail", self.message)
        data["code"] = self.code
        data.update(self.extra)
        return data


class NotAllowed(DomainError):
    """The object is in scope, but this user may not do this to it."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "not_allowed"


class Conflict(DomainError):
    """The transition is illegal in the current state, or lost a race; nothing changed."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


def exception_handler(exc, context):
    """DRF's handler, plus domain errors and Django validation errors as clean 4xx."""
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            data = exc.message_dict
        else:
            data = {"detail": exc.messages}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": "未找到。", "code": "not_found"}, status=404)
    return drf_exception_handler(exc, context)
