"""The kinds of notification, for the filter and the list: this app's own (choices.py) and
those other apps send, registered from their AppConfig.ready() (a lower app never imports a
higher one)."""

from .choices import NotificationKind

_kinds: dict[str, str] = dict(NotificationKind.choices)


def register(choices) -> None:
    """Add an app's kinds (a TextChoices class, or (value, label) pairs)."""
    pairs = choices.choices if hasattr(choices, "choices") else choices
    for value, label in pairs:
        _kinds.setdefault(value, label)


def kind_choices() -> list[tuple[str, str]]:
    """Every known kind as (value, label)."""
    return list(_kinds.items())


def kind_label(kind: str) -> str:
    """A kind in words; an unknown kind is shown as nothing."""
    return _kinds.get(kind, "")
