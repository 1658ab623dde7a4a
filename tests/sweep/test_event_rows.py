"""A batch's reminder and supervision events are written as rows (`events.event_row`), without
a model: the same columns as the model `new_event` builds; an event that tells people (an
escalation) cannot be written that way."""

import pytest

from cases.choices import EventKind
from cases.events import case_events, event_row, new_event
from cases.models import CaseEvent

from .conftest import MONDAY, report

COLUMNS = ("case_id", "kind", "actor_id", "from_status", "to_status", "from_level", "to_level")


def test_a_row_writes_what_the_model_would(cast):
    case = report(cast)
    before = set(CaseEvent.objects.values_list("pk", flat=True))
    fields = {
        "case": case,
        "kind": EventKind.REMIND,
        "at": MONDAY,
        "note": "分派超期提醒",
        "data": {"deadline": "assign", "notified": [1, 2]},
    }
    written = case_events([new_event(actor=None, **fields), event_row(**fields)])
    assert len(written) == 1  # only the model comes back
    model, row = CaseEvent.objects.exclude(pk__in=before).order_by("id")
    assert model.pk == written[0].pk
    for name in (*COLUMNS, "note", "data", "created_at"):
        assert getattr(row, name) == getattr(model, name), name
    assert row.data["system"] is True


def test_an_event_that_tells_people_is_not_a_row(cast):
    case = report(cast)
    with pytest.raises(ValueError, match="new_event"):
        event_row(case=case, kind=EventKind.ESCALATE, at=MONDAY)
