"""What the case lifecycle needs from the mediation records, which live in a higher app.

`cases` sits below `mediation` (the layers contract in pyproject.toml) and never imports it.
A few rules of the lifecycle read or write mediation's tables: resolving a case records its
agreement (调解协议), closing with an agreement needs a follow-up (回访), a committee's mediator
may be assigned a case, and anonymising a case blanks its records. `mediation` provides them
in `mediation/records.py` and registers them in its AppConfig.ready(): an explicit call, not a
signal, so each precondition is still checked inside the action's own transaction. Using one
before registration raises ImproperlyConfigured, never a silent pass.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class CaseRecords:
    """The record rules the lifecycle calls (each documented where it is implemented)."""

    # (case, actor, at, form, terms, perform_by, **details) -> the agreement row, with
    # `pk`, `form` and `get_form_display()`; raises InvalidInput when incomplete.
    record_agreement: Callable
    # (case) -> True when a follow-up was recorded.
    has_follow_up: Callable
    # (user, area) -> True when the user may be assigned a case held at `area`.
    can_mediate: Callable
    # (case) -> None: blank the personal data in the case's records.
    anonymise: Callable
    # (case) -> (code, reason) why a resolved case may not be closed with its agreement yet
    # (not in effect, not followed up, not performed), or None.
    close_blocker: Callable | None = None


_registered: CaseRecords | None = None


def register(records: CaseRecords) -> None:
    """Install the record rules (mediation's AppConfig.ready())."""
    global _registered
    _registered = records


def records() -> CaseRecords:
    """The installed record rules."""
    if _registered is None:
        raise ImproperlyConfigured(
            "The mediation records are not registered: add mediation to INSTALLED_APPS."
        )
    return _registered
