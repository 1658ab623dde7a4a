from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from cases import queue_panels

        from . import deadlines, panels

        deadlines.register()
        queue_panels.register(panels.awaiting_feedback)
