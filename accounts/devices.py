"""记住此设备: a phone that stays signed in for 30 days, its session bound to the device.

Signing in with "记住此设备" creates a `TrustedDevice`: a random token goes to the phone in an
HttpOnly cookie, its SHA-256 to the database, and the session (which lives 30 days instead of
SESSION_COOKIE_AGE) remembers the device's id. On every request `DeviceSessionMiddleware`
checks that the cookie still matches a device of this user that is neither revoked nor
expired; otherwise the session ends. The user sees their devices on 我的 and may remove any;
an admin may revoke all of a user's devices. Each is audited (accounts/audit.py).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.db import models, transaction
from django.utils import timezone

from config.errors import NotAllowed

DEVICE_COOKIE = "device"
DEVICE_SESSION_KEY = "trusted_device"
# How often a device's "last seen" is written (not on every request).
SEEN_EVERY = timedelta(hours=1)


def remember_days() -> int:
    return getattr(settings, "REMEMBER_DEVICE_DAYS", 30)


class TrustedDevice(models.Model):
    """A phone or computer a user chose to stay signed in on (记住此设备), revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="trusted_devices",
    )
    name = models.CharField("设备", max_length=100)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("登录时间")
    last_seen_at = models.DateTimeField("最近使用")
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="注销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        app_label = "accounts"
        verbose_name = "记住的设备"
        verbose_name_plural = "记住的设备"
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="device_user_seen")]

    def __str__(self):
        return f"{self.user} · {self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_name(user_agent: str) -> str:
    """A name the user recognises, from the browser's User-Agent."""
    ua = user_agent or ""
    system = next(
        (
            label
            for key, label in (
                ("HarmonyOS", "鸿蒙手机"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "安卓手机"),
                ("Windows", "Windows 电脑"),
                ("Mac OS", "Mac 电脑"),
                ("Linux", "Linux 电脑"),
            )
            if key in ua
        ),
        "未知设备",
    )
    browser = next(
        (
            label
            for key, label in (
                ("MicroMessenger", "微信"),
                ("Edg/", "Edge"),
                ("Chrome/", "Chrome"),
                ("Firefox/", "Firefox"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        "",
    )
    return f"{system} · {browser}" if browser else system


@transaction.atomic
def device_remember(*, request, user) -> str:
    """After a sign-in with 记住此设备: record the device, bind the session to it for 30 days;
    returns the token for the cookie (only its hash is kept)."""
    from .audit import audit_record
    from .models import AuditEntry

    now = timezone.now()
    token = secrets.token_urlsafe(32)
    days = remember_days()
    device = TrustedDevice.objects.create(
        user=user,
        name=device_name(request.META.get("HTTP_USER_AGENT", ""))[:100],
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
    )
    request.session[DEVICE_SESSION_KEY] = device.pk
    request.session.set_expiry(days * 86400)
    audit_record(
        actor=user,
        kind=AuditEntry.Kind.USER,
        what=f"记住此设备：{device.name}",
        target=device,
        data={"expires_at": device.expires_at.isoformat()},
    )
    return token


@transaction.atomic
def device_revoke(*, actor, device_id: int, user=None) -> TrustedDevice:
    """Sign a remembered device out (its session ends at its next request): the user's own
    device, or, for an admin over them, any of `user`'s. Idempotent; audited."""
    from .audit import audit_record
    from .models import AuditEntry

    owner = user or actor
    device = TrustedDevice.objects.select_for_update().get(pk=device_id, user=owner)
    if owner.pk != actor.pk:
        _require_admin_over_user(actor, owner)
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.revoked_by = actor
        device.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            actor=actor,
            kind=AuditEntry.Kind.USER,
            what=f"注销设备：{owner.get_username()} · {device.name}",
            target=device,
            data={"user": owner.pk},
        )
    return device


@transaction.atomic
def devices_revoke_all(*, actor, user) -> int:
    """An admin signs all of a user's remembered devices out (a lost phone); audited."""
    from .audit import audit_record
    from .models import AuditEntry

    _require_admin_over_user(actor, user)
    count = TrustedDevice.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor
    )
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.USER,
        what=f"注销全部设备：{user.get_username()}",
        target=user,
        rows=count,
    )
    return count


def _require_admin_over_user(actor, user) -> None:
    from .selectors import scope_for
    from .services import _require_admin_over

    roles = list(user.roles.select_related("area"))
    for role in roles:
        _require_admin_over(actor, role.area)
    if not roles and not scope_for(actor).is_superuser:
        raise NotAllowed("只有管理员可以管理用户。")


def devices_of(user):
    """The user's remembered devices that still count (not revoked, not expired)."""
    return TrustedDevice.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_seen_at", "-id")


class DeviceSessionMiddleware:
    """A session bound to a device lives only while the device's cookie still matches a
    device of this user that is not revoked or expired (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        device_id = getattr(request, "session", {}).get(DEVICE_SESSION_KEY)
        if device_id and request.user.is_authenticated:
            token = request.COOKIES.get(DEVICE_COOKIE, "")
            now = timezone.now()
            device = (
                TrustedDevice.objects.filter(
                    pk=device_id,
                    user=request.user,
                    revoked_at__isnull=True,
                    expires_at__gt=now,
                )
                .only("pk", "token_hash", "last_seen_at")
                .first()
            )
            if device is None or not secrets.compare_digest(device.token_hash, token_hash(token)):
                logout(request)
                response = self.get_response(request)
                response.delete_cookie(DEVICE_COOKIE)
                return response
            request.trusted_device_id = device.pk
            if now - device.last_seen_at > SEEN_EVERY:
                TrustedDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        return self.get_response(request)


def set_device_cookie(response, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=remember_days() * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
