"""The sweep with nothing due (issue #18): each of its looks is one probe of a partial index
that holds only what is still to act on, so its cost does not follow the size of the database.
The rows already acted on (reminded, or a supervised period parked on its resolve deadline)
leave the index, not only the look's result."""

import pytest
from django.utils import timezone

from cases.sweep import _due_periods, deadline_sources
from tests.plans import leave_only

# The partial index each look reads (the periods, then each registered every-minute source).
LOOK_INDEXES = {
    "periods": "cursor_to_act",
    "cases.referral": "referral_to_remind",
    "cases.police_report": "police_report_to_remind",
    "mediation.judicial_confirmation": "confirmation_to_remind",
    "mediation.consultation": "consultation_to_remind",
    "supervision.feedback": "supervision_to_remind",
}


@pytest.mark.django_db
def test_each_look_of_the_sweep_reads_its_partial_index(on_postgres):
    now = timezone.now()
    looks = {"periods": _due_periods(now)}
    looks.update({source.name: source.due(now) for source in deadline_sources(hourly=False)})
    assert set(looks) == set(LOOK_INDEXES), "a new source: name the partial index its look reads"
    # With a handful of rows the planner would rather scan, or take another index of the table
    # whose cost ties; the point is that the look can be served by its partial index.
    leave_only(*LOOK_INDEXES.values())
    for name, look in looks.items():
        plan = look.explain()
        assert LOOK_INDEXES[name] in plan, (name, plan)
        assert "Seq Scan" not in plan, (name, plan)
