from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self):
        from accounts.audit import register_reader

        from . import police
        from .calendar import _connect_signals
        from .selectors import reveal_events

        _connect_signals()
        # The audit trail lists reveals of personal data, which are case events.
        register_reader("reveal", reveal_events)
        police.register()
