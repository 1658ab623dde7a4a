"""Schemathesis against the project's own OpenAPI schema, as several roles of the cast:
no response may be a 5xx or break the schema. FUZZ_EXAMPLES bounds the examples per operation."""

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

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
ROLES = ["village_mediator_a", "town_officer_a", "town_admin_a"]
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
def tokens(cast):
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
