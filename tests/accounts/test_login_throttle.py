"""The drill's login findings, over HTTP: a forged X-Forwarded-For does not reset the count, the
web sign-in form has the API's per-address limit, a lockout holds only at the address the
failures came from, and an admin lifts one from the app. (Across gunicorn workers:
tests/test_gunicorn_throttle.py.)"""

import pytest
from axes.models import AccessAttempt

from accounts.models import AuditEntry

PASSWORD = "test-pass-2026"
LIMIT = 30


@pytest.fixture(autouse=True)
def _hourly_window(settings):
    """The default's count (30), over an hour: no test straddles a window's end."""
    settings.LOGIN_THROTTLE_RATE = f"{LIMIT}/hour"


def _token(api, username, password, **extra):
    return api().post("/api/v1/auth/token/", {"username": username, "password": password}, **extra)


def test_a_forged_forwarded_for_does_not_escape_the_throttle(cast, api):
    codes = [
        _token(
            api, f"nobody{i}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.{i // 250}.{i % 250}"
        ).status_code
        for i in range(100)
    ]
    assert codes[:LIMIT] == [400] * LIMIT
    assert codes[LIMIT:] == [429] * (100 - LIMIT)


def test_behind_a_trusted_proxy_each_client_address_counts_alone(cast, api, settings):
    settings.TRUSTED_PROXIES = 1
    for i in range(LIMIT):
        # The client forges a first entry each time; the proxy appends the address it saw.
        forwarded = f"1.2.3.{i}, 10.0.0.1"
        response = _token(api, f"nobody{i}", "wrong", HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 400
    assert _token(api, "x", "y", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1").status_code == 429
    assert _token(api, "x", "y", HTTP_X_FORWARDED_FOR="10.0.0.1, 10.0.0.9").status_code == 400


def test_a_spray_across_forty_accounts_on_the_web_sign_in_is_throttled(cast, client):
    codes = [
        client.post("/login/", {"username": f"user{i}", "password": "wrong"}).status_code
        for i in range(40)
    ]
    assert codes[:LIMIT] == [200] * LIMIT  # the form again, with its error
    assert codes[LIMIT:] == [429] * (40 - LIMIT)
    response = client.post("/login/", {"username": "county_officer", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1


def test_web_and_api_sign_ins_share_one_count_per_address(cast, client, api):
    for i in range(LIMIT):
        client.post("/login/", {"username": f"user{i}", "password": "wrong"})
    assert _token(api, "county_officer", PASSWORD).status_code == 429
    assert client.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 429


def test_a_lockout_from_another_address_does_not_lock_the_owner_out(cast, api, client):
    stranger = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(5):
        assert _token(api, "county_officer", "guess", **stranger).status_code == 400
    assert _token(api, "county_officer", "guess", **stranger).status_code == 429
    assert _token(api, "county_officer", PASSWORD, **stranger).status_code == 429
    # The owner, at the office's own address, signs in on the API and on the web.
    assert _token(api, "county_officer", PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 200
    response = client.post(
        "/login/",
        {"username": "county_officer", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.3",
    )
    assert response.status_code == 302


def _lock(api, username):
    for _ in range(6):
        _token(api, username, "guess")
    assert _token(api, username, PASSWORD).status_code == 429


def test_an_admin_unlocks_a_locked_account_from_the_app(cast, api):
    _lock(api, "village_mediator_a")
    response = api(cast.town_admin_a).post(f"/api/v1/users/{cast.village_mediator_a.pk}/unlock/")
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(username="village_mediator_a").exists()
    assert _token(api, "village_mediator_a", PASSWORD).status_code == 200
    entry = AuditEntry.objects.get(
        kind="user", target=f"accounts.user:{cast.village_mediator_a.pk}"
    )
    assert entry.actor == cast.town_admin_a
    assert "解除登录锁定" in entry.what


@pytest.mark.parametrize(
    ("who", "status"), [("town_admin_b", 404), ("town_officer_a", 404), ("county_admin", 200)]
)
def test_only_an_admin_over_the_user_may_unlock(cast, api, who, status):
    _lock(api, "village_mediator_a")
    response = api(getattr(cast, who)).post(f"/api/v1/users/{cast.village_mediator_a.pk}/unlock/")
    assert response.status_code == status
    still_locked = AccessAttempt.objects.filter(username="village_mediator_a").exists()
    assert still_locked == (status != 200)
