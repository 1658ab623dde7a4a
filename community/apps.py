from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "村级自治"

    def ready(self):
        from cases import queue_panels

        from . import panels

        queue_panels.register(panels.todays_duty)

        from notifications import kinds

        from .choices import NoticeKind

        kinds.register(NoticeKind)
