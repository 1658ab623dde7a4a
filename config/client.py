"""The client's address, as one function for every counter keyed on it (the login throttle
and django-axes' lockout).

`X-Forwarded-For` is believed only as far as TRUSTED_PROXIES says: with N proxies in front of
the app, each appending the address it saw, the client is the N-th entry from the right; the
entries left of it are whatever the client chose to send. With none (the default), only the
socket's address counts, so a forged header changes nothing.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The address the request came from, seen through the trusted proxies only."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXIES
    if count:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= count:
            address = _address(forwarded[-count])
            if address:
                return address
    return _address(remote) or remote
