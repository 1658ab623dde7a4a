"""The admin pages for cases, SLA policy and calendar overrides; the OpenAPI schema lists every
case endpoint."""

import pytest

from cases.models import Case
from tests.builders import report

pytestmark = pytest.mark.django_db

CASE_PATHS = [
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/cases/{id}/events/",
    "/api/v1/cases/{id}/attachments/",
    "/api/v1/cases/{id}/attachments/{attachment_id}/",
    "/api/v1/cases/export.xlsx",
    *[
        f"/api/v1/cases/{{id}}/{action}/"
        for action in [
            "assign",
            "respond",
            "escalate",
            "delegate",
            "extend",
            "resolve",
            "reopen",
            "close",
            "reveal",
        ]
    ],
]


def test_schema_describes_every_case_endpoint(cast, api):
    schema = api(cast.county_officer).get("/api/schema/?format=json").json()
    for path in CASE_PATHS:
        assert path in schema["paths"], path
    listing = schema["paths"]["/api/v1/cases/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"status", "level", "area", "overdue", "assignee", "q", "ordering", "page"} <= names
    assign = schema["paths"]["/api/v1/cases/{id}/assign/"]["post"]
    assert "requestBody" in assign


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)


def test_admin_shows_cases_read_only(cast, client, superuser):
    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    client.force_login(superuser)
    page = client.get(f"/admin/cases/case/{case.id}/change/")
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    data = {
        "title": "改过的名称",
        "facts": case.facts,
        "category": case.category,
        "source": case.source,
        "risk": case.risk,
        "people_involved": 2,
        "status": "closed",
        "level": "county",
        "parties-TOTAL_FORMS": 0,
        "parties-INITIAL_FORMS": 0,
        "periods-TOTAL_FORMS": 0,
        "periods-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    assert client.post(f"/admin/cases/case/{case.id}/change/", data).status_code == 403
    case = Case.objects.get(pk=case.id)
    assert (case.status, case.level, case.title) == ("pending", "village", case.title)
    assert case.title != "改过的名称"
    for url in [
        "/admin/cases/case/",
        "/admin/cases/slapolicy/",
        "/admin/cases/calendaroverride/",
        "/admin/cases/calendaroverride/add/",
    ]:
        assert client.get(url).status_code == 200, url
