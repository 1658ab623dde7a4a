def test_token_and_me_for_a_demo_user(cast, api):
    response = api().post(
        "/api/v1/auth/token/", {"username": "town_officer_a", "password": "test-pass-2026"}
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "town_officer_a"
    assert me["roles"] == [
        {
            "id": me["roles"][0]["id"],
            "kind": "officer",
            "area": {
                "id": cast.areas.town_a.id,
                "code": "610222101000",
                "name": "彭镇",
                "level": "town",
            },
        }
    ]
