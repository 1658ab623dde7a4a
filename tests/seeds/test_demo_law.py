"""The demo data obeys the agreement's rows of the law (DESIGN.md §16, 人民调解法 art. 28–33):
every case closed with its agreement had it signed, sealed and in effect before the close and
followed up, performed, on or after the performance date; every judicial confirmation was
applied for by all the parties. Checked on the demo year (services) and the bulk generator."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.choices import Outcome, Status
from cases.models import Case
from mediation.choices import AgreementForm, ConfirmationStatus
from mediation.models import Agreement, JudicialConfirmation

APPLIED = [ConfirmationStatus.APPLIED, ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED]


def assert_agreement_rows_of_the_law() -> int:
    """Check every case closed with its agreement against §16 (28–30, 31, 33); the number
    of cases checked."""
    closed = (
        Case.objects.filter(status=Status.CLOSED, outcome=Outcome.AGREEMENT)
        .select_related("agreement")
        .prefetch_related("parties", "follow_ups", "agreement__signatures")
    )
    problems = []
    checked = 0
    for case in closed:
        checked += 1
        agreement = case.agreement
        closed_on = timezone.localdate(case.closed_at)
        # Art. 28–30: in effect before the close; a written one signed by all and sealed.
        if agreement.effective_on is None or agreement.effective_on > closed_on:
            problems.append(f"{case.number}: closed {closed_on}, agreement not in effect")
            continue
        if agreement.form == AgreementForm.WRITTEN:
            signed = {s.party_id: s.signed_on for s in agreement.signatures.all()}
            marks = [*signed.values(), agreement.mediator_signed_on, agreement.sealed_on]
            if set(signed) != {p.pk for p in case.parties.all()} or None in marks:
                problems.append(f"{case.number}: written agreement not signed by all or sealed")
            elif max(marks) != agreement.effective_on:
                problems.append(f"{case.number}: effective_on is not the last signature")
        # Art. 31: the last follow-up found it performed, dated after it took effect and at
        # or after the performance date, not after the close.
        follow_ups = sorted(case.follow_ups.all(), key=lambda f: (f.performed_on, f.id))
        if not follow_ups:
            problems.append(f"{case.number}: closed without a follow-up")
            continue
        last = follow_ups[-1]
        if not last.performed:
            problems.append(f"{case.number}: closed after a follow-up found it not performed")
        if last.performed_on < agreement.effective_on or last.performed_on > closed_on:
            problems.append(f"{case.number}: follow-up {last.performed_on} out of order")
        if agreement.perform_by is not None and last.performed_on < agreement.perform_by:
            problems.append(f"{case.number}: follow-up before the performance date")
    # Art. 33: applications are joint, a rejection has its route.
    confirmations = JudicialConfirmation.objects.filter(status__in=APPLIED).select_related("case")
    for confirmation in confirmations.prefetch_related("case__parties"):
        parties = sorted(p.pk for p in confirmation.case.parties.all())
        if sorted(confirmation.applicants) != parties:
            problems.append(f"{confirmation.case.number}: confirmation not applied jointly")
        if confirmation.status == ConfirmationStatus.REJECTED and not confirmation.route:
            problems.append(f"{confirmation.case.number}: rejection without its route")
    assert not problems, "\n".join(problems[:20])
    return checked


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_year_closes_only_agreements_in_effect_and_followed_up_by_the_law():
    errors = io.StringIO()
    call_command("seed_demo", "--months", "2", stderr=errors, stdout=io.StringIO())
    assert "refused" not in errors.getvalue(), errors.getvalue()[:2000]
    assert assert_agreement_rows_of_the_law() > 20
    written = Agreement.objects.filter(form=AgreementForm.WRITTEN, case__status=Status.CLOSED)
    assert written.exists()
    assert JudicialConfirmation.objects.filter(status__in=APPLIED).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_the_bulk_generator_closes_only_agreements_by_the_law(on_postgres):
    call_command("seed_demo", "--no-cases")
    call_command("seed_demo", "--cases", "2000", "--counties", "3")
    assert assert_agreement_rows_of_the_law() > 100
    assert JudicialConfirmation.objects.filter(status__in=APPLIED).exists()
