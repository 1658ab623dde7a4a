"""Reads about users: the scope resolver every other app asks "what may this user see?"."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from config.errors import NotAllowed
from grids.choices import LEVEL_RANK, AreaLevel
from grids.models import Area

from .choices import AREA_SCOPE_KINDS, RoleKind
from .models import Role, User

# Levels whose id is copied onto scoped rows (cases, snapshots…) as `<level>_id`.
SCOPED_LEVELS = [level.value for level in AreaLevel]


@dataclass
class Scope:
    """A user's roles, resolved once per request (cached on the user object)."""

    user: User
    roles: list = field(default_factory=list)
    # A liaison's agencies and the villages they 包联 as a police officer (DESIGN.md §15).
    agency_ids: list = field(default_factory=list)
    beat_village_ids: list = field(default_factory=list)

    @property
    def is_superuser(self):
        return bool(self.user.is_superuser)

    def roles_of(self, *kinds):
        """Roles of these kinds; with none named, every role that grants scope over an area
        (a volunteer's light account does not)."""
        kinds = kinds or AREA_SCOPE_KINDS
        return [r for r in self.roles if r.kind in kinds]

    def areas(self, *kinds):
        """Areas of the user's roles (of the given kinds, or all)."""
        return [r.area for r in self.roles_of(*kinds)]

    def covers(self, area, *kinds):
        """True when `area` lies in the subtree of one of the user's roles (of these kinds)."""
        if self.is_superuser:
            return True
        return any(area.is_under(role_area) for role_area in self.areas(*kinds))

    def area_q(self, *kinds, prefix=""):
        """A filter for rows carrying copied ancestor columns (`county_id`, `town_id`…)."""
        if self.is_superuser:
            return Q()
        condition = Q(pk__in=[])
        for area in self.areas(*kinds):
            condition |= Q(**{f"{prefix}{area.level}_id": area.id})
        return condition

    def areas_queryset(self, *kinds):
        """Every area under the user's roles (of these kinds)."""
        if self.is_superuser:
            return Area.objects.all()
        return Area.objects.subtree_of_any(self.areas(*kinds))

    def has_kind_at_level(self, kind, level):
        """True when the user holds `kind` at an area of this level."""
        return any(r.kind == kind and r.area.level == level for r in self.roles)

    def highest_admin_rank(self):
        ranks = [LEVEL_RANK[r.area.level] for r in self.roles_of(RoleKind.ADMIN)]
        return min(ranks) if ranks else None


def scope_for(user) -> Scope:
    """The user's scope, computed once and cached on this user object (i.e. per request)."""
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    if user is None or not user.is_authenticated:
        scope = Scope(user=user, roles=[])
    else:
        roles = list(Role.objects.filter(user=user).select_related("area").order_by("id"))
        scope = Scope(user=user, roles=roles)
        if any(role.kind == RoleKind.LIAISON for role in roles):
            scope.agency_ids, scope.beat_village_ids = liaison_reach(user)
    try:
        user._scope_cache = scope
    except AttributeError:
        pass
    return scope


def liaison_reach(user) -> tuple[list, list]:
    """The agencies a liaison belongs to (active ones) and the villages they 包联."""
    from .agencies import AgencyMember, PoliceBeat

    agencies = list(
        AgencyMember.objects.filter(user=user, agency__active=True).values_list(
            "agency_id", flat=True
        )
    )
    villages = list(
        PoliceBeat.objects.filter(member__user=user, member__agency__active=True).values_list(
            "village_id", flat=True
        )
    )
    return agencies, villages


def scope_clear(user):
    """Forget the cached scope (after roles change within one request or test)."""
    if hasattr(user, "_scope_cache"):
        del user._scope_cache


def users_visible_to(user):
    """Users an admin manages: those holding a role inside one of the admin's areas."""
    scope = scope_for(user)
    queryset = User.objects.all()
    if scope.is_superuser:
        return queryset
    admin_areas = scope.areas(RoleKind.ADMIN)
    if not admin_areas:
        return queryset.none()
    condition = Q(pk__in=[])
    for area in admin_areas:
        condition |= Q(area__code__startswith=area.prefix)
    ids = Role.objects.filter(condition).values("user_id")
    return queryset.filter(pk__in=ids)


def areas_visible_to(user):
    """Areas a user may look up: the subtrees of their roles and the ancestors above them."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Area.objects.all()
    ancestor_codes = set()
    for area in scope.areas():
        ancestor_codes.update(area.ancestor_codes())
    return Area.objects.filter(
        Q(pk__in=scope.areas_queryset().values("pk")) | Q(code__in=ancestor_codes)
    )


def settings_counties(user):
    """Counties whose settings the user may change: those under an admin role held at a county
    or above (settings are keyed by county; a town's admin changes none)."""
    counties = Area.objects.filter(level=AreaLevel.COUNTY)
    scope = scope_for(user)
    if scope.is_superuser:
        return counties
    areas = [a for a in scope.areas(RoleKind.ADMIN) if a.rank <= LEVEL_RANK[AreaLevel.COUNTY]]
    if not areas:
        return counties.none()
    return counties.subtree_of_any(areas)


def settings_county(user, county_id) -> Area:
    """The county whose settings `user` asks to change: 404 when it is not a county the user
    can see (missing and out of scope alike), 403 when seen but not administered by them."""
    try:
        county_id = int(county_id)
    except (TypeError, ValueError):
        raise Http404("没有这个县。")
    county = (
        areas_visible_to(user).filter(pk=county_id, level=AreaLevel.COUNTY).first()
        if 0 < county_id < 2**63
        else None
    )
    if county is None:
        raise Http404("没有这个县。")
    require_settings_admin(user, county)
    return county


def require_settings_admin(user, county) -> None:
    """NotAllowed unless `user` may change the settings of `county` (the one rule every
    settings service asks)."""
    if not settings_counties(user).filter(pk=county.pk).exists():
        raise NotAllowed(
            "只有本县（或上级）的管理员可以修改本县的设置。", code="settings_admin_only"
        )
