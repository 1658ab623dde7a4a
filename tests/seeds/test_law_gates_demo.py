"""The demo year walked against the law's rows of DESIGN.md §16 that gate the lifecycle (人民调解法
art. 17, 23, 25, 26, 27 and the one-month rule): every case `seed_demo` closed holds the records
those rows ask for, built through the same services users call."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.choices import EventKind, Outcome, Status
from cases.models import Case, CaseEvent, PoliceReport
from mediation.models import MediationSession, PartyConsent
from mediation.selectors import case_file

MEDIATED = {Outcome.AGREEMENT, Outcome.FAILED}


def law_breaches(case) -> list[str]:
    """What a closed case lacks against the rows of §16 (empty: nothing)."""
    found = []
    events = list(case.events.order_by("created_at", "id"))
    sessions = list(MediationSession.objects.filter(case=case).order_by("held_at", "id"))
    parties = list(case.parties.all())
    consents = {c.party_id: c for c in PartyConsent.objects.filter(case=case)}
    screened = any(e.kind == EventKind.REPORT and "screening" in e.data for e in events)
    if case.outcome in MEDIATED:
        first = sessions[0] if sessions else None
        if first is None:
            found.append("27: no session record")
        for party in parties:
            consent = consents.get(party.pk)
            if consent is None or consent.decision != "consent":
                found.append(f"17: {party.name} has no consent")
            elif first is not None and consent.recorded_at > first.created_at:
                found.append(f"17: {party.name} consented after the first session")
            if consent is None or consent.notified_on is None:
                found.append(f"23: {party.name} was not told their rights")
            elif first is not None and consent.notified_on > timezone.localdate(first.held_at):
                found.append(f"23: {party.name} was told after the first session")
    for resolve in (e for e in events if e.kind == EventKind.RESOLVE):
        if not any(s.created_at <= resolve.created_at for s in sessions):
            found.append("27: resolved before any session")
    if case.outcome in (Outcome.FAILED, Outcome.REJECTED) and not screened:
        close = next(e for e in events if e.kind == EventKind.CLOSE)
        if not close.data.get("routes"):
            found.append("26: no routes explained")
    report = PoliceReport.objects.filter(case=case).first()
    if report is not None and report.due_at is not None and report.reported_at is None:
        found.append("25: the report to the police was not made")
    extensions = [e for e in events if e.kind == EventKind.EXTEND]
    if len(extensions) > 1:
        found.append("规定: extended more than once")
    for extension in extensions:
        before = date.fromisoformat(extension.data["from"][:10])
        until = date.fromisoformat(extension.data["until"][:10])
        if (until - before).days > 30:
            found.append("规定: extended by more than 30 days")
        if sorted(extension.data.get("parties", [])) != sorted(p.pk for p in parties):
            found.append("规定: not every party agreed")
    if not screened:
        missing = [item.key for item in case_file(case).missing]
        if missing:
            found.append(f"27: case file incomplete: {missing}")
    return found


@pytest.mark.slow
@pytest.mark.django_db
def test_every_closed_demo_case_satisfies_the_laws_rows():
    errors = io.StringIO()
    call_command("seed_demo", "--months", "4", stderr=errors, stdout=io.StringIO())
    assert "refused" not in errors.getvalue(), errors.getvalue()[:2000]
    closed = list(Case.objects.filter(status=Status.CLOSED).order_by("id"))
    assert len(closed) > 200
    outcomes = {case.outcome for case in closed}
    assert {Outcome.AGREEMENT, Outcome.REJECTED, Outcome.WITHDRAWN} <= outcomes
    broken = {case.number: law_breaches(case) for case in closed}
    broken = {number: found for number, found in broken.items() if found}
    assert not broken, list(broken.items())[:10]
    # The demo shows each record: consents, sessions, the routes of art. 26, police reports.
    assert PartyConsent.objects.count() >= 2 * len(closed) // 2
    assert CaseEvent.objects.filter(kind=EventKind.CLOSE, data__has_key="routes").exists()
    assert PoliceReport.objects.filter(reported_at__isnull=False).exists()
    assert CaseEvent.objects.filter(kind=EventKind.EXTEND).exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_every_closed_bulk_case_satisfies_the_laws_rows(on_postgres):
    call_command("seed_demo", "--no-cases", stdout=io.StringIO())
    call_command("seed_demo", "--cases", "600", "--counties", "1", stdout=io.StringIO())
    closed = list(Case.objects.filter(status=Status.CLOSED).order_by("id"))
    assert len(closed) > 300
    assert {Outcome.AGREEMENT, Outcome.FAILED} <= {case.outcome for case in closed}
    broken = {case.number: law_breaches(case) for case in closed}
    broken = {number: found for number, found in broken.items() if found}
    assert not broken, list(broken.items())[:10]
    assert MediationSession.objects.filter(mediators__isnull=False).exists()
