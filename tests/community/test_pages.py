"""The phone pages: a volunteer's queue shows today's duty, check-in and log; the mediator
turns the logged dispute into a case; a consultation day with three items, one a case; a
campaign's zero report; out of scope is the 404 page, someone else's duty the 403 page; the
pages' query counts do not grow with their rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from community import services
from community.models import CampaignReport, ConsultationDay, DutyLogEntry, DutyShift

pytestmark = pytest.mark.django_db


def _on_duty_today(village, volunteer):
    services.rota_set(
        actor=village.cast.village_mediator_a,
        village=village.areas.village_a1,
        turns=[{"volunteer": volunteer, "starts_on": timezone.localdate()}],
    )
    return DutyShift.objects.get(village=village.areas.village_a1, on_date=timezone.localdate())


def test_volunteer_checks_in_from_the_queue_and_logs_a_dispute_that_becomes_a_case(village, client):
    shift = _on_duty_today(village, village.lei)
    client.force_login(village.lei_user)
    home = client.get("/", follow=True)
    body = home.content.decode()
    assert 'data-testid="today-duty"' in body and 'data-testid="duty-check-in"' in body
    assert 'data-testid="new-case"' not in body  # a volunteer does not open cases
    assert client.post(f"/duty/{shift.id}/check-in/").status_code == 302
    shift.refresh_from_db()
    assert shift.checked_in_at is not None
    assert 'data-testid="duty-checked-in"' in client.get("/queue/").content.decode()
    logged = client.post(
        f"/duty/{shift.id}/log/", {"kind": "dispute", "text": "两户争水", "parties": "赵五、钱六"}
    )
    assert logged.status_code == 302
    entry = DutyLogEntry.objects.get(shift=shift)
    assert [p["name"] for p in entry.parties] == ["赵五", "钱六"]

    client.force_login(village.cast.village_mediator_a)
    page = client.get("/duty/").content.decode()
    assert "两户争水" in page and 'data-testid="duty-log-to-case"' in page
    made = client.post(f"/duty-log/{entry.id}/case/", {"category": "neighbour", "risk": "green"})
    entry.refresh_from_db()
    assert entry.case is not None
    assert made["Location"] == f"/cases/{entry.case_id}/"
    assert sorted(p.name for p in entry.case.parties.all()) == ["赵五", "钱六"]


def test_check_in_for_someone_elses_duty_is_the_403_page_and_another_village_is_404(
    village, client
):
    shift = _on_duty_today(village, village.wang)
    client.force_login(village.cast.village_mediator_a)
    assert client.post(f"/duty/{shift.id}/check-in/").status_code == 403
    client.force_login(village.lei_user)
    assert client.post(f"/duty/{shift.id}/check-in/").status_code == 404
    assert "今天不是您的值班日" in client.get("/duty/").content.decode()
    client.force_login(village.cast.village_mediator_b)
    assert client.get(f"/rota/{village.areas.village_a1.id}/").status_code == 404
    assert not DutyShift.objects.exclude(checked_in_at=None).exists()


def test_rota_page_generates_a_month_and_counts_missed_duties(village, client):
    a = village.areas
    client.force_login(village.cast.village_mediator_a)
    last = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    answer = client.post(f"/rota/{a.village_a1.id}/generate/", {"month": f"{last:%Y-%m}"})
    assert answer.status_code == 302
    days = DutyShift.objects.filter(village=a.village_a1).count()
    assert days >= 28
    page = client.get(f"/rota/{a.village_a1.id}/?month={last:%Y-%m}").content.decode()
    assert f"<strong>{days}</strong>" in page  # every day of last month missed


def test_consultation_day_page_with_three_items_one_turned_into_a_case(village, client):
    a = village.areas
    client.force_login(village.cast.village_mediator_a)
    today = timezone.localdate()
    answer = client.post(
        "/consultation-days/new/",
        {
            "village": a.village_a1.id,
            "held_on": str(today),
            "chair": "村主任",
            "attendance": "30",
            "item_text_0": "村道修缮",
            "item_outcome_0": "settled",
            "item_text_1": "垃圾清运",
            "item_outcome_1": "follow_up",
            "item_text_2": "宅基地边界争执",
            "item_dispute_2": "1",
            "item_parties_2": "张三、李四",
        },
    )
    day = ConsultationDay.objects.get()
    assert answer["Location"] == f"/consultation-days/{day.id}/"
    assert day.items.count() == 3
    dispute = day.items.get(is_dispute=True)
    page = client.get(f"/consultation-days/{day.id}/").content.decode()
    assert page.count('data-testid="item-to-case"') == 1
    made = client.post(f"/consultation-items/{dispute.id}/case/", {"category": "neighbour"})
    dispute.refresh_from_db()
    assert made["Location"] == f"/cases/{dispute.case_id}/"
    assert dispute.case.source == "consultation_day"
    case_page = client.get(f"/consultation-days/{day.id}/").content.decode()
    assert dispute.case.number in case_page


def test_consultation_day_in_the_future_is_refused_on_the_page(village, client):
    client.force_login(village.cast.village_mediator_a)
    answer = client.post(
        "/consultation-days/new/",
        {
            "village": village.areas.village_a1.id,
            "held_on": str(timezone.localdate() + timedelta(days=3)),
            "chair": "村主任",
            "attendance": "30",
        },
    )
    assert answer.status_code == 400
    assert "不能晚于今天" in answer.content.decode()
    assert not ConsultationDay.objects.exists()


def test_grid_worker_files_a_zero_report_for_a_campaign_from_the_page(village, client):
    cast, a = village.cast, village.areas
    today = timezone.localdate()
    campaign = services.campaign_open(
        actor=cast.town_officer_a,
        name="汛期排查",
        area=a.town_a,
        starts_on=today,
        ends_on=today + timedelta(days=3),
    )
    client.force_login(cast.grid_worker_a)
    page = client.get(f"/campaigns/{campaign.id}/").content.decode()
    assert page.count('data-testid="campaign-zero"') == 1
    client.post(f"/campaigns/{campaign.id}/report/", {"grid": a.grid_a1.id, "zero": "1"})
    assert CampaignReport.objects.get(campaign=campaign).zero
    client.force_login(cast.town_officer_a)
    page = client.get(f"/campaigns/{campaign.id}/").content.decode()
    assert "已上报 <strong>1</strong> / 3" in page
    assert "彭村二网格" in page and "后村一网格" in page  # the grids not reported


def test_grid_page_shows_the_1_1_n_team_with_masked_phones(village, client):
    cast, a = village.cast, village.areas
    services.duty_team_set(
        actor=cast.village_mediator_a,
        grid=a.grid_a1,
        cadre_name="包村干部老周",
        grid_worker=cast.grid_worker_a,
    )
    client.force_login(cast.village_mediator_a)
    page = client.get(f"/grids/{a.grid_a1.id}/team/").content.decode()
    assert "包村干部老周" in page and "grid_worker_a" in page and "雷锋" in page
    assert "138****1111" in page and "13800001111" not in page
    client.force_login(cast.village_mediator_b)
    assert client.get(f"/grids/{a.grid_a1.id}/team/").status_code == 404


def test_pages_keep_a_constant_number_of_queries(village, client, django_assert_max_num_queries):
    cast, a = village.cast, village.areas
    today = timezone.localdate()
    services.rota_generate(actor=cast.village_mediator_a, village=a.village_a1, month=today)

    def grow():
        day = services.consultation_day_record(
            actor=cast.village_mediator_a,
            village=a.village_a1,
            held_on=today,
            chair="主任",
            attendance=5,
            items=[{"text": "议题", "is_dispute": True, "parties": [{"name": "甲"}]}],
        )
        shift = DutyShift.objects.filter(village=a.village_a1).first()
        services.duty_log(
            actor=cast.village_mediator_a, shift_id=shift.id, kind="dispute", text="x"
        )
        services.volunteer_add(actor=cast.village_mediator_a, grid=a.grid_a1, name="新志愿者")
        return day

    day = grow()
    client.force_login(cast.village_mediator_a)
    urls = [
        "/duty/",
        f"/rota/{a.village_a1.id}/",
        "/consultation-days/",
        f"/grids/{a.grid_a1.id}/team/",
        "/campaigns/",
        "/queue/",
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(25) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for _ in range(5):
        grow()
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(f"/consultation-days/{day.id}/").status_code == 200
    assert Case.objects.count() == 0


def test_dashboard_shows_the_months_consultation_day_coverage_per_village(village, client):
    cast, a = village.cast, village.areas
    services.consultation_day_record(
        actor=cast.village_mediator_a,
        village=a.village_a1,
        held_on=timezone.localdate(),
        chair="主任",
        attendance=20,
    )
    client.force_login(cast.town_officer_a)
    page = client.get(f"/dashboard/?area={a.town_a.id}").content.decode()
    panel = page[page.index('data-testid="consultation-coverage"') :]
    panel = panel[: panel.index("</section>")]
    assert "<strong>1</strong> / 2" in panel
    assert "彭村" in panel and "后村" in panel and "五里村" not in panel
    client.force_login(cast.county_officer)
    page = client.get("/dashboard/").content.decode()
    panel = page[page.index('data-testid="consultation-coverage"') :]
    assert "<strong>1</strong> / 3" in panel[: panel.index("</section>")]


def test_only_those_who_may_record_a_consultation_day_are_offered_the_button(client, cast):
    """The county's read-only viewer lists the days but gets no 录入说事日 button (the form
    would refuse it); a grid worker and the county officer get it."""
    for user, offered in (
        (cast.county_viewer, False),
        (cast.grid_worker_a, True),
        (cast.county_officer, True),
    ):
        client.force_login(user)
        page = client.get("/consultation-days/").content.decode()
        assert ('data-testid="new-consultation-day"' in page) is offered, user.username
        status = client.get("/consultation-days/new/").status_code
        assert status == (200 if offered else 403), (user.username, status)
