from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self):
        from accounts.audit import register_reader

        from . import (
            overdue,  # noqa: F401  (the handling period's stages register here)
            police,
        )
        from .calendar import _connect_signals
        from .selectors import reveal_events

        _connect_signals()
        # The audit trail lists reveals of personal data, which are case events.
        register_reader("reveal", reveal_events)
        # Referrals' deadlines (DESIGN.md §15): swept, reminded and counted overdue.
        from . import referral_deadlines

        referral_deadlines.register()
        police.register()
