from django.apps import AppConfig


class SeedsConfig(AppConfig):
    name = "seeds"
    verbose_name = "演示数据"

    def ready(self):
        from celery.signals import task_prerun

        from .pace import touch_flag

        # The worker's tasks, like pages, get their turn while the demo year is seeded.
        task_prerun.connect(touch_flag, weak=False, dispatch_uid="seeds.pace")
