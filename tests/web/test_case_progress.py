"""The reporter's progress tracker on the case page."""

from cases import services
from cases.progress import case_progress
from cases.selectors import case_events
from tests.builders import ORAL, follow_up, identity_papers, record_session, report


def _states(case):
    return [(s.label, s.state) for s in case_progress(case, list(case_events(case)))]


def test_the_reporter_follows_their_case_to_the_close(client, cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    assert _states(case) == [
        ("已登记", "done"),
        ("已分派", "current"),
        ("调解中", "todo"),
        ("调解成功", "todo"),
        ("已结案", "todo"),
    ]
    services.case_escalate(actor=cast.town_officer_a, case_id=case.id, reason="提级")
    services.case_assign(actor=cast.town_officer_a, case_id=case.id, assignee=cast.town_mediator_a)
    case.refresh_from_db()
    client.force_login(cast.grid_worker_a)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-progress"' in html and "承办人：town_mediator_a" in html
    assert [s for _, s in _states(case)] == ["done", "done", "current", "todo", "todo"]

    services.case_respond(actor=cast.town_mediator_a, case_id=case.id)
    record_session(case, cast.town_mediator_a)  # art. 27: no resolution without a session
    identity_papers(case, cast.town_mediator_a)
    services.case_resolve(actor=cast.town_mediator_a, case_id=case.id, agreement=ORAL)
    case.refresh_from_db()
    assert [s for _, s in _states(case)] == ["done", "done", "done", "done", "current"]
    follow_up(case, cast.town_mediator_a)
    services.case_close(actor=cast.town_mediator_a, case_id=case.id, outcome="agreement")
    case.refresh_from_db()
    assert all(s == "done" for _, s in _states(case))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "达成协议" in html

    # The officer handling it sees the timeline, not the reporter's tracker.
    client.force_login(cast.town_officer_a)
    assert 'data-testid="case-progress"' not in client.get(f"/cases/{case.pk}/").content.decode()


def test_a_case_closed_without_agreement_skips_the_resolution(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    services.case_respond(actor=cast.village_mediator_a, case_id=case.id)
    services.case_close(
        actor=cast.village_mediator_a, case_id=case.id, outcome="withdrawn", note="申请人撤回"
    )
    case.refresh_from_db()
    steps = case_progress(case, list(case_events(case)))
    assert [s.label for s in steps] == ["已登记", "已分派", "调解中", "已结案"]
    assert all(s.state == "done" for s in steps) and steps[-1].note == "撤回"
