"""The cast: one county, two towns, the same people in each, so every test can ask
"and the one next door?".

county 宜君县 (610222)
├── town A 彭镇 (610222101)
│   ├── village A1 (610222101200) ── grid A1-1 (610222101200001), grid A1-2 (…002)
│   └── village A2 (610222101201) ── grid A2-1
└── town B 五里镇 (610222102)
    └── village B1 (610222102200) ── grid B1-1
"""

import os
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from grids.choices import AreaLevel

from .factories import AreaFactory, RoleFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests hash dozens of passwords, so use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_configure(config):
    """The suite's cache is the database cache, inside each test's transaction: a Redis cache
    would be shared by parallel test processes (and its clear() would empty the broker's
    database). Tests of the Redis cache start their own processes with REDIS_URL."""
    from django.conf import settings

    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DatabaseCache",
            "LOCATION": "cache_entries",
        }
    }


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """Throttle counters live in the cache; each test that uses the database starts with none
    (the cache is a table there; tests without the database never touch it)."""
    names = set(request.fixturenames)
    for name in ("transactional_db", "live_server", "db"):
        if name in names:
            request.getfixturevalue("transactional_db" if name == "live_server" else name)
            break
    else:
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _replica_reads_only_where_tested(request, settings):
    """With DATABASE_REPLICA_URL set (CI), only the `replica` tests read from it: the others build
    their rows in a transaction the replica cannot see."""
    if request.node.get_closest_marker("replica") is None:
        settings.REPLICA_READS = False


def _area(code, name, level, parent):
    return AreaFactory(code=code, name=name, level=level, parent=parent)


@pytest.fixture
def areas(db):
    province = _area("610000000000", "陕西省", AreaLevel.PROVINCE, None)
    city = _area("610200000000", "铜川市", AreaLevel.CITY, province)
    county = _area("610222000000", "宜君县", AreaLevel.COUNTY, city)
    town_a = _area("610222101000", "彭镇", AreaLevel.TOWN, county)
    town_b = _area("610222102000", "五里镇", AreaLevel.TOWN, county)
    village_a1 = _area("610222101200", "彭村", AreaLevel.VILLAGE, town_a)
    village_a2 = _area("610222101201", "后村", AreaLevel.VILLAGE, town_a)
    village_b1 = _area("610222102200", "五里村", AreaLevel.VILLAGE, town_b)
    return SimpleNamespace(
        province=province,
        city=city,
        county=county,
        town_a=town_a,
        town_b=town_b,
        village_a1=village_a1,
        village_a2=village_a2,
        village_b1=village_b1,
        grid_a1=_area("610222101200001", "彭村一网格", AreaLevel.GRID, village_a1),
        grid_a1_2=_area("610222101200002", "彭村二网格", AreaLevel.GRID, village_a1),
        grid_a2=_area("610222101201001", "后村一网格", AreaLevel.GRID, village_a2),
        grid_b1=_area("610222102200001", "五里村一网格", AreaLevel.GRID, village_b1),
    )


def _user(username, kind, area):
    user = UserFactory(username=username, display_name=username)
    RoleFactory(user=user, kind=kind, area=area)
    return user


@pytest.fixture
def cast(areas):
    """People of town A and their neighbours in town B, plus the county office."""
    return SimpleNamespace(
        areas=areas,
        grid_worker_a=_user("grid_worker_a", "grid_worker", areas.grid_a1),
        village_mediator_a=_user("village_mediator_a", "mediator", areas.village_a1),
        village_mediator_a2=_user("village_mediator_a2", "mediator", areas.village_a2),
        village_officer_a=_user("village_officer_a", "officer", areas.village_a1),
        town_officer_a=_user("town_officer_a", "officer", areas.town_a),
        town_mediator_a=_user("town_mediator_a", "mediator", areas.town_a),
        town_admin_a=_user("town_admin_a", "admin", areas.town_a),
        grid_worker_b=_user("grid_worker_b", "grid_worker", areas.grid_b1),
        village_mediator_b=_user("village_mediator_b", "mediator", areas.village_b1),
        village_officer_b=_user("village_officer_b", "officer", areas.village_b1),
        town_officer_b=_user("town_officer_b", "officer", areas.town_b),
        town_mediator_b=_user("town_mediator_b", "mediator", areas.town_b),
        town_admin_b=_user("town_admin_b", "admin", areas.town_b),
        county_officer=_user("county_officer", "officer", areas.county),
        county_mediator=_user("county_mediator", "mediator", areas.county),
        county_viewer=_user("county_viewer", "viewer", areas.county),
        county_admin=_user("county_admin", "admin", areas.county),
    )


@pytest.fixture
def api():
    """An API client factory: `api(user)` is authenticated as that user, `api()` is anonymous."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def on_postgres():
    """For tests of row locks and concurrency. Under `make test`/CI with PostgreSQL
    reachable (REQUIRE_POSTGRES=1) running elsewhere is a failure, never a silent skip."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but the test database is not PostgreSQL")
        pytest.skip("needs PostgreSQL; run `make test` with PostgreSQL reachable")
    return True
