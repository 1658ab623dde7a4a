from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = "调解工作"

    def ready(self):
        # The case lifecycle sits below this app and calls its record rules through
        # cases.records (the layers contract forbids the import the other way); the records'
        # deadlines are driven by the sweep of cases the same way.
        from . import consent, deadlines, overdue
        from .records import register_with_cases

        register_with_cases()
        deadlines.register()
        overdue.register()
        consent.register()
