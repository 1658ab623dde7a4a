from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "考核评估"

    def ready(self):
        from cases import village_rating

        from .calendar import reset_calendar
        from .risk import villages_rated

        village_rating.register(villages_rated)

        try:
            override = self.apps.get_model("cases", "CalendarOverride")
        except LookupError:
            return
        post_save.connect(reset_calendar, sender=override, dispatch_uid="kpi_calendar_save")
        post_delete.connect(reset_calendar, sender=override, dispatch_uid="kpi_calendar_delete")
