"""Writes about users: create, deactivate, grant and revoke roles inside an admin's subtree."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from config.errors import InvalidInput, NotAllowed

from .choices import RoleKind
from .models import Role, User
from .selectors import scope_clear, scope_for


def _require_admin_over(actor, area):
    """The actor must hold an admin role whose subtree contains `area`."""
    scope = scope_for(actor)
    if scope.is_superuser:
        return
    if not scope.areas(RoleKind.ADMIN):
        raise NotAllowed("只有管理员可以管理用户。")
    if not scope.covers(area, RoleKind.ADMIN):
        raise NotAllowed("不能授予高于或超出本人管辖范围的角色。", code="area_out_of_reach")


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    display_name: str = "",
    phone: str = "",
    roles: list[tuple[str, object]],
) -> User:
    """Create a user with their first roles; every role must lie inside the actor's subtree."""
    if not roles:
        raise InvalidInput("至少需要一个角色。", fields={"roles": ["至少需要一个角色。"]})
    for _kind, area in roles:
        _require_admin_over(actor, area)
    if User.objects.filter(username=username).exists():
        raise InvalidInput("用户名已存在。", fields={"username": ["用户名已存在。"]})
    user = User(username=username, display_name=display_name, phone=phone)
    user.set_password(password)
    user.save()
    for kind, area in roles:
        Role.objects.create(user=user, kind=kind, area=area)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a user and revoke their API tokens at once."""
    for role in user.roles.select_related("area"):
        _require_admin_over(actor, role.area)
    if user.pk == actor.pk:
        raise InvalidInput("不能停用自己的账号。")
    user.is_active = False
    user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> int:
    """Lift a sign-in lockout of `user` (every address) before it expires; audited. Answers
    how many failure records were cleared."""
    from axes.models import AccessAttempt

    from .audit import audit_record
    from .models import AuditEntry

    roles = list(user.roles.select_related("area"))
    for role in roles:
        _require_admin_over(actor, role.area)
    if not roles and not scope_for(actor).is_superuser:
        raise NotAllowed("只有管理员可以管理用户。")
    cleared, _ = AccessAttempt.objects.filter(username=user.get_username()).delete()
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.USER,
        what=f"解除登录锁定 {user.get_username()}",
        area=roles[0].area if len(roles) == 1 else None,
        target=user,
        data={"cleared": cleared},
    )
    return cleared


@transaction.atomic
def role_grant(*, actor: User, user: User, kind: str, area) -> Role:
    """Grant (kind, area) to a user; the area must lie inside the actor's admin subtree."""
    _require_admin_over(actor, area)
    role, _created = Role.objects.get_or_create(user=user, kind=kind, area=area)
    scope_clear(user)
    return role


@transaction.atomic
def role_revoke(*, actor: User, role: Role) -> None:
    """Revoke one role; the actor must administer its area."""
    _require_admin_over(actor, role.area)
    user = role.user
    role.delete()
    scope_clear(user)


def audit_export(*, actor: User, what: str, area=None, params: dict | None = None, rows=None):
    """Record an export (who, what, which area, which filters, how many rows)."""
    from .audit import audit_record
    from .models import AuditEntry

    if area is None:
        roles = scope_for(actor).roles
        area = roles[0].area if len(roles) == 1 else None
    return audit_record(
        actor=actor, kind=AuditEntry.Kind.EXPORT, what=what, area=area, data=params, rows=rows
    )
