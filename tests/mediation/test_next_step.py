"""The one next step of a case, computed in one function from an ordered list of rules."""

import pytest

from mediation import next_step as steps
from tests.builders import record_follow_up, resolve_written, sign_and_seal

from .helpers import make_case

pytestmark = pytest.mark.django_db


def test_each_stage_of_a_written_agreement_has_one_next_step(cast):
    case = make_case(cast)
    assert steps.next_step(case).action == "session"
    resolve_written(case, cast.village_mediator_a)
    case.refresh_from_db()
    assert steps.next_step(case).text == "待双方签字"
    sign_and_seal(case, cast.village_mediator_a)
    step = steps.next_step(case)
    assert (step.label, step.action, step.when) == ("回访", "follow_up", "起")
    record_follow_up(case, cast.village_mediator_a)
    assert steps.next_step(case).action == "close"


def test_a_gate_of_the_law_can_put_its_step_first(cast):
    case = make_case(cast)

    def consent(ctx):
        return steps.NextStep("待当事人同意调解", "consent")

    steps.register(consent, first=True)
    try:
        assert steps.next_step(case).label == "待当事人同意调解"
    finally:
        steps.RULES.remove(consent)
    assert steps.next_step(case).action == "session"
