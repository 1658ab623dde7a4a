"""The apps stand in layers (pyproject.toml's import-linter contract, run by `make lint`);
where a lower app needs a higher one's rule, the higher app registers it at start-up. The
registrations are explicit and present, and a missing one fails loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import audit
from cases import records as case_records
from cases.selectors import reveal_events
from mediation import agreements, selectors
from mediation.records import RECORDS, anonymise


def test_mediation_registers_the_record_rules_the_lifecycle_calls():
    rules = case_records.records()
    assert rules is RECORDS
    assert rules.record_agreement is agreements.agreement_record
    assert rules.has_follow_up is agreements.has_follow_up
    assert rules.can_mediate is selectors.can_mediate
    assert rules.anonymise is anonymise


def test_the_lifecycle_refuses_to_run_without_the_record_rules(monkeypatch):
    monkeypatch.setattr(case_records, "_registered", None)
    with pytest.raises(ImproperlyConfigured):
        case_records.records()


def test_cases_registers_the_reveals_with_the_audit_trail():
    assert audit.reader("reveal") is reveal_events
