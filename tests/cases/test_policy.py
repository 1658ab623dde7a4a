"""The case policy is the one way in: every service that changes a case asks
`CasePolicy.require` (read from the source), and an actor who may see a case but not act on it
is refused by each of them (NotAllowed), after the transition table (Conflict)."""

import ast
import inspect
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from cases import policy
from cases import services as case_services
from cases.models import Case
from cases.policy import CasePolicy, access_case
from config.errors import Conflict, NotAllowed
from mediation import services as record_services

from ..mediation.helpers import make_case

pytestmark = pytest.mark.django_db

SERVICE_MODULES = [case_services, record_services]


def _is_atomic(node) -> bool:
    return any(ast.unparse(d) == "transaction.atomic" for d in node.decorator_list)


def _calls(node) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            func = call.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(f".{func.attr}")
    return names


def _services(module):
    """(public atomic functions, every module-level function) of a services module."""
    tree = ast.parse(inspect.getsource(module))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    public = {
        name: node
        for name, node in functions.items()
        if not name.startswith("_") and _is_atomic(node)
    }
    return public, functions


def _reaches_require(name, functions, seen=()) -> bool:
    calls = _calls(functions[name])
    if ".require" in calls:
        return True
    return any(
        _reaches_require(callee, functions, (*seen, name))
        for callee in calls
        if callee in functions and callee not in seen
    )


@pytest.mark.parametrize("module", SERVICE_MODULES, ids=lambda m: m.__name__)
def test_every_case_service_asks_the_policy_or_is_documented_as_acting_on_no_case(module):
    public, functions = _services(module)
    assert public, "the services are found"
    documented = module.NOT_CASE_ACTIONS
    assert documented <= set(public), "the documented list names real services"
    unchecked = [
        name for name in public if name not in documented and not _reaches_require(name, functions)
    ]
    assert not unchecked, f"services that change a case without CasePolicy.require: {unchecked}"
    for name in documented:
        assert not _reaches_require(name, functions), f"{name} is checked: drop it from the list"


def _upload():
    return SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")


def _refusals(cast):
    """(service, the case status it needs, its arguments but actor and case_id)."""
    soon = timezone.now() + timedelta(days=2)
    today = timezone.localdate()
    return {
        "case_assign": ("pending", {"assignee": cast.village_mediator_a}),
        "case_respond": ("assigned", {}),
        "case_delegate": ("pending", {"area": cast.areas.village_a1}),
        "case_escalate": ("in_progress", {"reason": "上报"}),
        "case_extend": ("in_progress", {"until": today, "consent_note": "同意"}),
        "case_resolve": ("in_progress", {"agreement": {"form": "oral", "terms": "道歉"}}),
        "case_reopen": ("resolved", {"reason": "未履行"}),
        "case_close": ("in_progress", {"outcome": "failed", "note": "调解不成"}),
        "case_reveal": ("in_progress", {"party_id": 0, "field": "phone"}),
        "case_attach": ("in_progress", {"file": _upload()}),
        "session_record": (
            "in_progress",
            {"held_at": timezone.now(), "place": "调解室", "minutes": "笔录"},
        ),
        "consultation_ask": (
            "in_progress",
            {
                "consultant_kind": "lawyer",
                "consultant_name": "王律师",
                "question": "如何认定？",
                "due_at": soon,
            },
        ),
        "consultation_answer": ("in_progress", {"answer": "意见"}),
        "agreement_save": ("in_progress", {"form": "oral", "terms": "道歉"}),
        "agreement_sign": ("resolved", {"sealed_on": today}),
        "confirmation_apply": ("resolved", {"court": "宜君县人民法院", "applied_on": today}),
        "confirmation_result": ("resolved", {"result": "confirmed", "result_on": today}),
        "confirmation_decline": ("resolved", {}),
        "follow_up_record": (
            "resolved",
            {
                "method": "visit",
                "performed": True,
                "satisfaction": "satisfied",
                "performed_on": today,
            },
        ),
        "agreement_route": ("resolved", {"route": "court"}),
        "agreement_print": ("in_progress", {"copy": "parties"}),
        "document_record": ("in_progress", {"kind": "rights_notice"}),
        "reward_claim": ("resolved", {"difficulty": "simple"}),
    }


def test_each_case_service_refuses_a_user_who_may_see_the_case_but_not_act(cast):
    """The county viewer sees every case of the county and may change none of them."""
    refusals = _refusals(cast)
    services = {
        name: getattr(module, name)
        for module in SERVICE_MODULES
        for name in _services(module)[0]
        if name not in module.NOT_CASE_ACTIONS
    }
    assert set(services) == set(refusals), "every case service is tried"
    viewer = cast.county_viewer
    for name, (status, arguments) in refusals.items():
        # A red-risk case starts at the town, where it may be handed down.
        risk = "red" if name == "case_delegate" else "green"
        case = make_case(cast, status=status, risk=risk)
        arguments = dict(arguments)
        if name == "case_reveal":
            arguments["party_id"] = case.parties.first().pk
        if name == "consultation_answer":
            asked = record_services.consultation_ask(
                actor=cast.village_mediator_a,
                case_id=case.pk,
                consultant_kind="lawyer",
                consultant_name="王律师",
                question="如何认定？",
                due_at=timezone.now() + timedelta(days=2),
            )
            arguments["consultation_id"] = asked.pk
        before = case.events.count()
        with pytest.raises(NotAllowed):
            services[name](actor=viewer, case_id=case.pk, **arguments)
        assert case.events.count() == before, name


def test_the_status_is_checked_before_the_role(cast):
    """A closed case answers 409 to anyone, even to a user who could never act on it."""
    case = make_case(cast, status="closed")
    for actor in (cast.county_viewer, cast.village_mediator_a):
        with pytest.raises(Conflict) as error:
            record_services.session_record(
                actor=actor, case_id=case.pk, held_at=timezone.now(), place="室", minutes="笔录"
            )
        assert error.value.extra == {"status": "closed", "level": "village"}


def test_out_of_scope_and_missing_cases_are_the_same_404(cast):
    case = make_case(cast)
    missing = Case.objects.order_by("-pk").first().pk + 1000
    for case_id in (case.pk, missing):
        with pytest.raises(Http404) as error:
            access_case(cast.village_mediator_b, case_id)
        assert str(error.value) == "案件不存在。"
    assert access_case(None, case.pk) == case, "the system sees every case"


def test_the_system_skips_the_role_rules_not_the_transition_table(cast):
    pending = make_case(cast, status="pending")
    CasePolicy(None, pending).require("escalate")
    with pytest.raises(Conflict):
        CasePolicy(None, pending).require("resolve")


def test_allowed_actions_of_the_village_people_on_a_pending_and_a_working_case(cast):
    pending = make_case(cast, status="pending")
    # Until they claim it, the village mediator is no handler of the case.
    assert CasePolicy(cast.village_mediator_a, pending).allowed_actions() == {"claim"}
    officer = CasePolicy(cast.village_officer_a, pending).allowed_actions()
    assert {"assign", "escalate", "reveal", "session"} <= officer and "claim" not in officer
    assert "pull_up" in CasePolicy(cast.town_officer_a, pending).allowed_actions()
    working = make_case(cast)
    mediator = CasePolicy(cast.village_mediator_a, working).allowed_actions()
    assert {"resolve", "extend", "escalate", "session", "agreement"} <= mediator
    assert not {"assign", "claim", "delegate", "reopen"} & mediator
    assert CasePolicy(cast.grid_worker_a, working).allowed_actions() == {"attach"}
    assert CasePolicy(cast.county_viewer, working).allowed_actions() == set()
    assert set(policy.TRANSITIONS) == set(policy.ACTIONS)
