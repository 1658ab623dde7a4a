"""Repeated failed logins lock the account, on the token endpoint and the admin login."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.utils import timezone


def _attempt(api, password):
    return api().post("/api/v1/auth/token/", {"username": "county_officer", "password": password})


def test_sixth_failed_login_locks_the_account(cast, api, settings):
    for _ in range(5):
        assert _attempt(api, "wrong-password").status_code == 400
    response = _attempt(api, "wrong-password")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    # Locked: even the right password is refused while the lock lasts.
    assert _attempt(api, "test-pass-2026").status_code == 429


def test_lock_expires_after_the_configured_time(cast, api, settings):
    for _ in range(6):
        _attempt(api, "wrong-password")
    assert _attempt(api, "test-pass-2026").status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert _attempt(api, "test-pass-2026").status_code == 200


def test_a_success_before_the_limit_resets_the_count(cast, api):
    for _ in range(5):
        _attempt(api, "wrong-password")
    assert _attempt(api, "test-pass-2026").status_code == 200
    for _ in range(5):
        assert _attempt(api, "wrong-password").status_code == 400


def test_other_accounts_are_not_locked(cast, api):
    for _ in range(6):
        _attempt(api, "wrong-password")
    response = api().post(
        "/api/v1/auth/token/", {"username": "town_officer_a", "password": "test-pass-2026"}
    )
    assert response.status_code == 200


def test_admin_login_page_locks_too(cast, client):
    for _ in range(6):
        client.post("/admin/login/", {"username": "county_admin", "password": "nope"})
    response = client.post(
        "/admin/login/", {"username": "county_admin", "password": "test-pass-2026"}
    )
    assert response.status_code == 429


def test_test_client_login_still_works(cast, client):
    assert client.login(username="county_officer", password="test-pass-2026")
