"""Every response carries a request id, and log lines carry the same id."""

import logging

from config.request_id import RequestIdFilter, request_id_var


def test_response_echoes_a_valid_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc12345-trace")
    assert response["X-Request-ID"] == "abc12345-trace"


def test_a_bad_request_id_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response["X-Request-ID"] != "<script>"
    assert len(response["X-Request-ID"]) == 32


def test_log_records_get_the_current_request_id():
    token = request_id_var.set("req-000001")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
        RequestIdFilter().filter(record)
        assert record.request_id == "req-000001"
    finally:
        request_id_var.reset(token)


def test_healthz_reports_each_part(client, db):
    data = client.get("/healthz").json()
    assert data["web"] == "ok"
    assert data["database"] == "ok"
    assert data["broker"].startswith("ok")


def test_tasks_published_during_a_request_carry_its_id():
    from types import SimpleNamespace

    from config.request_id import _attach_request_id, _restore_request_id

    token = request_id_var.set("req-publish-1")
    try:
        headers = {}
        _attach_request_id(headers=headers)
        assert headers["request_id"] == "req-publish-1"
    finally:
        request_id_var.reset(token)
    task = SimpleNamespace(request=SimpleNamespace(request_id="req-publish-1"))
    _restore_request_id(task=task)
    assert request_id_var.get() == "req-publish-1"
