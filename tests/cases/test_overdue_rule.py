"""One definition of overdue (`cases.overdue`, DESIGN.md §14): every stage deadline of the open
handling period and of the mediation records. The filter, the overdue page and its counts, the
dashboard's panel, the bulletin, the API's `overdue` and `late` fields, the queue's rows and the
case page all read it; the sweep's cursor (`next_deadline`) is never read as "overdue"."""

import re
from datetime import timedelta

from django.utils import timezone

from cases import overdue, selectors
from cases.models import Case, HandlingPeriod
from cases.sweep import sweep_run
from tests.builders import ask_consultation, drive, report, two_parties
from tests.plans import leave_only


def _late_text(item, now):
    days = (now - item.due).days
    return f"{item.label}超期{days}天"


def _reported(cast, ago, title, *, area=None, reporter=None, serial=1):
    return report(
        reporter or cast.grid_worker_a,
        area or cast.areas.grid_a1,
        title=title,
        parties=two_parties(2 * serial),
        at=timezone.now() - ago,
    )


def _period(case):
    return HandlingPeriod.objects.get(case=case, ended_at__isnull=True)


def test_a_case_past_its_assign_and_respond_deadlines_is_red_after_the_sweep_reminded_it(
    cast, client, api
):
    """The finding: 11 days past its assign and first-response deadlines, the case showed a grey
    "办结剩余9天" (the sweep had moved its cursor to the resolve deadline once it reminded)."""
    case = _reported(cast, timedelta(days=12), "十二天前登记未分派")
    now = timezone.now()
    period = _period(case)
    assert period.assign_due < period.respond_due < now < period.resolve_due
    sweep_run(now=now)
    period.refresh_from_db()
    # The sweep reminded both stages and moved its cursor on: not what "overdue" reads.
    assert period.cursor.next_deadline == period.resolve_due > now

    assert [item.kind for item in overdue.late_items([case.pk], now)[case.pk]] == [
        "assign",
        "respond",
    ]
    assert list(selectors.filter_overdue(Case.objects.all(), now)) == [case]
    expected = f"分派超期{(now - period.assign_due).days}天"

    client.force_login(cast.village_officer_a)
    queue = client.get("/queue/").content.decode()
    assert re.search(rf'class="late" data-testid="case-late" data-kind="assign">{expected}<', queue)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert re.search(rf'class="badge red late" data-testid="case-late"[^>]*>{expected}', page)
    assert 'data-testid="case-deadline">办结剩余' in page  # the next deadline ahead, grey

    row = api(cast.village_officer_a).get(f"/api/v1/cases/{case.pk}/").json()
    assert row["overdue"] is True
    assert [(i["kind"], i["label"]) for i in row["late"]] == [
        ("assign", "分派"),
        ("respond", "响应"),
    ]


def test_every_reader_of_overdue_gives_the_same_answer(cast, api):
    unassigned = _reported(cast, timedelta(days=5), "未分派", serial=1)
    unanswered = _reported(cast, timedelta(days=12), "未响应", serial=2)
    drive(unanswered, to="assigned", at=timezone.now() - timedelta(days=12))
    fresh = _reported(cast, timedelta(minutes=5), "刚登记", serial=3)
    other_town = _reported(
        cast,
        timedelta(days=3),
        "五里镇未分派",
        area=cast.areas.grid_b1,
        reporter=cast.grid_worker_b,
        serial=4,
    )
    now = timezone.now()
    expected = {unassigned.pk, unanswered.pk, other_town.pk}

    assert set(selectors.filter_overdue(Case.objects.all(), now).values_list("pk", flat=True)) == (
        expected
    )
    periods = {p.case_id: p for p in selectors.open_periods()}
    assert {pk for pk, p in periods.items() if selectors.period_overdue(p, now)} == expected
    rows = selectors.attach_late(Case.objects.all(), now)
    # Each case's oldest late stage (a case late on assign is late on respond too soon after).
    assert {c.pk: c.late[0].kind for c in rows if c.late} == {
        unassigned.pk: "assign",
        unanswered.pk: "respond",
        other_town.pk: "assign",
    }
    assert not next(c for c in rows if c.pk == fresh.pk).late
    # The dashboard's panel and the bulletin: the oldest late deadline first.
    assert selectors.overdue_under(cast.areas.town_a, now=now, limit=10) == [
        unanswered.pk,
        unassigned.pk,
    ]
    assert selectors.overdue_under(cast.areas.county, now=now, limit=2) == [
        unanswered.pk,
        unassigned.pk,
    ]
    # Above a county the looks walk the deadline indexes themselves: the same answer.
    assert selectors.overdue_under(cast.areas.city, now=now, limit=10) == (
        selectors.overdue_under(cast.areas.county, now=now, limit=10)
    )
    assert set(selectors.overdue_under(cast.areas.city, now=now, limit=10)) == expected

    client = api(cast.county_officer)
    listed = client.get("/api/v1/cases/").json()["results"]
    assert {row["id"] for row in listed if row["overdue"]} == expected
    assert {row["id"]: row["late"][0]["kind"] for row in listed if row["late"]} == {
        unassigned.pk: "assign",
        unanswered.pk: "respond",
        other_town.pk: "assign",
    }
    filtered = client.get("/api/v1/cases/?overdue=true").json()["results"]
    assert {row["id"] for row in filtered} == expected


def test_a_countys_panel_starts_from_its_own_units(cast, on_postgres, django_assert_num_queries):
    """The dashboard's overdue looks are bounded by one county's deadlines: a county, a town or
    a village under it reads the periods held at the county's units (itself, its towns and
    villages) through the indexes led by the unit, and the referrals by the county's own
    column; a city (above any county) walks the deadline indexes themselves."""
    from django.db import connection

    from grids.models import Area

    county, town, village = cast.areas.county, cast.areas.town_a, cast.areas.village_a1
    units = set(
        Area.objects.subtree(county)
        .filter(level__in=("county", "town", "village"))
        .values_list("pk", flat=True)
    )
    with django_assert_num_queries(1):
        under = overdue.Under.of(town)
    assert (under.column, under.area_id, under.county_id) == ("town_id", town.pk, county.pk)
    assert set(under.unit_ids) == units and cast.areas.grid_a1.pk not in under.unit_ids
    assert overdue.Under.of(village).unit_ids == overdue.Under.of(county).unit_ids
    with django_assert_num_queries(0):
        above = overdue.Under.of(cast.areas.city)
    assert (above.county_id, above.unit_ids) == (None, ())

    late = _reported(cast, timedelta(days=3), "逾期")
    now = timezone.now()
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assert overdue.sources()[0].ranked(overdue.Under.of(village), now, 10)[0][1] == late.pk
    (sql, params), *_ = [(sql, params) for sql, params in statements if "unnest" in sql]
    # On a handful of rows the planner's costs of the periods' indexes tie (the one by resolve
    # deadline without the date would do as well): leave it only the three it takes at scale.
    indexes = ("period_assign_late_at", "period_respond_late_at", "period_resolve_late_at")
    leave_only(*indexes)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in indexes:
        assert index in plan, plan


def test_a_deadline_is_overdue_from_its_own_moment(cast):
    case = _reported(cast, timedelta(days=1), "到期")
    period = _period(case)
    due = period.assign_due
    assert selectors.period_overdue(period, due)
    assert not selectors.period_overdue(period, due - timedelta(microseconds=1))
    assert list(selectors.filter_overdue(Case.objects.all(), due)) == [case]
    assert not selectors.filter_overdue(Case.objects.all(), due - timedelta(microseconds=1))


def test_an_unanswered_consultation_and_a_follow_up_not_done_are_overdue(cast):
    from mediation.models import Consultation

    asked = _reported(cast, timedelta(days=2), "咨询未答复", serial=1)
    asked_at = timezone.now() - timedelta(days=2)
    drive(asked, to="in_progress", at=asked_at)
    consultation = ask_consultation(
        asked,
        cast.village_mediator_a,
        consultant_kind="lawyer",
        consultant_name="王律师",
        question="宅基地证明效力？",
        due_at=asked_at + timedelta(days=1),
        at=asked_at,
    )
    resolved_at = timezone.now() - timedelta(days=30)
    resolved = _reported(cast, timedelta(days=31), "调解成功未回访", serial=2)
    drive(resolved, to="resolved", at=resolved_at)
    now = timezone.now()

    late = overdue.late_items([asked.pk, resolved.pk], now)
    assert [(i.kind, i.label) for i in late[asked.pk]] == [("consultation", "咨询答复")]
    assert [(i.kind, i.label) for i in late[resolved.pk]] == [("follow_up", "回访")]
    assert set(selectors.filter_overdue(Case.objects.all(), now)) == {asked, resolved}
    assert set(selectors.overdue_under(cast.areas.village_a1, now=now, limit=5)) == {
        asked.pk,
        resolved.pk,
    }

    Consultation.objects.filter(pk=consultation.pk).update(answered_at=now, answer="有效")
    from tests.builders import follow_up

    follow_up(resolved, cast.village_mediator_a)
    assert not selectors.filter_overdue(Case.objects.all(), now).exists()
    assert overdue.late_items([asked.pk, resolved.pk], now) == {}


def test_the_overdue_page_counts_each_level_and_shows_a_town_officer_their_villages(cast, client):
    village = _reported(cast, timedelta(days=5), "村级超期", serial=1)
    town = _reported(cast, timedelta(days=5), "镇级超期", serial=2)
    drive(town, to="pending", level="town", at=timezone.now() - timedelta(days=5))
    _reported(cast, timedelta(minutes=1), "未到期", serial=3)
    client.force_login(cast.town_officer_a)
    html = client.get("/overdue/?tab=village").content.decode()
    assert 'data-tab="village">村级超期 <span class="count">1<' in html
    assert 'data-tab="town">镇级超期 <span class="count">1<' in html
    assert 'data-tab="all">全部 <span class="count">2<' in html
    assert village.number in html and town.number not in html
    assert 'data-kind="assign">分派超期' in html


def test_list_pages_read_what_is_late_in_a_constant_number_of_queries(
    cast, client, api, django_assert_max_num_queries
):
    for serial in range(1, 9):
        case = _reported(cast, timedelta(days=9), f"超期{serial}", serial=serial)
        if serial % 2:
            drive(case, to="assigned", at=timezone.now() - timedelta(days=9))
    client.force_login(cast.county_officer)
    client.get("/cases/")  # warm the session and the caches
    with django_assert_max_num_queries(14) as few:
        small = client.get("/cases/?overdue=true&page=1").content.decode()
    assert small.count(' overdue" href=') == 8
    for path in ("/overdue/", "/cases/?overdue=true"):
        with django_assert_max_num_queries(len(few.captured_queries) + 2):
            assert client.get(path).status_code == 200
    rest = api(cast.county_officer)
    rest.get("/api/v1/cases/")
    with django_assert_max_num_queries(12):
        rows = rest.get("/api/v1/cases/?overdue=true").json()["results"]
    assert len(rows) == 8 and all(row["late"] for row in rows)


def test_the_overdue_rule_walks_the_partial_indexes(cast, on_postgres):
    from django.db import connection

    _reported(cast, timedelta(days=3), "逾期")
    with connection.cursor() as cursor:
        # With a handful of rows the planner would rather scan; the point is that it can use them.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = Case.objects.filter(pk__in=overdue.overdue_case_ids(timezone.now())).explain()
    # Every part of the union is an index scan (on a few rows the planner may pick any of the
    # period indexes for the three stages, or the resolved cases' index by county rather than
    # by date; at scale each takes its own: see docs/scale.md).
    assert "Seq Scan" not in plan, plan
    assert "period_resolve_late" in plan or "period_assign_late" in plan, plan
    assert "consultation_open_due" in plan, plan
    assert "case_resolved_open" in plan or "case_resolved_county" in plan, plan


def test_a_page_of_closed_cases_asks_only_the_sources_a_closed_case_can_owe(
    cast, django_assert_num_queries
):
    """A closed case has no open period, consultation, follow-up or 督办 to be late with: a page
    of them asks only the sources that outlive the case (a referral's answer, a police
    report), and the late items of open cases beside them are found as before."""
    from cases import services

    closed = []
    for serial in (200, 210, 220):
        case = report(cast.grid_worker_a, cast.areas.grid_a1, parties=two_parties(serial))
        services.case_close(
            actor=cast.village_officer_a, case_id=case.id, outcome="withdrawn", note="撤回"
        )
        closed.append(Case.objects.get(pk=case.pk))
    late = report(cast.grid_worker_a, cast.areas.grid_a1, parties=two_parties(230))
    later = timezone.now() + timedelta(days=60)

    assert {s.name for s in overdue.sources() if s.statuses and "closed" not in s.statuses} >= {
        "period",
        "mediation.consultation",
        "mediation.follow_up",
    }
    outliving = [s for s in overdue.sources() if s.statuses is None]
    with django_assert_num_queries(len(outliving)):
        selectors.attach_late(closed, later)
    assert all(row.late == [] for row in closed)

    rows = [*closed, Case.objects.get(pk=late.pk)]
    selectors.attach_late(rows, later)  # the calendar of that year, read once per process
    # A pending case: every source but the first follow-up's (a resolved case's) is asked.
    with django_assert_num_queries(len(overdue.sources()) - 1):
        selectors.attach_late(rows, later)
    assert [item.kind for item in rows[-1].late][:1] == ["assign"]
    assert all(row.late == [] for row in rows[:-1])
