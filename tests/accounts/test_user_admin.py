"""User management stays inside the admin's subtree."""

from rest_framework.authtoken.models import Token


def test_town_admin_lists_only_users_of_their_town(cast, api):
    response = api(cast.town_admin_a).get("/api/v1/users/?page_size=100")
    assert response.status_code == 200
    usernames = {u["username"] for u in response.json()["results"]}
    assert "village_mediator_a" in usernames
    assert "grid_worker_a" in usernames
    assert "village_mediator_b" not in usernames
    assert "town_officer_b" not in usernames
    assert "county_officer" not in usernames


def test_town_admin_cannot_see_a_user_of_the_neighbouring_town(cast, api):
    client = api(cast.town_admin_a)
    assert client.get(f"/api/v1/users/{cast.village_mediator_b.id}/").status_code == 404
    response = client.post(f"/api/v1/users/{cast.village_mediator_b.id}/deactivate/")
    assert response.status_code == 404
    cast.village_mediator_b.refresh_from_db()
    assert cast.village_mediator_b.is_active


def test_town_admin_creates_a_mediator_in_their_village(cast, api):
    response = api(cast.town_admin_a).post(
        "/api/v1/users/",
        {
            "username": "new_mediator",
            "password": "a-long-password-1",
            "display_name": "新调解员",
            "roles": [{"kind": "mediator", "area": cast.areas.village_a2.id}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["roles"][0]["area"]["code"] == "610222101201"
    from accounts.models import User

    user = User.objects.get(username="new_mediator")
    assert user.display_name == "新调解员" and user.check_password("a-long-password-1")
    assert [(r.kind, r.area_id) for r in user.roles.all()] == [
        ("mediator", cast.areas.village_a2.id)
    ]


def test_town_admin_cannot_create_a_user_in_the_neighbouring_town(cast, api):
    response = api(cast.town_admin_a).post(
        "/api/v1/users/",
        {
            "username": "intruder",
            "password": "a-long-password-1",
            "roles": [{"kind": "mediator", "area": cast.areas.village_b1.id}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "roles" in response.json()
    from accounts.models import User

    assert not User.objects.filter(username="intruder").exists()


def test_town_admin_cannot_grant_a_role_in_the_neighbouring_town(cast, api):
    response = api(cast.town_admin_a).post(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/",
        {"kind": "mediator", "area": cast.areas.village_b1.id},
        format="json",
    )
    assert response.status_code == 400
    assert "area" in response.json()
    assert cast.village_mediator_a.roles.count() == 1


def test_town_admin_cannot_grant_a_role_above_their_own_area(cast, api):
    response = api(cast.town_admin_a).post(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/",
        {"kind": "officer", "area": cast.areas.county.id},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "area_out_of_reach"
    assert not cast.village_mediator_a.roles.filter(area=cast.areas.county).exists()


def test_town_admin_grants_and_revokes_a_role_in_their_town(cast, api):
    client = api(cast.town_admin_a)
    response = client.post(
        f"/api/v1/users/{cast.village_mediator_a.id}/roles/",
        {"kind": "grid_worker", "area": cast.areas.grid_a1.id},
        format="json",
    )
    assert response.status_code == 201, response.content
    role_id = response.json()["id"]
    role = cast.village_mediator_a.roles.get(pk=role_id)
    assert (role.kind, role.area_id) == ("grid_worker", cast.areas.grid_a1.id)
    response = client.delete(f"/api/v1/users/{cast.village_mediator_a.id}/roles/{role_id}/")
    assert response.status_code == 204
    assert not cast.village_mediator_a.roles.filter(pk=role_id).exists()


def test_non_admin_cannot_manage_users(cast, api):
    client = api(cast.town_officer_a)
    assert client.get("/api/v1/users/").json()["results"] == []
    response = client.post(
        "/api/v1/users/",
        {
            "username": "someone",
            "password": "a-long-password-1",
            "roles": [{"kind": "mediator", "area": cast.areas.village_a1.id}],
        },
        format="json",
    )
    assert response.status_code == 403


def _token(api, username):
    response = api().post(
        "/api/v1/auth/token/", {"username": username, "password": "test-pass-2026"}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_of_a_deactivated_user_is_refused(cast, api):
    token = _token(api, "village_mediator_a")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200

    response = api(cast.town_admin_a).post(
        f"/api/v1/users/{cast.village_mediator_a.id}/deactivate/"
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert not Token.objects.filter(user=cast.village_mediator_a).exists()
    assert client.get("/api/v1/me/").status_code == 401
    # and no new token can be had
    response = api().post(
        "/api/v1/auth/token/", {"username": "village_mediator_a", "password": "test-pass-2026"}
    )
    assert response.status_code == 400


def test_token_of_a_user_deactivated_elsewhere_is_refused(cast, api):
    token = _token(api, "village_mediator_b")
    cast.village_mediator_b.is_active = False
    cast.village_mediator_b.save()
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_expired_token_is_refused(cast, api, settings):
    token = _token(api, "village_mediator_a")
    Token.objects.filter(key=token).update(created="2020-01-01T00:00:00Z")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_wrong_password_gets_a_clear_400(cast, api):
    response = api().post("/api/v1/auth/token/", {"username": "county_officer", "password": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_anonymous_requests_are_401(db, api):
    assert api().get("/api/v1/me/").status_code == 401
