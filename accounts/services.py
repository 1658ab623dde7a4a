"""Writes about users: create, deactivate, grant and revoke roles inside an admin's subtree."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from config.errors import InvalidInput, NotAllowed

from .audit import audit_record
from .choices import RoleKind
from .models import AuditEntry, Role, User
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
    granted = [Role.objects.create(user=user, kind=kind, area=area) for kind, area in roles]
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.USER,
        what=f"新建用户 {user.username}",
        area=granted[0].area,
        target=user,
        data={
            "username": user.username,
            "display_name": display_name,
            "roles": [_role_data(role) for role in granted],
        },
    )
    return user


def _role_data(role: Role) -> dict:
    return {"kind": role.kind, "area": role.area_id, "area_code": role.area.code}


def _home_area(user: User):
    """The area an audit row about a user is filed under: their highest role's area."""
    roles = sorted(user.roles.select_related("area"), key=lambda r: (r.area.rank, r.id))
    return roles[0].area if roles else None


def _set_active(*, actor: User, user: User, active: bool) -> User:
    for role in user.roles.select_related("area"):
        _require_admin_over(actor, role.area)
    if user.pk == actor.pk:
        raise InvalidInput("不能停用自己的账号。" if not active else "不能启用自己的账号。")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = user.is_active
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        Token.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.USER,
        what=f"{'启用' if active else '停用'}用户 {user.username}",
        area=_home_area(user),
        target=user,
        data={"is_active": {"before": before, "after": active}},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a user and revoke their API tokens at once."""
    return _set_active(actor=actor, user=user, active=False)


@transaction.atomic
def user_activate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again."""
    return _set_active(actor=actor, user=user, active=True)


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
    role, created = Role.objects.get_or_create(user=user, kind=kind, area=area)
    scope_clear(user)
    if created:
        audit_record(
            actor=actor,
            kind=AuditEntry.Kind.ROLE,
            what=f"授予 {user.username} {role.get_kind_display()}·{area.name}",
            area=area,
            target=role,
            data={"user": user.pk, "username": user.username, **_role_data(role)},
        )
    return role


@transaction.atomic
def role_revoke(*, actor: User, role: Role) -> None:
    """Revoke one role; the actor must administer its area."""
    _require_admin_over(actor, role.area)
    user = role.user
    audit_record(
        actor=actor,
        kind=AuditEntry.Kind.ROLE,
        what=f"撤销 {user.username} {role.get_kind_display()}·{role.area.name}",
        area=role.area,
        target=role,
        data={"user": user.pk, "username": user.username, **_role_data(role)},
    )
    role.delete()
    scope_clear(user)


def audit_export(*, actor: User, what: str, area=None, params: dict | None = None, rows=None):
    """Record an export (who, what, which area, which filters, how many rows)."""
    if area is None:
        roles = scope_for(actor).roles
        area = roles[0].area if len(roles) == 1 else None
    return audit_record(
        actor=actor, kind=AuditEntry.Kind.EXPORT, what=what, area=area, data=params, rows=rows
    )
