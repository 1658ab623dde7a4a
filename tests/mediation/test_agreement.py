from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from config.errors import InvalidInput
from mediation import agreements, selectors, services
from mediation.models import Agreement, FollowUp, JudicialConfirmation

from .helpers import make_case

pytestmark = pytest.mark.django_db


def record(**values):
    """The agreement rule alone (what `case_resolve` and `agreement_save` call), at now."""
    return agreements.agreement_record(at=timezone.now(), **values)


WRITTEN = {
    "facts": "张三与李四因宅基地东侧界址发生争执。",
    "responsibilities": "李四越界砌墙，负主要责任。",
    "terms": "李四于十日内拆除越界围墙，并赔偿张三损失人民币贰仟元。",
    "performance_method": "当面拆除，赔偿款现金一次付清。",
}


def test_written_agreement_missing_its_performance_terms_is_refused(cast):
    case = make_case(cast)
    details = {k: v for k, v in WRITTEN.items() if k not in {"terms", "performance_method"}}
    with pytest.raises(InvalidInput) as error:
        record(
            case=case,
            actor=cast.village_mediator_a,
            form="written",
            terms=WRITTEN["terms"],
            **details,
        )
    assert set(error.value.fields) == {"performance_method", "perform_by"}
    assert error.value.status_code == 400
    assert not Agreement.objects.filter(case=case).exists()


def test_written_agreement_needs_two_parties_facts_and_responsibilities(cast):
    case = make_case(cast, parties=[("张三", "applicant")])
    with pytest.raises(InvalidInput) as error:
        record(
            case=case,
            actor=cast.village_mediator_a,
            form="written",
            terms="赔偿两千元",
            perform_by=date(2026, 12, 1),
            performance_method="现金",
        )
    assert set(error.value.fields) == {"parties", "facts", "responsibilities"}


def test_oral_agreement_needs_terms_and_is_effective_when_reached(cast):
    case = make_case(cast)
    with pytest.raises(InvalidInput) as error:
        record(case=case, actor=cast.village_mediator_a, form="oral", terms=" ")
    assert set(error.value.fields) == {"terms"}
    agreement = record(
        case=case, actor=cast.village_mediator_a, form="oral", terms="李四当场道歉。"
    )
    assert agreement.effective_on == timezone.localdate()
    assert JudicialConfirmation.objects.filter(agreement=agreement).exists()


def test_written_agreement_takes_effect_when_all_signed_and_sealed(cast):
    case = make_case(cast)
    today = timezone.localdate()
    agreement = record(
        case=case,
        actor=cast.village_mediator_a,
        form="written",
        perform_by=today + timedelta(20),
        **WRITTEN,
    )
    assert agreement.effective_on is None
    assert agreement.mediator == cast.village_mediator_a
    zhang, li = case.parties.order_by("id")
    agreement = services.agreement_sign(
        actor=cast.village_mediator_a,
        case_id=case.pk,
        parties={zhang.id: today},
        mediator_signed_on=today,
        sealed_on=today,
    )
    assert agreement.effective_on is None, "one party has not signed yet"
    assert not JudicialConfirmation.objects.filter(agreement=agreement).exists()
    agreement = services.agreement_sign(
        actor=cast.village_mediator_a, case_id=case.pk, parties={li.id: today}
    )
    assert agreement.effective_on == today
    assert case.events.filter(kind="record").exclude(data__record="consent").count() == 2


def test_confirmation_window_is_thirty_days_from_effect_with_a_reminder_at_day_twenty(cast):
    case = make_case(cast)
    agreement = record(
        case=case, actor=cast.village_mediator_a, form="oral", terms="李四当场道歉。"
    )
    clock = JudicialConfirmation.objects.get(agreement=agreement)
    effective = agreement.effective_on
    tz = timezone.get_current_timezone()
    # The last day to apply is day 30; the clock runs out at the end of it.
    assert clock.due_at == datetime.combine(effective + timedelta(31), time.min, tzinfo=tz)
    assert clock.remind_at == datetime.combine(effective + timedelta(20), time.min, tzinfo=tz)
    assert clock.status == "open"


def test_replacing_the_terms_voids_the_signatures(cast):
    case = make_case(cast)
    today = timezone.localdate()
    agreement = record(
        case=case, actor=cast.village_mediator_a, form="written", perform_by=today, **WRITTEN
    )
    parties = {p.id: today for p in case.parties.all()}
    agreement = services.agreement_sign(
        actor=cast.village_mediator_a,
        case_id=case.pk,
        parties=parties,
        mediator_signed_on=today,
        sealed_on=today,
    )
    assert agreement.effective_on == today
    agreement = record(
        case=case, actor=cast.village_mediator_a, form="written", terms="改为赔偿三千元。"
    )
    assert agreement.facts == WRITTEN["facts"], "omitted fields keep the draft's values"
    assert agreement.effective_on is None
    assert agreement.signatures.count() == 0
    assert not JudicialConfirmation.objects.filter(agreement=agreement).exists()
    assert Agreement.objects.filter(case=case).count() == 1


def test_follow_up_is_due_by_the_performance_date(cast):
    case = make_case(cast)
    assert selectors.follow_up_due(case) is None
    perform_by = timezone.localdate() + timedelta(days=15)
    record(
        case=case, actor=cast.village_mediator_a, form="written", perform_by=perform_by, **WRITTEN
    )
    assert selectors.follow_up_due(case) == perform_by
    assert agreements.has_follow_up(case) is False
    FollowUp.objects.create(
        case=case,
        method="phone",
        performed_on=timezone.localdate(),
        performed=True,
        satisfaction="satisfied",
        recorded_by=cast.village_mediator_a,
    )
    assert agreements.has_follow_up(case) is True


def test_resolving_with_a_drafted_agreement_may_leave_form_and_terms_out(cast):
    case = make_case(cast)
    perform_by = timezone.localdate() + timedelta(days=5)
    draft = record(
        case=case, actor=cast.village_mediator_a, form="written", perform_by=perform_by, **WRITTEN
    )
    again = record(case=case, actor=cast.village_mediator_a, form=None, terms="")
    assert again.pk == draft.pk and again.terms == WRITTEN["terms"] and again.form == "written"
    with pytest.raises(InvalidInput):
        record(case=make_case(cast), actor=cast.village_mediator_a, form=None, terms="")
