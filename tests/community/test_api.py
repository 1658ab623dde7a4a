"""Village self-governance over the API (issue 14's done-when): a consultation day whose
dispute becomes a case that follows the chain and counts for coverage; a month's rota, a
volunteer's check-in and logged dispute becoming a case, missed duties; a campaign over a
town with a zero report and reminders; bad input as 400 naming the field."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from cases.choices import Source, Status
from cases.models import Case
from community import deadlines, services
from community.models import DutyShift, SentReminder
from notifications.models import Notification, OutboxMessage
from tests.builders import drive

pytestmark = pytest.mark.django_db


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def test_consultation_day_with_three_items_one_becomes_a_case_that_follows_the_chain(cast, api):
    a = cast.areas
    client = api(cast.village_mediator_a)
    today = timezone.localdate()
    answer = client.post(
        "/api/v1/consultation-days/",
        {
            "village": a.village_a1.id,
            "held_on": str(today),
            "chair": "村支书",
            "attendance": 42,
            "items": [
                {"text": "修缮村道", "outcome": "settled"},
                {"text": "垃圾清运时间", "outcome": "follow_up"},
                {
                    "text": "张三李四宅基地边界争执",
                    "is_dispute": True,
                    "parties": [
                        {"name": "张三", "role": "applicant"},
                        {"name": "李四", "role": "respondent"},
                    ],
                },
            ],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.data
    assert len(answer.data["items"]) == 3
    dispute = answer.data["items"][2]

    made = client.post(
        f"/api/v1/consultation-items/{dispute['id']}/case/",
        {"category": "housing_homestead"},
        format="json",
    )
    assert made.status_code == 201, made.data
    case = Case.objects.get(pk=made.data["case"]["id"])
    assert case.source == Source.CONSULTATION_DAY
    assert sorted(p.name for p in case.parties.all()) == ["张三", "李四"]
    assert case.consultation_item.id == dispute["id"]  # linked both ways
    assert made.data["outcome"] == "case"
    again = client.post(
        f"/api/v1/consultation-items/{dispute['id']}/case/", {"category": "other"}, format="json"
    )
    assert again.status_code == 409

    drive(case, to="closed", officer=cast.village_officer_a, mediator=cast.village_mediator_a)
    case.refresh_from_db()
    assert case.status == Status.CLOSED

    cover = api(cast.town_officer_a).get(
        "/api/v1/consultation-days/coverage/", {"area": a.town_a.id, "period": _month(today)}
    )
    assert cover.status_code == 200
    assert (cover.data["held"], cover.data["total"]) == (1, 2)
    by_village = {row["area"]["id"]: row["held"] for row in cover.data["children"]}
    assert by_village == {a.village_a1.id: 1, a.village_a2.id: 0}
    # The neighbour town's officer does not see it.
    assert (
        api(cast.town_officer_b).get(f"/api/v1/consultation-days/{answer.data['id']}/").status_code
        == 404
    )


def test_rota_generated_for_a_month_checked_in_logged_dispute_becomes_a_case(village, api):
    cast, a = village.cast, village.areas
    mediator = api(cast.village_mediator_a)
    today = timezone.localdate()
    month = today.replace(day=1)
    generated = mediator.post(
        f"/api/v1/villages/{a.village_a1.id}/rota/generate/",
        {"month": _month(today)},
        format="json",
    )
    assert generated.status_code == 201, generated.data
    days = [row["on_date"] for row in generated.data]
    assert days[0] == str(month) and len(days) == len(set(days))
    names = [row["volunteer"]["name"] for row in generated.data]
    assert names[:4] == ["雷锋", "王芳", "雷锋", "王芳"]  # in turns

    # Edit: today is 雷锋's.
    edited = mediator.post(
        f"/api/v1/villages/{a.village_a1.id}/rota/",
        {"turns": [{"volunteer": village.lei.id, "starts_on": str(today)}]},
        format="json",
    )
    assert edited.status_code == 200, edited.data
    shift = DutyShift.objects.get(village=a.village_a1, on_date=today)
    assert shift.volunteer_id == village.lei.id

    volunteer = api(village.lei_user)
    mine = volunteer.get("/api/v1/duty-shifts/today/")
    assert mine.data["shift"]["id"] == shift.id
    checked = volunteer.post(f"/api/v1/duty-shifts/{shift.id}/check-in/")
    assert checked.status_code == 200 and checked.data["checked_in_at"]
    logged = volunteer.post(
        f"/api/v1/duty-shifts/{shift.id}/log/",
        {"kind": "dispute", "text": "两户因排水沟争吵", "parties": [{"name": "赵五"}]},
        format="json",
    )
    assert logged.status_code == 201, logged.data
    # The village mediator is told, and turns it into a case in one step.
    assert Notification.objects.filter(user=cast.village_mediator_a, kind="duty_dispute").exists()
    made = mediator.post(
        f"/api/v1/duty-log/{logged.data['id']}/case/", {"category": "neighbour"}, format="json"
    )
    assert made.status_code == 201, made.data
    case = Case.objects.get(pk=made.data["case"]["id"])
    assert case.duty_log_entry.id == logged.data["id"]
    assert [p.name for p in case.parties.all()] == ["赵五"]
    # A volunteer may not open cases themselves; the log is theirs, the case is not visible.
    assert (
        volunteer.post(
            f"/api/v1/duty-log/{logged.data['id']}/case/", {"category": "neighbour"}, format="json"
        ).status_code
        == 403
    )
    assert volunteer.get(f"/api/v1/cases/{case.id}/").status_code == 404


def test_a_missed_duty_is_counted_per_village(village, api):
    cast, a = village.cast, village.areas
    mediator = api(cast.village_mediator_a)
    today = timezone.localdate()
    last = _last_month(today)
    mediator.post(
        f"/api/v1/villages/{a.village_a1.id}/rota/generate/",
        {"month": _month(last)},
        format="json",
    )
    # 雷锋 takes the first two days and checks in on each (on the day); the rest are missed.
    services.rota_set(
        actor=cast.village_mediator_a,
        village=a.village_a1,
        turns=[{"volunteer": village.lei, "starts_on": last, "ends_on": last + timedelta(days=1)}],
    )
    shifts = list(DutyShift.objects.filter(village=a.village_a1).order_by("on_date"))
    for shift in shifts[:2]:
        nine = timezone.make_aware(timezone.datetime.combine(shift.on_date, time(9)))
        services.duty_check_in(actor=village.lei_user, shift_id=shift.id, at=nine)
    answer = api(cast.town_officer_a).get(
        "/api/v1/duty-shifts/missed/", {"area": a.town_a.id, "period": _month(last)}
    )
    assert answer.status_code == 200
    row = answer.data["villages"][0]
    assert row["village"]["id"] == a.village_a1.id
    assert (row["duties"], row["missed"]) == (len(shifts), len(shifts) - 2)


def test_check_in_outside_ones_own_duty_is_403(village, api):
    cast, a = village.cast, village.areas
    today = timezone.localdate()
    services.rota_set(
        actor=cast.village_mediator_a,
        village=a.village_a1,
        turns=[
            {"volunteer": village.lei, "starts_on": today + timedelta(days=1)},
            {"volunteer": village.wang, "starts_on": today},
        ],
    )
    tomorrow = DutyShift.objects.get(on_date=today + timedelta(days=1), village=a.village_a1)
    wangs = DutyShift.objects.get(on_date=today, village=a.village_a1)
    volunteer = api(village.lei_user)
    # Their own duty, on another day: 403.
    assert volunteer.post(f"/api/v1/duty-shifts/{tomorrow.id}/check-in/").status_code == 403
    # Someone else's duty does not exist for a volunteer.
    assert volunteer.post(f"/api/v1/duty-shifts/{wangs.id}/check-in/").status_code == 404
    # The mediator sees the duty but is not the person on it.
    assert (
        api(cast.village_mediator_a).post(f"/api/v1/duty-shifts/{wangs.id}/check-in/").status_code
        == 403
    )
    assert volunteer.get("/api/v1/duty-shifts/today/").data == {"shift": None}
    assert not DutyShift.objects.exclude(checked_in_at=None).exists()


def test_another_villages_rota_is_404(village, api):
    a = village.areas
    assert (
        api(village.cast.village_mediator_b)
        .get(f"/api/v1/villages/{a.village_a1.id}/rota/")
        .status_code
        == 404
    )
    assert (
        api(village.cast.village_mediator_a2)
        .post(
            f"/api/v1/villages/{a.village_a1.id}/rota/generate/",
            {"month": "2026-01"},
            format="json",
        )
        .status_code
        == 404
    )
    # A volunteer's light account sees no village rota at all, not even its own village's.
    assert api(village.lei_user).get(f"/api/v1/villages/{a.village_a1.id}/rota/").status_code == 404
    assert api(village.lei_user).get("/api/v1/volunteers/").data["results"] == []


def test_a_light_account_is_given_once_and_audited(village, api):
    from accounts.models import AuditEntry

    entry = AuditEntry.objects.get(target__startswith="accounts.role:", params__user="lei")
    assert entry.actor == village.cast.village_mediator_a
    assert entry.area == village.areas.village_a1
    again = api(village.cast.village_mediator_a).post(
        f"/api/v1/volunteers/{village.lei.id}/account/",
        {"username": "lei2", "password": "volunteer-3"},
        format="json",
    )
    assert again.status_code == 409
    fresh = api(village.cast.village_mediator_a).post(
        f"/api/v1/volunteers/{village.wang.id}/account/",
        {"username": "wang", "password": "short"},
        format="json",
    )
    assert fresh.status_code == 400 and "password" in fresh.data
    neighbour = api(village.cast.village_mediator_b).post(
        f"/api/v1/volunteers/{village.wang.id}/account/",
        {"username": "wang", "password": "volunteer-4"},
        format="json",
    )
    assert neighbour.status_code == 404


def test_campaign_over_a_town_lists_every_grid_counts_zero_reports_and_reminds_late_grids_once(
    cast, api
):
    a = cast.areas
    today = timezone.localdate()
    opened = api(cast.town_officer_a).post(
        "/api/v1/campaigns/",
        {
            "name": "春节前矛盾纠纷大排查",
            "area": a.town_a.id,
            "starts_on": str(today - timedelta(days=5)),
            "ends_on": str(today + timedelta(days=2)),
        },
        format="json",
    )
    assert opened.status_code == 201, opened.data
    cid = opened.data["id"]
    zero = api(cast.grid_worker_a).post(
        f"/api/v1/campaigns/{cid}/reports/", {"grid": a.grid_a1.id, "zero": True}, format="json"
    )
    assert zero.status_code == 201, zero.data
    twice = api(cast.grid_worker_a).post(
        f"/api/v1/campaigns/{cid}/reports/", {"grid": a.grid_a1.id, "zero": True}, format="json"
    )
    assert twice.status_code == 409
    # Town B's grid is not in this campaign.
    outside = api(cast.county_officer).post(
        f"/api/v1/campaigns/{cid}/reports/", {"grid": a.grid_b1.id, "zero": True}, format="json"
    )
    assert outside.status_code == 400 and "grid" in outside.data

    cover = api(cast.town_officer_a).get(f"/api/v1/campaigns/{cid}/coverage/").data
    grids = {a.grid_a1.id, a.grid_a1_2.id, a.grid_a2.id}
    listed = {g["id"] for v in cover["villages"] for g in v["missing"]} | {a.grid_a1.id}
    assert listed == grids
    from community.models import CampaignReport
    from grids.models import Area

    bare = (
        CampaignReport.objects.filter(campaign_id=cid).count()
        / Area.objects.filter(level="grid", code__startswith=a.town_a.prefix).count()
    )
    assert cover["coverage"] == round(bare, 4) == round(1 / 3, 4)
    assert (cover["reported"], cover["total"], cover["zero"]) == (1, 3, 1)
    villages = {v["area"]["id"]: v for v in cover["villages"]}
    assert [g["id"] for g in villages[a.village_a1.id]["missing"]] == [a.grid_a1_2.id]
    assert api(cast.town_officer_b).get(f"/api/v1/campaigns/{cid}/").status_code == 404

    # Late grids: reminded once, however often the pass runs.
    sent = deadlines.campaign_closing_reminders(now=timezone.now())
    assert sent == 2
    assert deadlines.campaign_closing_reminders(now=timezone.now()) == 0
    assert SentReminder.objects.filter(key__startswith=f"campaign:{cid}:").count() == 2
    # grid A1-2 has no grid worker: its village's people are told; A2's mediator for A2.
    told = set(
        Notification.objects.filter(kind="campaign_closing").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"village_mediator_a", "village_officer_a", "village_mediator_a2"}
    assert "grid_worker_a" not in told  # their grid reported
    assert OutboxMessage.objects.filter(notification__kind="campaign_closing").exists()


def test_consultation_day_reminder_from_the_25th_once_per_village(cast, api):
    a = cast.areas
    today = timezone.localdate()
    services.consultation_day_record(
        actor=cast.village_mediator_a,
        village=a.village_a1,
        held_on=today.replace(day=1),
        chair="主任",
        attendance=10,
        at=timezone.now(),
    )
    the_24th = timezone.make_aware(timezone.datetime(today.year, today.month, 24, 9))
    the_25th = the_24th + timedelta(days=1)
    assert deadlines.consultation_day_reminders(now=the_24th) == 0
    assert deadlines.consultation_day_reminders(now=the_25th) == 2  # A2 and B1, not A1
    assert deadlines.consultation_day_reminders(now=the_25th + timedelta(days=2)) == 0
    told = set(
        Notification.objects.filter(kind="consultation_day_due").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"village_mediator_a2", "village_mediator_b", "village_officer_b"}


@pytest.mark.parametrize(
    "path, body, field",
    [
        (
            "/api/v1/consultation-days/",
            {"held_on": "FUTURE", "chair": "主任", "attendance": 5},
            "held_on",
        ),
        (
            "/api/v1/consultation-days/",
            {"held_on": "TODAY", "chair": "主任", "attendance": 5, "items": [{"text": " "}]},
            "items",
        ),
        ("ROTA", {"turns": "OVERLAP"}, "turns"),
        ("ROTA", {"turns": "FOREIGN"}, "turns"),
        (
            "/api/v1/campaigns/",
            {"name": "汛期排查", "starts_on": "TODAY", "ends_on": "YESTERDAY"},
            "ends_on",
        ),
    ],
)
def test_bad_input_is_400_naming_the_field_and_changes_nothing(village, api, path, body, field):
    cast, a = village.cast, village.areas
    today = timezone.localdate()
    words = {
        "FUTURE": str(today + timedelta(days=1)),
        "TODAY": str(today),
        "YESTERDAY": str(today - timedelta(days=1)),
    }
    body = {k: words.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    user = cast.village_mediator_a
    if path == "ROTA":
        path = f"/api/v1/villages/{a.village_a1.id}/rota/"
        if body["turns"] == "OVERLAP":
            body["turns"] = [
                {
                    "volunteer": village.lei.id,
                    "starts_on": str(today),
                    "ends_on": str(today + timedelta(days=2)),
                },
                {"volunteer": village.wang.id, "starts_on": str(today + timedelta(days=2))},
            ]
        else:  # a volunteer of another village (in the mediator's town: visible, still 400)
            user = cast.town_officer_a
            body["turns"] = [{"volunteer": village.a2.id, "starts_on": str(today)}]
    elif "campaigns" in path:
        user = cast.county_officer
        body["area"] = a.county.id
    else:
        body["village"] = a.village_a1.id
    before = (DutyShift.objects.count(), Case.objects.count())
    answer = api(user).post(path, body, format="json")
    assert answer.status_code == 400, answer.data
    assert field in answer.data
    assert (DutyShift.objects.count(), Case.objects.count()) == before


def test_lists_keep_a_constant_number_of_queries(village, api, django_assert_max_num_queries):
    cast, a = village.cast, village.areas
    today = timezone.localdate()
    services.rota_generate(actor=cast.village_mediator_a, village=a.village_a1, month=today)
    for n in range(6):
        services.consultation_day_record(
            actor=cast.village_mediator_a,
            village=a.village_a1,
            held_on=today,
            chair="主任",
            attendance=5 + n,
            items=[{"text": f"议题{i}"} for i in range(3)],
        )
    client = api(cast.town_officer_a)
    for url in [
        "/api/v1/consultation-days/",
        "/api/v1/duty-shifts/",
        "/api/v1/volunteers/",
        f"/api/v1/villages/{a.village_a1.id}/rota/",
        f"/api/v1/grids/{a.grid_a1.id}/duty-team/",
    ]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_grid_duty_team_names_its_cadre_and_its_own_grid_worker(village, api):
    cast, a = village.cast, village.areas
    client = api(cast.town_officer_a)
    url = f"/api/v1/grids/{a.grid_a1.id}/duty-team/"
    put = client.put(
        url, {"cadre_name": "县司法局老周", "grid_worker": cast.grid_worker_a.id}, format="json"
    )
    assert put.status_code == 200, put.data
    assert put.data["cadre"]["name"] == "县司法局老周"
    assert put.data["grid_worker"]["id"] == cast.grid_worker_a.id
    assert [v["name"] for v in put.data["volunteers"]] == ["雷锋"]
    assert put.data["volunteers"][0]["phone"] == "138****1111"
    wrong = client.put(
        f"/api/v1/grids/{a.grid_a1_2.id}/duty-team/",
        {"grid_worker": cast.grid_worker_a.id},
        format="json",
    )
    assert wrong.status_code == 400 and "grid_worker" in wrong.data
    assert api(cast.grid_worker_b).get(url).status_code == 404
    # A viewer reads the team but may not change it.
    assert api(cast.county_viewer).get(url).status_code == 200
    assert api(cast.county_viewer).put(url, {"cadre_name": "x"}, format="json").status_code == 403


def test_a_grid_worker_turns_a_consultation_item_into_a_case_of_their_grid(cast, api):
    a = cast.areas
    day = services.consultation_day_record(
        actor=cast.grid_worker_a,
        village=a.village_a1,
        held_on=timezone.localdate(),
        chair="主任",
        attendance=12,
        items=[{"text": "借款纠纷", "is_dispute": True, "parties": [{"name": "孙七"}]}],
    )
    item = day.items.get()
    made = api(cast.grid_worker_a).post(
        f"/api/v1/consultation-items/{item.id}/case/", {"category": "contract"}, format="json"
    )
    assert made.status_code == 201, made.data
    case = Case.objects.get(pk=made.data["case"]["id"])
    assert case.grid_id == a.grid_a1.id and case.village_id == a.village_a1.id
    assert case.reported_by == cast.grid_worker_a
