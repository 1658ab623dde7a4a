"""The SMS sender interface. `settings.SMS_BACKEND` is "console" (log only, the default),
"locmem" (kept in `outbox` for tests) or a dotted path to a class with `send(phone, text)`."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Messages "sent" by the locmem backend, like django.core.mail.outbox.
outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    """The gateway refused or failed; the relay retries later."""


class BaseSmsSender:
    """What a gateway adapter implements."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsSender(BaseSmsSender):
    """Writes the message to the log instead of sending it (one machine, development)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemSmsSender(BaseSmsSender):
    """Keeps messages in memory (`notifications.sms.outbox`) for tests."""

    def send(self, phone: str, text: str) -> None:
        outbox.append((phone, text))


_ALIASES = {"console": ConsoleSmsSender, "locmem": LocmemSmsSender}


def get_sender() -> BaseSmsSender:
    """The configured sender."""
    backend = getattr(settings, "SMS_BACKEND", "console") or "console"
    cls = _ALIASES.get(backend) or import_string(backend)
    return cls()
