"""A property-based test: random sequences of actions by random members of the cast (and the
system) never take a case outside the transition table, and peak_level ≥ level always."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from cases import services
from cases.choices import LEVEL_RANK, Level
from cases.models import Case, CaseEvent, HandlingPeriod
from config.errors import Conflict, InvalidInput, NotAllowed
from tests.builders import ORAL, follow_up, report

# (action, from status) → to status; escalate/delegate also change the level.
TABLE = {
    ("assign", "pending"): "assigned",
    ("respond", "assigned"): "in_progress",
    ("escalate", "pending"): "pending",
    ("escalate", "assigned"): "pending",
    ("escalate", "in_progress"): "pending",
    ("delegate", "pending"): "pending",
    ("resolve", "in_progress"): "resolved",
    ("extend", "assigned"): "assigned",
    ("extend", "in_progress"): "in_progress",
    ("reopen", "resolved"): "in_progress",
    ("close", "pending"): "closed",
    ("close", "assigned"): "closed",
    ("close", "in_progress"): "closed",
    ("close", "resolved"): "closed",
}
ACTORS = [
    "village_officer_a",
    "village_mediator_a",
    "town_officer_a",
    "town_mediator_a",
    "county_officer",
    "county_mediator",
    "county_viewer",
    "grid_worker_a",
    "town_officer_b",
]
ASSIGNEES = ["village_mediator_a", "town_mediator_a", "county_mediator", "village_officer_a"]
OUTCOMES = ["agreement", "failed", "withdrawn", "rejected", "referred"]


def make_machine(cast):
    class CaseMachine(RuleBasedStateMachine):
        @initialize(
            origin=st.sampled_from(["grid_a1", "village_a1"]),
            risk=st.sampled_from(["green", "red"]),
        )
        def intake(self, origin, risk):
            self.case = report(cast.town_officer_a, getattr(cast.areas, origin), risk=risk)
            self.events = CaseEvent.objects.filter(case=self.case).count()

        def _state(self):
            case = Case.objects.get(pk=self.case.pk)
            return case.status, case.level, case.peak_level, case.assignee_id

        def _act(self, action, actor_name, call):
            before = self._state()
            try:
                call(getattr(cast, actor_name) if actor_name else None)
            except (Conflict, NotAllowed, InvalidInput, Http404) as exc:
                assert self._state() == before, (action, exc)
                assert CaseEvent.objects.filter(case=self.case).count() == self.events
                if isinstance(exc, Conflict):
                    assert exc.extra["status"] == before[0]
                if isinstance(exc, Http404):
                    user = getattr(cast, actor_name)
                    assert not Case.objects.visible_to(user).filter(pk=self.case.pk).exists()
                if isinstance(exc, NotAllowed | InvalidInput):
                    # Refusals other than 409 only happen for legal transitions.
                    assert (action, before[0]) in TABLE, (action, before, exc)
                return
            after = self._state()
            assert (action, before[0]) in TABLE, (action, before, after)
            assert after[0] == TABLE[(action, before[0])]
            if action == "escalate":
                assert LEVEL_RANK[Level(after[1])] > LEVEL_RANK[Level(before[1])]
            elif action == "delegate":
                assert LEVEL_RANK[Level(after[1])] < LEVEL_RANK[Level(before[1])]
            else:
                assert after[1] == before[1]
            self.events += 1
            assert CaseEvent.objects.filter(case=self.case).count() == self.events
            event = CaseEvent.objects.filter(case=self.case).latest("id")
            assert (event.kind, event.from_status, event.to_status) == (action, before[0], after[0])

        @rule(actor=st.sampled_from(ACTORS), assignee=st.sampled_from(ASSIGNEES))
        def assign(self, actor, assignee):
            self._act(
                "assign",
                actor,
                lambda user: services.case_assign(
                    actor=user, case_id=self.case.id, assignee=getattr(cast, assignee)
                ),
            )

        @rule(actor=st.sampled_from(ACTORS))
        def respond(self, actor):
            self._act(
                "respond", actor, lambda u: services.case_respond(actor=u, case_id=self.case.id)
            )

        @rule(actor=st.sampled_from([*ACTORS, None]))
        def escalate(self, actor):
            self._act(
                "escalate",
                actor,
                lambda u: services.case_escalate(actor=u, case_id=self.case.id, reason="上报"),
            )

        @rule(
            actor=st.sampled_from(ACTORS),
            area=st.sampled_from(["village_a1", "village_a2", "town_a", "village_b1"]),
        )
        def delegate(self, actor, area):
            self._act(
                "delegate",
                actor,
                lambda u: services.case_delegate(
                    actor=u, case_id=self.case.id, area=getattr(cast.areas, area)
                ),
            )

        @rule(actor=st.sampled_from(ACTORS))
        def resolve(self, actor):
            self._act(
                "resolve",
                actor,
                lambda u: services.case_resolve(actor=u, case_id=self.case.id, agreement=ORAL),
            )

        @rule(actor=st.sampled_from(ACTORS), days=st.integers(min_value=1, max_value=200))
        def extend(self, actor, days):
            until = timezone.localdate() + timedelta(days=days)
            self._act(
                "extend",
                actor,
                lambda u: services.case_extend(
                    actor=u,
                    case_id=self.case.id,
                    until=until,
                    parties=list(self.case.parties.values_list("pk", flat=True)),
                    agreed_on=timezone.localdate(),
                    consent_note="双方同意",
                ),
            )

        @rule(actor=st.sampled_from(ACTORS))
        def reopen(self, actor):
            self._act(
                "reopen",
                actor,
                lambda u: services.case_reopen(actor=u, case_id=self.case.id, reason="未履行"),
            )

        @rule(actor=st.sampled_from(ACTORS), outcome=st.sampled_from(OUTCOMES))
        def close(self, actor, outcome):
            self._act(
                "close",
                actor,
                lambda u: services.case_close(
                    actor=u, case_id=self.case.id, outcome=outcome, note="结案"
                ),
            )

        @rule()
        def record_follow_up(self):
            follow_up(self.case, cast.village_mediator_a)

        @invariant()
        def inside_the_table(self):
            if not hasattr(self, "case"):
                return
            case = Case.objects.select_related("holder").get(pk=self.case.pk)
            assert LEVEL_RANK[Level(case.peak_level)] >= LEVEL_RANK[Level(case.level)]
            assert case.holder.level == case.level
            assert case.origin.is_under(case.holder)
            open_periods = list(HandlingPeriod.objects.filter(case=case, ended_at__isnull=True))
            if case.status in ("pending", "assigned", "in_progress"):
                assert len(open_periods) == 1
                period = open_periods[0]
                assert (period.level, period.area_id) == (case.level, case.holder_id)
                assert period.next_deadline is not None
                assert (case.assignee_id is None) == (case.status == "pending")
            else:
                assert open_periods == []
            if case.status == "closed":
                assert case.outcome and case.closed_at is not None
            else:
                assert case.outcome == ""
            if case.status == "resolved":
                assert case.resolved_at is not None

    return CaseMachine


@pytest.mark.slow
@pytest.mark.django_db
def test_random_action_sequences_stay_inside_the_transition_table(cast):
    run_state_machine_as_test(
        make_machine(cast),
        settings=settings(
            max_examples=15,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
