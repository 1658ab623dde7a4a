"""Months-old notices: filtered by unread, kind and date, and marked read in bulk (API and page)."""

from datetime import datetime

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify


def _at(day: str):
    return timezone.make_aware(datetime.fromisoformat(f"{day}T10:00"))


@pytest.fixture
def inbox(cast):
    """Town officer A's notices over a few months; one of B's."""
    officer = cast.town_officer_a
    notify(users=[officer], kind="reminder", title="旧提醒", now=_at("2026-03-02"))
    notify(users=[officer], kind="assigned", title="旧分派", now=_at("2026-03-20"))
    notify(users=[officer], kind="escalated", title="五月上报", now=_at("2026-05-10"))
    (read,) = notify(users=[officer], kind="reminder", title="已读提醒", now=_at("2026-06-01"))
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    notify(users=[officer], kind="campaign_closing", title="排查截止", now=_at("2026-06-05"))
    notify(users=[cast.town_officer_b], kind="reminder", title="别人的", now=_at("2026-03-02"))
    return officer


def _titles(response):
    return [row["title"] for row in response.json()["results"]]


def test_the_list_filters_by_unread_kind_and_date(inbox, api, django_assert_max_num_queries):
    client = api(inbox)
    assert _titles(client.get("/api/v1/notifications/?unread=true")) == [
        "排查截止",
        "五月上报",
        "旧分派",
        "旧提醒",
    ]
    assert _titles(client.get("/api/v1/notifications/?unread=false")) == ["已读提醒"]
    assert _titles(client.get("/api/v1/notifications/?kind=reminder")) == ["已读提醒", "旧提醒"]
    # Another app's kind is known too.
    assert _titles(client.get("/api/v1/notifications/?kind=campaign_closing")) == ["排查截止"]
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/notifications/?after=2026-03-20&before=2026-05-10")
    assert _titles(response) == ["五月上报", "旧分派"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("unread=maybe", "state"),
        ("kind=nonsense", "kind"),
        ("after=2026-13-01", "after"),
        ("after=2026-06-01&before=2026-05-01", "before"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(inbox, api, query, field):
    response = api(inbox).get(f"/api/v1/notifications/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_bulk_read_marks_the_chosen_or_the_filtered_and_only_ones_own(inbox, api, cast):
    client = api(inbox)
    old = list(
        Notification.objects.filter(user=inbox, created_at__lt=_at("2026-04-01")).values_list(
            "pk", flat=True
        )
    )
    theirs = Notification.objects.get(user=cast.town_officer_b).pk
    response = client.post(
        "/api/v1/notifications/read-all/", {"ids": [old[0], theirs]}, format="json"
    )
    assert response.json() == {"marked": 1, "unread": 3}
    assert Notification.objects.get(pk=theirs).read_at is None

    response = client.post(
        "/api/v1/notifications/read-all/", {"before": "2026-05-31"}, format="json"
    )
    assert response.json() == {"marked": 2, "unread": 1}
    assert _titles(client.get("/api/v1/notifications/?unread=true")) == ["排查截止"]

    bad = client.post("/api/v1/notifications/read-all/", {"ids": "all"}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()
    bad = client.post("/api/v1/notifications/read-all/", {"kind": "nope"}, format="json")
    assert bad.status_code == 400
    assert Notification.objects.filter(user=inbox, read_at__isnull=True).count() == 1


def test_the_page_filters_and_marks_the_chosen_read(inbox, client, django_assert_max_num_queries):
    client.force_login(inbox)
    client.get("/notifications/")  # warm the session and role caches
    with django_assert_max_num_queries(10):
        html = client.get("/notifications/?state=unread&kind=reminder").content.decode()
    assert "旧提醒" in html and "已读提醒" not in html and "五月上报" not in html
    html = client.get("/notifications/?after=2026-99-01").content.decode()
    assert "日期格式须为" in html

    chosen = Notification.objects.get(user=inbox, title="旧分派").pk
    response = client.post("/notifications/read-all/", {"ids": [chosen], "chosen": "1"})
    assert response.status_code == 302
    assert Notification.objects.get(pk=chosen).read_at is not None
    assert Notification.objects.filter(user=inbox, read_at__isnull=True).count() == 3

    # Nothing ticked: nothing marked, and the user is told.
    response = client.post("/notifications/read-all/", {"chosen": "1"}, follow=True)
    assert "请先勾选" in response.content.decode()
    assert Notification.objects.filter(user=inbox, read_at__isnull=True).count() == 3

    # All that the filter shows, and no more; back to the same filter.
    response = client.post("/notifications/read-all/", {"before": "2026-04-30"})
    assert response["Location"] == "/notifications/?before=2026-04-30"
    unread = Notification.objects.filter(user=inbox, read_at__isnull=True)
    assert sorted(unread.values_list("title", flat=True)) == ["五月上报", "排查截止"]
