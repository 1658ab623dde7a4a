"""The case page's buttons are the case policy's answer, and its escalate form carries the
level it showed, so a second submission after the case has moved changes nothing."""

from accounts.models import User
from cases.policy import CasePolicy
from mediation.views import PAGE_ACTIONS, page_actions
from tests.builders import report


def test_the_page_offers_what_the_policy_allows(client, cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    for user in (cast.village_mediator_a, cast.village_officer_a, cast.town_officer_a):
        offered = page_actions(user, case)
        assert offered <= CasePolicy(user, case).allowed_actions() & PAGE_ACTIONS
        client.force_login(user)
        html = client.get(f"/cases/{case.pk}/").content.decode()
        for action in PAGE_ACTIONS - {"answer", "reveal"}:
            assert (f'data-testid="do-{action}"' in html) == (action in offered), (user, action)
    assert page_actions(cast.town_officer_a, case) == {"pull_up"}


def test_a_second_escalation_from_a_stale_page_is_refused(client, cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    root = User.objects.create_superuser("root", password="x-pass-2026-long")
    client.force_login(root)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'name="from_level" value="village"' in html
    body = {"reason": "分歧大", "from_level": "village"}
    assert client.post(f"/cases/{case.pk}/do/escalate/", body).status_code == 302
    response = client.post(f"/cases/{case.pk}/do/escalate/", body, follow=True)
    assert "请刷新后重试" in response.content.decode()
    case.refresh_from_db()
    assert (case.level, case.status) == ("town", "pending")
    assert case.events.filter(kind="escalate").count() == 1
