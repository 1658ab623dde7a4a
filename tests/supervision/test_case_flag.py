"""`Case.supervised` follows the 督办: true while one is open, false once answered, unless the
sweep supervised the case's county period (its resolve deadline passed at county level), which
an answered 督办 does not undo."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case
from cases.sweep import sweep_run
from config.errors import NotAllowed
from supervision import services
from supervision.models import Supervision
from tests.factories import RoleFactory, UserFactory

from .conftest import village_case

pytestmark = pytest.mark.django_db


def test_the_flag_follows_the_open_supervisions_of_the_case(cast):
    case = village_case(cast)
    due = timezone.now() + timedelta(days=2)
    first = services.supervision_open(
        actor=cast.town_officer_a, case_id=case.pk, reason="一", due_at=due
    )
    second = services.supervision_open(
        actor=cast.county_officer, case_id=case.pk, reason="二", due_at=due
    )
    services.supervision_feedback(actor=cast.village_mediator_a, supervision_id=first.pk, text="好")
    assert Case.objects.get(pk=case.pk).supervised is True  # the second is still open
    services.supervision_feedback(
        actor=cast.village_mediator_a, supervision_id=second.pk, text="好"
    )
    assert Case.objects.get(pk=case.pk).supervised is False


def test_an_answered_supervision_leaves_the_sweeps_county_supervision_in_place(cast):
    city_officer = UserFactory(username="city_officer")
    RoleFactory(user=city_officer, kind="officer", area=cast.areas.city)
    case = village_case(cast)
    past = timezone.now() - timedelta(days=80)
    Case.objects.filter(pk=case.pk).update(reported_at=past)
    case_services.case_escalate(actor=cast.county_officer, case_id=case.pk, reason="重大")
    case_services.case_assign(
        actor=cast.county_officer, case_id=case.pk, assignee=cast.county_mediator
    )
    case_services.case_respond(actor=cast.county_mediator, case_id=case.pk)
    period = case.periods.get(ended_at__isnull=True)
    assert sweep_run(now=period.resolve_due + timedelta(seconds=1)).supervised == 1
    supervision = services.supervision_open(
        actor=city_officer,
        case_id=case.pk,
        reason="市级督办",
        due_at=period.resolve_due + timedelta(days=2),
        now=period.resolve_due + timedelta(days=1),
    )
    assert supervision.unit_id == cast.areas.county.pk
    services.supervision_feedback(
        actor=cast.county_officer, supervision_id=supervision.pk, text="已办"
    )
    assert Case.objects.get(pk=case.pk).supervised is True
    # The city office may return the county's answer; the county may not return its own.
    again = period.resolve_due + timedelta(days=3)
    with pytest.raises(NotAllowed):
        services.supervision_return(
            actor=cast.county_officer,
            supervision_id=supervision.pk,
            reason="x",
            due_at=again + timedelta(days=1),
            now=again,
        )
    services.supervision_return(
        actor=city_officer,
        supervision_id=supervision.pk,
        reason="未附证据",
        due_at=again + timedelta(days=1),
        now=again,
    )
    assert Supervision.objects.get(pk=supervision.pk).status == "open"
