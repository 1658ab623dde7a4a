from notifications.models import Notification
from notifications.services import notify


def test_each_user_lists_only_their_own_notifications_with_the_unread_count(cast, api):
    notify(users=[cast.town_officer_a], kind="reminder", title="甲")
    notify(users=[cast.town_officer_a], kind="notice", title="乙")
    notify(users=[cast.town_officer_b], kind="notice", title="别人的")
    body = api(cast.town_officer_a).get("/api/v1/notifications/").json()
    assert [row["title"] for row in body["results"]] == ["乙", "甲"]
    assert body["unread"] == 2
    count = api(cast.town_officer_a).get("/api/v1/notifications/unread-count/").json()
    assert count == {"unread": 2}


def test_marking_read_is_idempotent_and_someone_elses_is_404(cast, api):
    (mine,) = notify(users=[cast.town_officer_a], kind="reminder", title="甲")
    (theirs,) = notify(users=[cast.town_officer_b], kind="reminder", title="乙")
    client = api(cast.town_officer_a)
    first = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert first.status_code == 200 and first.json()["read_at"]
    again = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert again.json()["read_at"] == first.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post("/api/v1/notifications/abc/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_all_clears_only_the_users_unread(cast, api):
    notify(users=[cast.town_officer_a, cast.town_officer_b], kind="reminder", title="甲")
    notify(users=[cast.town_officer_a], kind="reminder", title="乙")
    response = api(cast.town_officer_a).post("/api/v1/notifications/read-all/")
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.filter(user=cast.town_officer_b, read_at__isnull=True).count() == 1


def test_anonymous_is_401(api):
    assert api().get("/api/v1/notifications/").status_code == 401
