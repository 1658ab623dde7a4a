from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = "调解工作"

    def ready(self):
        from . import deadlines

        # The mediation records' deadlines, driven by the sweep of cases (which cannot import
        # this app).
        deadlines.register()
