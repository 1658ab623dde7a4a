"""记住此设备: a phone stays signed in for 30 days, bound to the device, revocable by the user
and by an admin, audited; without it the session lasts as configured."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.devices import DEVICE_COOKIE, TrustedDevice, token_hash
from accounts.models import AuditEntry

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2219A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)


@pytest.fixture
def password_user(cast):
    user = cast.grid_worker_a
    user.set_password("pw-2026-phone")
    user.save()
    return user


def _sign_in(client, username, *, remember):
    data = {"username": username, "password": "pw-2026-phone"}
    if remember:
        data["remember"] = "1"
    response = client.post("/login/", data, HTTP_USER_AGENT=PHONE_UA)
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_a_session_without_remembering_lasts_as_configured(password_user, settings):
    client = Client()
    _sign_in(client, password_user.username, remember=False)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 3600
    assert DEVICE_COOKIE not in client.cookies
    assert not TrustedDevice.objects.exists()


def test_remembering_keeps_the_phone_signed_in_for_30_days(password_user):
    client = Client()
    response = _sign_in(client, password_user.username, remember=True)
    assert client.session.get_expiry_age() == 30 * 86400
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["max-age"] == 30 * 86400
    device = TrustedDevice.objects.get(user=password_user)
    assert device.name == "安卓手机 · Chrome"
    assert device.token_hash == token_hash(cookie.value) != cookie.value
    assert device.expires_at - device.created_at == timedelta(days=30)
    assert AuditEntry.objects.filter(what__startswith="记住此设备", actor=password_user).exists()
    page = client.get("/me/")
    assert page.status_code == 200 and "安卓手机 · Chrome" in page.content.decode()
    assert "本机" in page.content.decode()


def test_the_session_is_bound_to_the_device_cookie(password_user):
    client = Client()
    _sign_in(client, password_user.username, remember=True)
    assert client.get("/queue/").status_code == 200
    # The session cookie copied to another browser without the device's token is refused.
    thief = Client()
    thief.cookies["sessionid"] = client.cookies["sessionid"].value
    response = thief.get("/queue/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_user_removes_a_device_and_it_is_signed_out(password_user):
    phone = Client()
    _sign_in(phone, password_user.username, remember=True)
    desk = Client()
    _sign_in(desk, password_user.username, remember=False)
    device = TrustedDevice.objects.get()
    response = desk.post(f"/me/devices/{device.pk}/revoke/")
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == password_user
    assert phone.get("/queue/")["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(what__startswith="注销设备").count() == 1
    # Someone else's device does not exist for them.
    assert desk.post(f"/me/devices/{device.pk + 999}/revoke/").status_code == 404


def test_someone_elses_device_is_404(password_user, cast):
    _sign_in(Client(), password_user.username, remember=True)
    device = TrustedDevice.objects.get()
    other = Client()
    other.force_login(cast.grid_worker_b)
    assert other.post(f"/me/devices/{device.pk}/revoke/").status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


def test_an_admin_revokes_a_users_devices_and_one_next_door_may_not(password_user, cast, api):
    phone = Client()
    _sign_in(phone, password_user.username, remember=True)
    url = f"/api/v1/users/{password_user.pk}/revoke-devices/"
    assert api(cast.town_admin_b).post(url).status_code == 404
    assert api(cast.grid_worker_b).post(url).status_code in (403, 404)
    assert TrustedDevice.objects.get().revoked_at is None
    response = api(cast.town_admin_a).post(url)
    assert response.status_code == 200 and response.json() == {"revoked": 1}
    assert phone.get("/queue/")["Location"].startswith("/login/")
    assert AuditEntry.objects.filter(what__startswith="注销全部设备", actor=cast.town_admin_a)


def test_an_expired_device_signs_out(password_user):
    phone = Client()
    _sign_in(phone, password_user.username, remember=True)
    TrustedDevice.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert phone.get("/queue/")["Location"].startswith("/login/")


def test_signing_out_from_me_forgets_the_device(password_user):
    phone = Client()
    _sign_in(phone, password_user.username, remember=True)
    html = phone.get("/me/").content.decode()
    assert 'data-testid="logout-confirm"' in html and "确认退出" in html
    response = phone.post("/logout/")
    assert response.status_code == 302
    assert TrustedDevice.objects.get().revoked_at is not None
    assert phone.cookies[DEVICE_COOKIE].value == ""
