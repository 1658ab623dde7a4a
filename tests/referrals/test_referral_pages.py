"""Referrals on the pages: a police station refers a 110 dispute from its phone form, the
village committee receives it and answers, the station sees the result on the case page; a case
referred out to 人社 from the case page; the inbox's query count; the agencies' directory."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Referral
from tests import builders

pytestmark = pytest.mark.django_db


def _refer_in(client, agencies, cast):
    client.force_login(agencies.police_a)
    return client.post(
        "/referrals/new/",
        {
            "agency": agencies.station_a.id,
            "kind": "police_110",
            "area": cast.areas.village_a1.id,
            "title": "邻里噪音纠纷（110）",
            "category": "neighbour",
            "risk": "green",
            "facts": "夜间噪音引发争吵，民警到场劝解后移交调解。",
            "applicant": "孙丙",
            "applicant_phone": "13800138000",
            "respondent": "李丁",
            "note": "非警务纠纷",
        },
    )


def test_a_station_refers_a_dispute_on_the_page_and_sees_the_committees_answer(
    agencies, cast, client
):
    assert client.get("/").status_code == 302
    response = _refer_in(client, agencies, cast)
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get()
    assert response["Location"] == f"/cases/{referral.case_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "宜君县" not in page or "彭镇派出所移交调解" in page
    assert "138****8000" in page and "13800138000" not in page

    client.force_login(cast.village_officer_a)
    inbox = client.get("/referrals/").content.decode()
    assert "邻里噪音纠纷（110）" in inbox and 'data-testid="do-receive"' in inbox
    response = client.post(f"/referrals/{referral.id}/receive/", {"next": "/referrals/"})
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    case_page = client.get(f"/cases/{referral.case_id}/").content.decode()
    assert "已签收" in case_page and 'data-action="referral-answer"' in case_page
    client.post(
        f"/referrals/{referral.id}/answer/",
        {"result": "mediated", "note": "双方约定晚十点后不再喧哗。", "next": "/"},
    )
    referral.refresh_from_db()
    assert referral.status == "answered"

    client.force_login(agencies.police_a)
    page = client.get(f"/cases/{referral.case_id}/").content.decode()
    assert 'data-testid="referral-result"' in page and "调解成功" in page
    assert 'data-testid="do-close-referral"' in page


def test_a_case_is_referred_out_from_its_page_and_answered_by_hr(agencies, cast, client):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1, category="labour")
    client.force_login(cast.village_officer_a)
    page = client.get(f"/cases/{case.id}/").content.decode()
    assert 'data-action="refer"' in page and "宜君县人力资源和社会保障局" in page
    assert "耀州区派出所" not in page  # another county's agency is not offered
    client.post(f"/cases/{case.id}/refer/", {"agency": agencies.hr.id, "note": "拖欠工资"})
    referral = Referral.objects.get()
    client.force_login(agencies.hr_liaison)
    assert client.get("/").url == "/referrals/"
    client.post(f"/referrals/{referral.id}/receive/")
    client.post(f"/referrals/{referral.id}/answer/", {"result": "handled", "note": "已处理"})
    referral.refresh_from_db()
    assert (referral.status, referral.result) == ("answered", "handled")


def test_a_bad_referral_on_the_page_changes_nothing_and_says_why(agencies, cast, client):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    client.force_login(cast.village_officer_a)
    response = client.post(
        f"/cases/{case.id}/refer/", {"agency": agencies.far.id, "note": "移交"}, follow=True
    )
    assert "联动单位不在本县" in response.content.decode()
    assert not Referral.objects.exists()
    # Another agency's liaison acting on the referral: 404.
    client.post(f"/cases/{case.id}/refer/", {"agency": agencies.hr.id, "note": "移交"})
    referral = Referral.objects.get()
    client.force_login(agencies.court_liaison)
    assert client.post(f"/referrals/{referral.id}/receive/").status_code == 404
    # Only an agency's people refer disputes in.
    client.force_login(cast.village_officer_a)
    assert client.get("/referrals/new/").status_code == 404


def test_the_inbox_reads_a_constant_number_of_queries(
    agencies, cast, client, django_assert_max_num_queries
):
    for i in range(8):
        case = builders.report(
            cast.grid_worker_a, cast.areas.grid_a1, parties=builders.two_parties(20 + 2 * i)
        )
        builders.drive(case, to="in_progress")
        from cases import referrals

        referrals.referral_send(
            actor=cast.village_officer_a, case_id=case.id, agency_id=agencies.hr.id, note="移交"
        )
    client.force_login(agencies.hr_liaison)
    with django_assert_max_num_queries(14):
        response = client.get("/referrals/")
    assert response.content.decode().count('data-testid="referral-item"') == 8
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/referrals/").json()["results"]) == 8


def test_the_agencies_directory_lists_the_users_county_only(agencies, cast, api):
    names = {a["name"] for a in api(cast.village_officer_a).get("/api/v1/agencies/").json()}
    assert "宜君县人力资源和社会保障局" in names and "耀州区派出所" not in names
    far = {a["name"] for a in api(agencies.far_liaison).get("/api/v1/agencies/").json()}
    assert far == {"耀州区派出所"}
    assert api(cast.village_officer_a).get("/api/v1/agencies/?kind=x").status_code == 400


def test_the_dashboard_shows_the_referrals_panel(agencies, cast, client):
    case = builders.report(cast.grid_worker_a, cast.areas.grid_a1)
    from cases import referrals

    referrals.referral_send(
        actor=cast.village_officer_a,
        case_id=case.id,
        agency_id=agencies.hr.id,
        note="移交",
        at=timezone.now() - timedelta(days=5),
    )
    client.force_login(cast.county_officer)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="referrals-panel"' in page and "行政部门" in page
