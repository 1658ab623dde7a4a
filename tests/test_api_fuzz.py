"""Schemathesis against the project's own OpenAPI schema, as two roles of town B over town B's
records (a case resolved with every mediation record, one reported and never assigned, events
and notifications written by the sweep with no actor): no response may be a 5xx, and every
status code, content type and body must be what the schema says. FUZZ_EXAMPLES bounds the
examples per operation (the whole run takes a few minutes)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.test_scope_leak import world  # noqa: F401  (town B's records)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = ["village_mediator_b", "town_admin_b"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db):
    # As Django's test client does: keep the test's connection open across WSGI calls.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    # Schemathesis' coverage phase (boundary values of every parameter) is thorough and slow;
    # FUZZ_COVERAGE=1 turns it on.
    loaded.config.phases.coverage.enabled = os.environ.get("FUZZ_COVERAGE") == "1"
    yield loaded
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def records(cast, world):  # noqa: F811
    """Town B's records of the scope-leak suite, plus what only the system writes."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.sweep import sweep_all
    from tests.cases.conftest import report

    report(cast.grid_worker_b, cast.areas.grid_b1, title="未分派的纠纷")
    sweep_all(now=timezone.now() + timedelta(days=30))
    return world


@pytest.fixture
def tokens(cast, records):
    return [Token.objects.get_or_create(user=getattr(cast, role))[0].key for role in ROLES]


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_never_errors_and_keeps_to_its_schema(case, tokens):
    for token in tokens:
        # Each call in a savepoint, as each request has its own transaction in production.
        with transaction.atomic():
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
