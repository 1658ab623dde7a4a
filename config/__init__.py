from . import request_id  # noqa: F401  (connects the request-id Celery signals)
from .celery import app as celery_app

__all__ = ("celery_app",)
