"""The lifecycle through the services: handling periods and their next deadline after every
action, officer pull-up, delegation down to a chosen village, the system's escalation."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, HandlingPeriod
from config.errors import Conflict
from mediation.models import Agreement
from tests.builders import ORAL, follow_up, party, record_session, report

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime(*args))


def periods(case):
    return list(HandlingPeriod.objects.filter(case=case).order_by("id"))


def test_next_deadline_follows_every_action(cast):
    start = local(2026, 9, 28, 9, 0)  # a Monday
    case = report(cast.grid_worker_a, cast.areas.grid_a1, at=start)
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    (period,) = periods(case)
    assert (period.next_deadline, period.next_deadline_kind) == (local(2026, 9, 29, 9), "assign")

    services.case_assign(
        actor=officer, case_id=case.id, assignee=mediator, at=local(2026, 9, 28, 11)
    )
    period.refresh_from_db()
    assert period.assigned_at == local(2026, 9, 28, 11)
    assert (period.next_deadline, period.next_deadline_kind) == (local(2026, 9, 30, 9), "respond")

    services.case_respond(actor=mediator, case_id=case.id, at=local(2026, 9, 29, 8))
    period.refresh_from_db()
    assert period.responded_at == local(2026, 9, 29, 8)
    # 15 working days from Monday Sep 28: Sep 29, 30, Oct 8, 9, 10 (Saturday), 12–16, 19–23.
    assert (period.next_deadline, period.next_deadline_kind) == (local(2026, 10, 23, 9), "resolve")
    assert period.resolve_due == local(2026, 10, 23, 9)

    services.case_extend(
        actor=mediator,
        case_id=case.id,
        until=date(2026, 11, 20),
        parties=list(case.parties.values_list("pk", flat=True)),
        agreed_on=date(2026, 10, 20),
        consent_note="张三、李四于10月20日签字同意延期至11月20日",
        at=local(2026, 10, 20, 10),
    )
    period.refresh_from_db()
    assert period.resolve_due == local(2026, 11, 20, 9)
    assert period.next_deadline == local(2026, 11, 20, 9)
    extend = CaseEvent.objects.get(case=case, kind="extend")
    assert "同意" in extend.note and extend.data["until"].startswith("2026-11-20")
    assert extend.data["agreed_on"] == "2026-10-20" and len(extend.data["parties"]) == 2
    record_session(case, mediator, at=local(2026, 11, 2, 14))

    services.case_resolve(
        actor=mediator, case_id=case.id, agreement=ORAL, at=local(2026, 11, 2, 15)
    )
    period.refresh_from_db()
    assert (period.ended_at, period.end_reason) == (local(2026, 11, 2, 15), "resolved")
    assert (period.next_deadline, period.next_deadline_kind) == (None, "")
    case.refresh_from_db()
    assert case.resolved_at == case.concluded_at == local(2026, 11, 2, 15)
    assert Agreement.objects.get(case=case).form == "oral"

    services.case_reopen(
        actor=mediator, case_id=case.id, reason="李四未按期退让", at=local(2026, 11, 9, 9)
    )
    first, second = periods(case)
    assert second.entered_by == "reopen" and second.ended_at is None
    assert second.assigned_at == second.responded_at == local(2026, 11, 9, 9)
    assert second.next_deadline_kind == "resolve"
    case.refresh_from_db()
    assert (case.status, case.resolved_at, case.concluded_at) == ("in_progress", None, None)

    services.case_resolve(actor=mediator, case_id=case.id, agreement=ORAL)
    follow_up(case, mediator)
    services.case_close(actor=mediator, case_id=case.id, outcome="agreement")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "agreement")
    assert not HandlingPeriod.objects.filter(case=case, ended_at__isnull=True).exists()
    kinds = list(
        CaseEvent.objects.filter(case=case).exclude(kind="record").values_list("kind", flat=True)
    )
    assert kinds == [
        "report",
        "assign",
        "respond",
        "extend",
        "resolve",
        "reopen",
        "resolve",
        "close",
    ]


def test_escalation_from_village_lands_pending_at_town(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    services.case_escalate(actor=cast.village_mediator_a, case_id=case.id, reason="调解不成")
    case.refresh_from_db()
    assert (case.status, case.level, case.peak_level) == ("pending", "town", "town")
    assert (case.holder, case.assignee) == (cast.areas.town_a, None)
    village, town = periods(case)
    assert (village.end_reason, village.next_deadline) == ("escalated", None)
    assert (town.level, town.area, town.entered_by) == ("town", cast.areas.town_a, "escalate")
    assert town.next_deadline_kind == "assign"
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.from_level, event.to_level, event.note) == ("village", "town", "调解不成")


def test_officer_pulls_a_village_case_up_to_town(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_escalate(actor=cast.town_officer_a, case_id=case.id, reason="涉及多户，镇里接手")
    case.refresh_from_db()
    assert (case.level, case.status, case.holder) == ("town", "pending", cast.areas.town_a)
    services.case_assign(
        actor=cast.town_officer_a, case_id=case.id, assignee=cast.town_officer_a
    )  # the officer takes it themselves
    case.refresh_from_db()
    assert case.assignee == cast.town_officer_a


def test_county_officer_pulls_a_village_case_straight_to_county(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_escalate(actor=cast.county_officer, case_id=case.id, reason="督办提级")
    case.refresh_from_db()
    assert (case.level, case.peak_level, case.holder) == ("county", "county", cast.areas.county)


def test_delegate_from_county_down_to_a_chosen_village(cast):
    case = report(
        cast.town_officer_a,
        cast.areas.village_a2,
        parties=[
            party("张三", "applicant", 81, area=cast.areas.village_a2),
            party("钱八", "respondent", 82, area=cast.areas.village_b1),
        ],
    )
    assert case.level == "county"
    services.case_delegate(
        actor=cast.county_officer,
        case_id=case.id,
        area=cast.areas.village_a2,
        note="交由后村调委会调解",
    )
    case.refresh_from_db()
    assert (case.status, case.level, case.peak_level) == ("pending", "village", "county")
    assert case.holder == cast.areas.village_a2
    county, village = periods(case)
    assert (county.end_reason, village.entered_by, village.area) == (
        "delegated",
        "delegate",
        cast.areas.village_a2,
    )
    # The village's own mediator now handles it.
    services.case_assign(
        actor=cast.village_mediator_a2, case_id=case.id, assignee=cast.village_mediator_a2
    )
    case.refresh_from_db()
    assert case.status == "assigned"


def test_delegate_only_onto_the_origins_own_chain(cast):
    from config.errors import InvalidInput

    case = report(cast.grid_worker_a, cast.areas.grid_a1, risk="red")
    assert case.level == "town"
    with pytest.raises(InvalidInput) as error:
        services.case_delegate(
            actor=cast.town_officer_a, case_id=case.id, area=cast.areas.village_a2
        )
    assert "area" in error.value.fields
    with pytest.raises(InvalidInput):
        services.case_delegate(actor=cast.town_officer_a, case_id=case.id, area=cast.areas.town_a)


def test_system_escalation_skips_permission_but_not_the_table(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_escalate(actor=None, case_id=case.id, reason="村级办理超期，自动上报")
    case.refresh_from_db()
    assert case.level == "town"
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert event.actor is None and event.data["system"] is True
    services.case_escalate(actor=None, case_id=case.id, reason="镇级办理超期")
    with pytest.raises(Conflict) as error:
        services.case_escalate(actor=None, case_id=case.id, reason="again")
    assert error.value.extra == {"status": "pending", "level": "county"}
    services.case_close(
        actor=cast.county_officer, case_id=case.id, outcome="referred", note="转诉讼"
    )
    with pytest.raises(Conflict):
        services.case_escalate(actor=None, case_id=case.id, reason="closed")


def test_written_agreement_is_recorded_on_resolve(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    services.case_assign(actor=officer, case_id=case.id, assignee=mediator)
    services.case_respond(actor=mediator, case_id=case.id)
    record_session(case, mediator)
    perform_by = timezone.localdate() + timedelta(days=30)
    services.case_resolve(
        actor=mediator,
        case_id=case.id,
        agreement={
            "form": "written",
            "terms": "李四赔偿张三2000元",
            "perform_by": perform_by,
            "facts": "李四修房占用张三宅基地",
            "responsibilities": "李四负主要责任",
            "performance_method": "现金一次付清",
        },
    )
    agreement = Agreement.objects.get(case=case)
    assert (agreement.form, agreement.perform_by) == ("written", perform_by)
    case.refresh_from_db()
    assert case.status == "resolved"


def test_close_without_agreement_ends_the_period(cast):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    services.case_close(
        actor=cast.village_officer_a, case_id=case.id, outcome="withdrawn", note="申请人撤回"
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.outcome_note) == ("closed", "withdrawn", "申请人撤回")
    assert case.concluded_at == case.closed_at
    (period,) = periods(case)
    assert (period.end_reason, period.next_deadline) == ("closed", None)
