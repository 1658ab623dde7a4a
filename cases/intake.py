"""Intake exactly once (登记不重复): every intake carries a key chosen by the client (the API's
`Idempotency-Key` header, the page's hidden form token); the first request with a key makes
the case and stores the key with it, and every later one with that key gets the same case.

Two concurrent requests with one key: the first inserts the key row and makes the case in
one transaction; the second's insert waits on the unique index until the first commits, then
fails and reads the first's case (or, if the first was refused and rolled back, proceeds as
the first). So one case, and both answers name it.

Also the photos held for a form sent back for a correction (`HeldPhoto`), under its token.
"""

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from config.errors import DomainError, InvalidInput

from . import services
from .models import Case, HeldPhoto, IntakeKey

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
HEADER = "Idempotency-Key"
HELD_FOR = timedelta(days=2)


class KeyReused(DomainError):
    """The key was already used for a different intake: nothing is made (422)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "idempotency_key_reused"


def new_token() -> str:
    """A fresh form token (the page's idempotency key)."""
    return uuid.uuid4().hex


def check_key(key: str) -> str:
    """The key, if well-formed (8–64 letters, digits, `_.:-`; a UUID fits), else 400."""
    key = (key or "").strip()
    if not KEY_PATTERN.match(key):
        message = "幂等键须为8至64位字母、数字或 _.:- 字符（如 UUID）。"
        raise InvalidInput(message, fields={"idempotency_key": [message]}, code="invalid_key")
    return key


def fingerprint(values: dict) -> str:
    """A digest of an intake's values, to tell a replay from another intake under one key."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value):
    return value.pk if hasattr(value, "pk") else str(value)


def report_once(
    *, actor: User, key: str, digest: str, report: Callable[[], Case]
) -> tuple[Case, bool]:
    """The case made by `report()` for this key, or the first case made with it: (case, new).
    `report` runs inside this transaction, so a refused intake leaves the key unused."""
    key = check_key(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IntakeKey.objects.create(user=actor, key=key, fingerprint=digest)
        except IntegrityError:
            claim = None
        if claim is None:
            first = IntakeKey.objects.select_related("case").get(user=actor, key=key)
            if first.fingerprint != digest:
                raise KeyReused(
                    f"该幂等键已用于另一次登记（案件 {first.case.number}），本次未登记。",
                    case=first.case_id,
                    number=first.case.number,
                )
            return first.case, False
        case = report()
        claim.case = case
        claim.save(update_fields=["case"])
        return case, True


# ---------------------------------------------------------------- photos held for a form


def hold_photos(*, actor: User, token: str, files) -> list[str]:
    """Keep the acceptable photos of a form sent back for a correction; the messages of the
    refused ones (not an image, too large) for the form's summary."""
    problems = []
    limit = services.attachment_max_bytes()
    for upload in files:
        upload.seek(0)
        content_type = services.sniff_type(upload.read(16))
        upload.seek(0)
        name = os.path.basename(upload.name or "").strip()[:200] or "照片"
        if content_type not in {"image/jpeg", "image/png", "image/webp"}:
            problems.append(f"{name}：只能上传 JPEG、PNG 或 WebP 照片。")
            continue
        if not upload.size or upload.size > limit:
            problems.append(f"{name} 超过{limit // (1024 * 1024)}MB或为空。")
            continue
        photo = HeldPhoto(
            user=actor, token=token, name=name, content_type=content_type, size=upload.size
        )
        extension = services.ATTACHMENT_TYPES[content_type]
        photo.file.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
        photo.save()
    return problems


def held_photos(*, actor: User, token: str) -> list[HeldPhoto]:
    return list(HeldPhoto.objects.filter(user=actor, token=token).order_by("id"))


def drop_held(photos) -> None:
    """Delete held photos and their files (attached to the case, removed, or expired)."""
    for photo in photos:
        photo.file.delete(save=False)
        photo.delete()


def drop_expired(actor: User) -> None:
    """The user's photos held for forms never submitted again, after two days."""
    drop_held(HeldPhoto.objects.filter(user=actor, created_at__lt=timezone.now() - HELD_FOR))
