"""Every row of the transition table (DESIGN.md §6), allowed and refused, for each role of the
cast, through the API: out of scope 404, illegal state 409, in scope but not allowed 403."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent
from tests.builders import ORAL, drive, follow_up, party, record_session, report

pytestmark = pytest.mark.django_db

STATES = ["pending", "assigned", "in_progress", "resolved", "closed"]
LEVELS = ["village", "town", "county"]
FROM = {
    "assign": {"pending"},
    "respond": {"assigned"},
    "escalate": {"pending", "assigned", "in_progress"},
    "delegate": {"pending"},
    "resolve": {"in_progress"},
    "extend": {"assigned", "in_progress"},
    "reopen": {"resolved"},
    "close": {"pending", "assigned", "in_progress", "resolved"},
}
# The case's origin is grid A1-1 of village A1 in town A; these people work elsewhere.
OUT_OF_SCOPE = {
    "village_mediator_a2",
    "grid_worker_b",
    "village_mediator_b",
    "village_officer_b",
    "town_officer_b",
    "town_mediator_b",
    "town_admin_b",
}
CAST = [
    "grid_worker_a",
    "village_mediator_a",
    "village_mediator_a2",
    "village_officer_a",
    "town_officer_a",
    "town_mediator_a",
    "town_admin_a",
    "grid_worker_b",
    "village_mediator_b",
    "village_officer_b",
    "town_officer_b",
    "town_mediator_b",
    "town_admin_b",
    "county_officer",
    "county_mediator",
    "county_viewer",
    "county_admin",
]
OFFICER = {"village": "village_officer_a", "town": "town_officer_a", "county": "county_officer"}
MEDIATOR = {"village": "village_mediator_a", "town": "town_mediator_a", "county": "county_mediator"}
ABOVE = {"village": ["town_officer_a", "county_officer"], "town": ["county_officer"], "county": []}
NEXT = {"village": "town", "town": "county"}
DELEGATE_TO = {"town": "village_a1", "county": "town_a"}


def legal(action, state, level):
    """The transition table, with the level limits: nothing above county, nothing below village."""
    if action == "escalate" and level == "county":
        return False
    if action == "delegate" and level == "village":
        return False
    return state in FROM[action]


def allowed(action, state, who, level):
    """Who may act on a case at `level` whose assignee (once assigned) is that level's mediator."""
    assigned = state in ("assigned", "in_progress", "resolved")
    if action == "assign":
        # The level's officer assigns; a village mediator may claim a village case.
        return who == OFFICER[level] or (level == "village" and who == MEDIATOR[level])
    if action == "escalate" and who in ABOVE[level]:
        return True  # an officer above pulls the case up to their own level
    if action == "delegate":
        return who == OFFICER[level]
    return who == OFFICER[level] or (assigned and who == MEDIATOR[level])


def body(action, state, level, cast):
    return {
        "assign": {"assignee": getattr(cast, MEDIATOR[level]).id},
        "respond": {"note": "已电话联系双方"},
        "escalate": {"reason": "调解不成"},
        "delegate": {"area": getattr(cast.areas, DELEGATE_TO.get(level, "village_a1")).id},
        "resolve": {"agreement": ORAL},
        "extend": {
            "parties": [],  # filled per case in extend_body
            "agreed_on": timezone.localdate().isoformat(),
            "consent_note": "双方于今日签字同意延期",
        },
        "reopen": {"reason": "协议未履行"},
        "close": (
            {"outcome": "agreement"}
            if state == "resolved"
            else {"outcome": "withdrawn", "note": "申请人撤回"}
        ),
    }[action]


def extend_body(case, data):
    """Every party agreed; ten days past the current resolve deadline (or any later day when
    the case has no open period)."""
    period = case.periods.filter(ended_at__isnull=True).first()
    due = timezone.localdate(period.resolve_due) if period else timezone.localdate()
    return {
        **data,
        "parties": list(case.parties.values_list("pk", flat=True)),
        "until": (due + timedelta(days=10)).isoformat(),
    }


AFTER = {
    "assign": "assigned",
    "respond": "in_progress",
    "resolve": "resolved",
    "reopen": "in_progress",
    "close": "closed",
}


_PEOPLE = itertools.count()


def fresh(cast, state, level):
    """A case of village A1 at `level` in `state`, built through the services; a resolved one
    is followed up, so that closing it is allowed."""
    # Parties of their own: a party of an earlier open case would make this one a repeat
    # dispute and start the earlier one's art. 25 clock (an event on the shared case).
    serial = 100 + 2 * next(_PEOPLE)
    parties = [party("张三", "applicant", serial), party("李四", "respondent", serial + 1)]
    case = drive(
        report(cast.grid_worker_a, cast.areas.grid_a1, parties=parties), to=state, level=level
    )
    if state == "in_progress":
        record_session(case, getattr(cast, MEDIATOR[level]))  # resolve needs one (art. 27)
    if state == "resolved":
        follow_up(case, getattr(cast, MEDIATOR[level]))
    return case


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.level,
        case.assignee_id,
        CaseEvent.objects.filter(case=case).count(),
        case.periods.count(),
        tuple(case.periods.values_list("resolve_due", flat=True).order_by("id")),
    )


@pytest.mark.slow
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(FROM))
def test_transition_table_for_every_role(cast, api, action, state, level):
    shared = fresh(cast, state, level)
    before = snapshot(shared)
    for who in CAST:
        user = getattr(cast, who)
        is_legal = legal(action, state, level)
        ok = is_legal and who not in OUT_OF_SCOPE and allowed(action, state, who, level)
        case = fresh(cast, state, level) if ok else shared
        events_before = CaseEvent.objects.filter(case=case).count()
        data = body(action, state, level, cast)
        if action == "extend":
            data = extend_body(case, data)
        response = api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")
        if who in OUT_OF_SCOPE:
            expected = 404
        elif not is_legal:
            expected = 409
        elif not ok:
            expected = 403
        else:
            expected = 200
        assert response.status_code == expected, (who, response.content)
        if expected == 409:
            assert (response.json()["status"], response.json()["level"]) == (state, level)
        if ok:
            case.refresh_from_db()
            assert CaseEvent.objects.filter(case=case).count() == events_before + 1
            event = CaseEvent.objects.filter(case=case).latest("id")
            assert event.kind == action and event.actor_id == user.id
            assert (event.from_status, event.from_level) == (state, level)
            if action == "escalate":
                to_level = "county" if who == "county_officer" else NEXT[level]
                assert (case.status, case.level, case.peak_level) == ("pending", to_level, to_level)
            elif action == "delegate":
                target = getattr(cast.areas, DELEGATE_TO[level])
                assert (case.status, case.level, case.holder_id) == (
                    "pending",
                    target.level,
                    target.id,
                )
                assert case.peak_level == level
            elif action == "extend":
                assert (case.status, case.level) == (state, level)
            else:
                assert (case.status, case.level) == (AFTER[action], level)
        else:
            # Refused: nothing changed, no event.
            assert snapshot(shared) == before


@pytest.fixture
def town_case(cast):
    """A case pending at town A (two parties in different villages of town A)."""
    return report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        parties=[
            party("张三", "applicant", 11, area=cast.areas.village_a1),
            party("王五", "respondent", 12, area=cast.areas.village_a2),
        ],
    )


@pytest.mark.parametrize(
    "who,expected",
    [
        ("town_officer_a", 200),
        ("town_mediator_a", 403),  # claiming is for village mediators only
        ("village_officer_a", 403),  # a lower level may not act on a town case
        ("village_mediator_a", 403),
        ("county_officer", 403),  # above: may pull it up, not assign it
        ("county_viewer", 403),
        ("grid_worker_a", 403),
        ("town_officer_b", 404),
    ],
)
def test_assign_at_town_only_by_the_town_officer(cast, api, town_case, who, expected):
    assert town_case.level == "town"
    response = api(getattr(cast, who)).post(
        f"/api/v1/cases/{town_case.id}/assign/",
        {"assignee": cast.town_mediator_a.id},
        format="json",
    )
    assert response.status_code == expected, response.content


@pytest.mark.parametrize(
    "who,expected",
    [
        ("town_officer_a", 200),
        ("county_officer", 200),
        ("village_officer_a", 403),
        ("town_mediator_a", 403),
        ("county_viewer", 403),
        ("town_officer_b", 404),
    ],
)
def test_escalate_town_case_to_county(cast, api, town_case, who, expected):
    response = api(getattr(cast, who)).post(
        f"/api/v1/cases/{town_case.id}/escalate/", {"reason": "镇级调解不成"}, format="json"
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["level"] == "county"
        assert response.json()["holder"]["id"] == cast.areas.county.id


@pytest.mark.parametrize(
    "who,expected",
    [
        ("town_officer_a", 200),
        ("town_mediator_a", 403),
        ("village_officer_a", 403),
        ("county_officer", 403),
        ("town_officer_b", 404),
    ],
)
def test_delegate_town_case_to_village(cast, api, town_case, who, expected):
    response = api(getattr(cast, who)).post(
        f"/api/v1/cases/{town_case.id}/delegate/",
        {"area": cast.areas.village_a1.id, "note": "请村调委会先行调解"},
        format="json",
    )
    assert response.status_code == expected, response.content
    if expected == 200:
        data = response.json()
        assert (data["status"], data["level"], data["peak_level"]) == ("pending", "village", "town")


def test_county_case_cannot_escalate_further(cast, api, town_case):
    services.case_escalate(actor=cast.town_officer_a, case_id=town_case.id, reason="提级")
    response = api(cast.county_officer).post(
        f"/api/v1/cases/{town_case.id}/escalate/", {"reason": "再上报"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["level"] == "county"


def test_close_after_resolution_needs_a_follow_up(cast, api, village_case):
    drive(village_case, to="resolved")
    response = api(cast.village_mediator_a).post(
        f"/api/v1/cases/{village_case.id}/close/", {"outcome": "agreement"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "follow_up_required"
    follow_up(village_case, cast.village_mediator_a)
    response = api(cast.village_mediator_a).post(
        f"/api/v1/cases/{village_case.id}/close/", {"outcome": "agreement"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "agreement"


def test_open_case_cannot_close_with_agreement_outcome(cast, api, village_case):
    drive(village_case, to="in_progress")
    response = api(cast.village_officer_a).post(
        f"/api/v1/cases/{village_case.id}/close/",
        {"outcome": "agreement", "note": "x"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["status"] == "in_progress"
