"""The demo county's mediation organisations: a people's mediation committee (人民调解委员会)
in every village and town, a county committee, an industry committee and a named studio, with
their mediators (generated users, password demo-pass-2026), set up through the mediation
services as the county admin would."""

import random
from dataclasses import dataclass, field

from accounts.models import Role, User
from grids.models import Area
from mediation.choices import CommitteeKind, CommitteePosition, Employment
from mediation.models import Committee
from mediation.services import committee_create, member_save

from .people import person_name

TOWN_MEDIATORS = 3
COUNTY_MEDIATORS = 3


@dataclass
class Staff:
    """Who acts where in the demo county: mediators per village/town, officers per town."""

    county: Area
    towns: list
    villages: dict  # town id -> [village]
    grids: dict  # village id -> [grid]
    grid_workers: dict = field(default_factory=dict)  # grid id -> user
    village_mediators: dict = field(default_factory=dict)  # village id -> [user]
    town_mediators: dict = field(default_factory=dict)  # town id -> [user]
    town_officers: dict = field(default_factory=dict)  # town id -> user
    county_officer: User | None = None
    county_mediators: list = field(default_factory=list)
    traffic_mediators: list = field(default_factory=list)
    admin: User | None = None


def _user(username, display_name, password, kind, area):
    user, _ = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "password": password}
    )
    Role.objects.get_or_create(user=user, kind=kind, area=area)
    return user


def _committee(*, admin, name, kind, area, **fields):
    committee = Committee.objects.filter(area=area, name=name).first()
    if committee is None:
        committee = committee_create(actor=admin, name=name, kind=kind, area=area, **fields)
    return committee


def _member(committee, admin, user, **fields):
    member_save(committee=committee, actor=admin, user=user, **fields)


def load_organisations(password: str) -> Staff:
    """Committees, studios and mediators of the demo county; safe to run again."""
    county = Area.objects.get(code="610222000000")
    admin = User.objects.get(username="county_admin")
    towns = list(Area.objects.filter(parent=county, level="town").order_by("code"))
    villages = {
        t.id: list(Area.objects.filter(parent=t, level="village").order_by("code")) for t in towns
    }
    grids = {}
    for grid in Area.objects.filter(code__startswith="610222", level="grid").order_by("code"):
        grids.setdefault(grid.parent_id, []).append(grid)
    staff = Staff(county=county, towns=towns, villages=villages, grids=grids, admin=admin)
    staff.county_officer = User.objects.get(username="county_officer")

    for role in Role.objects.filter(
        kind="grid_worker", area__code__startswith="610222"
    ).select_related("user", "area"):
        staff.grid_workers[role.area_id] = role.user

    demo_village_mediators = {
        r.area_id: r.user
        for r in Role.objects.filter(
            user__username__in=["village_mediator", "village_mediator_2"], kind="mediator"
        ).select_related("user")
    }
    demo_town_officers = {
        r.area_id: r.user
        for r in Role.objects.filter(
            user__username__in=["town_officer", "town_officer_2"], kind="officer"
        ).select_related("user")
    }

    for t, town in enumerate(towns):
        rng = random.Random(town.code)
        town_committee = _committee(
            admin=admin,
            name=f"{town.name}人民调解委员会",
            kind=CommitteeKind.PEOPLES,
            area=town,
            phone=f"0919-52{t:02d}{rng.randrange(1000):03d}",
            address=f"{county.name}{town.name}综治中心",
        )
        officer = demo_town_officers.get(town.id) or _user(
            f"to{town.code[:9]}",
            f"{town.name}综治中心·{person_name(rng)}",
            password,
            "officer",
            town,
        )
        staff.town_officers[town.id] = officer
        mediators = []
        for i in range(TOWN_MEDIATORS):
            user = _user(
                f"tm{town.code[:9]}_{i + 1}",
                f"{town.name}调委会·{person_name(rng)}",
                password,
                "mediator",
                town,
            )
            _member(
                town_committee,
                admin,
                user,
                position=CommitteePosition.CHAIR if i == 0 else CommitteePosition.MEMBER,
                employment=Employment.FULL_TIME if i == 0 else Employment.PART_TIME,
                certified=True,
                specialty=rng.choice(["婚姻家庭", "土地山林", "邻里纠纷", "劳务纠纷"]),
            )
            mediators.append(user)
        staff.town_mediators[town.id] = mediators

        for v, village in enumerate(villages[town.id]):
            vrng = random.Random(village.code)
            committee = _committee(
                admin=admin,
                name=f"{village.name}人民调解委员会",
                kind=CommitteeKind.PEOPLES,
                area=village,
                parent=town_committee,
            )
            members = []
            demo = demo_village_mediators.get(village.id)
            if demo is not None:
                members.append(demo)
            count = 2 if (v % 2 == 0 or demo is not None) else 1
            for i in range(count - len(members)):
                members.append(
                    _user(
                        f"vm{village.code}_{i + 1}",
                        f"{village.name}调委会·{person_name(vrng)}",
                        password,
                        "mediator",
                        village,
                    )
                )
            for i, user in enumerate(members):
                _member(
                    committee,
                    admin,
                    user,
                    position=CommitteePosition.CHAIR if i == 0 else CommitteePosition.MEMBER,
                    certified=i == 0,
                )
            staff.village_mediators[village.id] = members

    # The gold-medal mediator's studio, under the first town's committee.
    first_town = towns[0]
    studio = _committee(
        admin=admin,
        name="老张调解工作室",
        kind=CommitteeKind.STUDIO,
        area=first_town,
        parent=Committee.objects.get(area=first_town, name=f"{first_town.name}人民调解委员会"),
        address=f"{county.name}{first_town.name}便民服务中心",
    )
    laozhang = _user("laozhang", "老张调解工作室·张德明", password, "mediator", first_town)
    _member(
        studio,
        admin,
        laozhang,
        position=CommitteePosition.CHAIR,
        employment=Employment.FULL_TIME,
        certified=True,
        title="全国模范人民调解员（金牌调解员）",
        specialty="婚姻家庭、邻里纠纷",
    )
    staff.town_mediators[first_town.id].insert(0, laozhang)

    rng = random.Random(county.code)
    county_committee = _committee(
        admin=admin,
        name=f"{county.name}人民调解委员会",
        kind=CommitteeKind.PEOPLES,
        area=county,
        address=f"{county.name}司法局",
    )
    for i in range(COUNTY_MEDIATORS):
        user = _user(
            f"cm{i + 1}", f"{county.name}调委会·{person_name(rng)}", password, "mediator", county
        )
        _member(
            county_committee,
            admin,
            user,
            position=CommitteePosition.CHAIR if i == 0 else CommitteePosition.MEMBER,
            employment=Employment.FULL_TIME,
            certified=True,
        )
        staff.county_mediators.append(user)
    traffic = _committee(
        admin=admin,
        name=f"{county.name}道路交通事故纠纷人民调解委员会",
        kind=CommitteeKind.INDUSTRY,
        area=county,
        category="traffic",
        address=f"{county.name}公安局交警大队",
    )
    for i in range(2):
        user = _user(f"traffic{i + 1}", f"交调委·{person_name(rng)}", password, "mediator", county)
        _member(traffic, admin, user, employment=Employment.FULL_TIME, certified=True)
        staff.traffic_mediators.append(user)
    return staff
