"""The drill's header findings, over HTTP: a CSP on every answer, no-store on the web page that
shows a revealed value, attachments as downloads with their real type, ReDoc with nothing from
outside. (The CSP in a real browser: test_csp_browser.py.)"""

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from tests.builders import drive

from .test_case_pages import _report

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def _directives(response):
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_pages_and_the_api_carry_a_csp_without_inline_script_or_outside_hosts(client, cast, api):
    client.force_login(cast.county_officer)
    for response in (
        client.get("/login/"),
        client.get("/cases/"),
        client.get("/dashboard/"),
        api(cast.county_officer).get("/api/v1/me/"),
    ):
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        for sources in directives.values():
            assert not [s for s in sources if "://" in s or s == "*"], directives


def test_the_web_reveal_is_never_cached(client, cast):
    case = _report(cast)
    drive(case, to="assigned", officer=cast.village_officer_a, mediator=cast.village_mediator_a)
    party = case.parties.order_by("id").first()
    client.force_login(cast.village_mediator_a)
    response = client.post(f"/cases/{case.pk}/do/reveal/", {"party": party.pk, "field": "phone"})
    assert response.status_code == 200
    assert "13800000001" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_a_web_attachment_is_a_download_with_its_real_type(client, cast):
    case = _report(cast)
    upload = SimpleUploadedFile("现场.jpg", PNG, "image/jpeg")  # named .jpg, really a PNG
    attachment = services.case_attach(actor=cast.grid_worker_a, case_id=case.pk, file=upload)
    client.force_login(cast.grid_worker_a)
    response = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_redoc_asks_nothing_of_an_outside_host(client, db):
    response = client.get("/api/redoc/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "fonts.googleapis" not in html and "gstatic" not in html
    assert not re.findall(r"(?:src|href)=\"(?:https?:)?//", html)
    assert "<script>" not in html  # nothing inline: the bundle is a file of this site
    assert "blob:" in _directives(response)["worker-src"]


def test_swagger_ui_has_no_inline_script(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "<script>" not in html
    assert client.get("/api/docs/?script=").status_code == 200
