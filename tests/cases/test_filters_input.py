"""Date filters take any well-formed date-time the database can hold, and refuse the rest."""


def test_far_offsets_and_ancient_years_are_400_not_500(cast, api):
    client = api(cast.town_officer_a)
    response = client.get("/api/v1/cases/?reported_after=0047-06-10T20:03:13.738-20:10")
    assert response.status_code == 400
    assert "reported_after" in response.json()
    response = client.get("/api/v1/cases/?reported_before=2026-06-10T20:03:13-20:10")
    assert response.status_code == 200
