"""The SMS sender interface. `settings.SMS_BACKEND` is "console" (log only, the default),
"locmem" (kept in `outbox` for tests), "http" (`HttpSmsSender`, a real gateway) or a dotted
path to a class with `send(phone, text, *, reference="")`.

A sender raises `SmsError` for a failure worth retrying (the gateway is down, slow or busy:
the outbox relay tries again with backoff) and `SmsRejected` for a permanent one (a bad number,
a template the gateway refuses: retrying cannot help, the outbox records the row as failed).
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Messages "sent" by the locmem backend, like django.core.mail.outbox.
outbox: list[tuple[str, str]] = []


class SmsError(Exception):
    """The gateway failed for now (5xx, 429, timeout, no connection); the relay retries later."""


class SmsRejected(SmsError):
    """The gateway refused the message for good (4xx, or a refusal code); never retried."""


class BaseSmsSender:
    """What a gateway adapter implements. `reference` identifies the message (the outbox row)
    so that a gateway which deduplicates sends a retried message once."""

    def send(self, phone: str, text: str, *, reference: str = "") -> None:
        raise NotImplementedError


class ConsoleSmsSender(BaseSmsSender):
    """Writes the message to the log instead of sending it (one machine, development)."""

    def send(self, phone: str, text: str, *, reference: str = "") -> None:
        logger.info("SMS to %s: %s", phone, text)


class LocmemSmsSender(BaseSmsSender):
    """Keeps messages in memory (`notifications.sms.outbox`) for tests."""

    def send(self, phone: str, text: str, *, reference: str = "") -> None:
        outbox.append((phone, text))


# Codes in a 2xx answer's body that mean "sent" (Aliyun answers "OK", most others 0).
SUCCESS_CODES = {"OK", "0", "200", "SUCCESS"}


class HttpSmsSender(BaseSmsSender):
    """An HTTP gateway of the kind Chinese SMS providers run: a JSON POST of the phone, the
    registered signature (签名), the approved template id (模板) and its parameters.

    Authentication (`SMS_AUTH`): "hmac" (the default) sends `X-Api-Key`, `X-Timestamp`,
    `X-Nonce` and `X-Signature` = base64(HMAC-SHA256(SMS_API_SECRET,
    "POST\\n<path>\\n<timestamp>\\n<nonce>\\n<sha256 hex of the body>")); "token" sends
    `Authorization: Bearer <SMS_API_KEY>`. The answer: a 2xx with a `code` of OK/0 (or no
    code) is sent; 5xx, 429, a timeout or no connection is `SmsError` (retried); any other 4xx,
    or a 2xx with another code, is `SmsRejected` (recorded failed)."""

    def __init__(self):
        self.url = getattr(settings, "SMS_HTTP_URL", "")
        if not self.url:
            raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL.")
        self.sign_name = getattr(settings, "SMS_SIGN_NAME", "")
        self.template_id = getattr(settings, "SMS_TEMPLATE_ID", "")
        self.api_key = getattr(settings, "SMS_API_KEY", "")
        self.api_secret = getattr(settings, "SMS_API_SECRET", "")
        self.auth = getattr(settings, "SMS_AUTH", "hmac")
        self.timeout = getattr(settings, "SMS_HTTP_TIMEOUT", 5)

    def _headers(self, body: bytes) -> dict:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.auth == "token":
            headers["Authorization"] = f"Bearer {self.api_key}"
            return headers
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(8)
        path = urllib.parse.urlsplit(self.url).path or "/"
        signed = "\n".join(["POST", path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
        digest = hmac.new(self.api_secret.encode(), signed.encode(), hashlib.sha256).digest()
        headers.update(
            {
                "X-Api-Key": self.api_key,
                "X-Timestamp": timestamp,
                "X-Nonce": nonce,
                "X-Signature": base64.b64encode(digest).decode(),
            }
        )
        return headers

    def send(self, phone: str, text: str, *, reference: str = "") -> None:
        body = json.dumps(
            {
                "phone": phone,
                "sign_name": self.sign_name,
                "template_id": self.template_id,
                "template_params": {"content": text},
                "out_id": reference,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            self.url, data=body, headers=self._headers(body), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read(65536)
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read(65536) if exc.fp else b""
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"短信网关无法连接：{exc}") from exc
        detail = raw.decode("utf-8", "replace")[:500]
        if status >= 500 or status == 429:
            raise SmsError(f"短信网关暂时失败（HTTP {status}）：{detail}")
        if status >= 400:
            raise SmsRejected(f"短信网关拒绝（HTTP {status}）：{detail}")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        code = answer.get("code", answer.get("Code")) if isinstance(answer, dict) else None
        if code is not None and str(code).upper() not in SUCCESS_CODES:
            raise SmsRejected(f"短信网关拒绝（{code}）：{detail}")


_ALIASES = {"console": ConsoleSmsSender, "locmem": LocmemSmsSender, "http": HttpSmsSender}


def get_sender() -> BaseSmsSender:
    """The configured sender."""
    backend = getattr(settings, "SMS_BACKEND", "console") or "console"
    cls = _ALIASES.get(backend) or import_string(backend)
    return cls()
