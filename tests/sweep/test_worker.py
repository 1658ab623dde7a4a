"""A real Celery worker on real Redis against the test database: the sweep escalates an overdue
case and the outbox drains; and with the broker unreachable, the web keeps working."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Case, CaseEvent, Party
from config.celery import app as celery_app
from notifications.models import Notification, OutboxMessage

from .conftest import report

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def _redis_url():
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REDIS_URL is required for the worker tests")
        pytest.skip("needs Redis (REDIS_URL)")
    return url


def _database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait(predicate, timeout=60.0, interval=0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@contextmanager
def running_worker(tmp_path):
    """`celery -A config worker` in a subprocess on the test database and Redis; killed after."""
    redis_url = _redis_url()
    celery_app.conf.broker_url = redis_url
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "VAR_DIR": str(tmp_path),
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            ready = _wait(lambda: "ready" in log_path.read_text(), timeout=60)
            assert ready, log_path.read_text()[-3000:]
            yield process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def worker(on_postgres, tmp_path):
    with running_worker(tmp_path) as process:
        yield process


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_escalates_an_overdue_village_case_and_delivers_the_reminder(cast, worker):
    from cases.tasks import sweep
    from notifications.tasks import relay_outbox

    # Reported six weeks ago and never touched: every village deadline has passed.
    case = report(cast, when=timezone.now() - timedelta(days=42))
    assert case.level == "village"

    sweep.delay()
    assert _wait(lambda: Case.objects.get(pk=case.pk).level == "town"), "not escalated"
    case.refresh_from_db()
    assert (case.status, case.holder_id) == ("pending", cast.areas.town_a.id)
    event = CaseEvent.objects.get(case=case, kind="escalate")
    assert event.actor is None and event.note == "办结超期，系统自动上报"
    assert CaseEvent.objects.filter(case=case, kind="remind", actor=None).count() == 2
    reminders = Notification.objects.filter(case=case, kind="reminder")
    assert set(reminders.values_list("user__username", flat=True)) == {"village_officer_a"}
    rows = OutboxMessage.objects.filter(notification__case=case)
    assert rows.exists() and rows.filter(sent_at__isnull=True).exists()

    relay_outbox.delay()
    assert _wait(lambda: not rows.filter(sent_at__isnull=True).exists()), "outbox not drained"
    assert all(n.delivered_at for n in Notification.objects.filter(case=case))
    delivered = sorted(rows.values_list("id", "sent_at"))
    reminded = reminders.count()

    # Run both again, with a second overdue case as the witness that they ran: the one worker
    # takes tasks in order, so once the witness's reminders are delivered, the second sweep
    # and relay have been through the first case too, and have left it alone.
    witness = report(cast, when=timezone.now() - timedelta(days=42), serial=2)
    sweep.delay()
    relay_outbox.delay()
    witness_rows = OutboxMessage.objects.filter(notification__case=witness)
    assert _wait(
        lambda: witness_rows.exists() and not witness_rows.filter(sent_at__isnull=True).exists()
    ), "the second sweep and relay did not run"
    assert Case.objects.get(pk=witness.pk).level == "town"
    assert CaseEvent.objects.filter(case=case, kind="escalate").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="remind").count() == 2
    assert reminders.count() == reminded
    assert sorted(rows.values_list("id", "sent_at")) == delivered


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_intake_and_actions_answer_at_once_and_the_outbox_drains_later(
    cast, api, on_postgres, tmp_path, request, settings
):
    from cases.sweep import sweep_run

    redis_url = _redis_url()
    celery_app.conf.broker_url = CLOSED_PORT_BROKER
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    request.addfinalizer(lambda: setattr(celery_app.conf, "broker_url", redis_url))
    a = cast.areas
    body = {
        "title": "邻里排水纠纷",
        "facts": "雨季排水流入邻家院内。",
        "category": "neighbour",
        "source": "walk_in",
        "area": a.grid_a1.id,
        "parties": [
            {"name": "王五", "role": "applicant"},
            {"name": "赵六", "role": "respondent"},
        ],
    }

    def timed(client, path, data):
        start = time.monotonic()
        response = client.post(path, data, format="json")
        elapsed = time.monotonic() - start
        assert elapsed < 1.0, (path, elapsed)
        return response

    officer, mediator = api(cast.village_officer_a), api(cast.village_mediator_a)
    # Warm up imports and URL resolution so the timings measure the requests.
    assert api(cast.grid_worker_a).get("/api/v1/cases/").status_code == 200
    assert api(cast.grid_worker_a).post("/api/v1/cases/", {}, format="json").status_code == 400
    created = timed(api(cast.grid_worker_a), "/api/v1/cases/", body)
    assert created.status_code == 201, created.content
    first = created.json()["id"]
    base = f"/api/v1/cases/{first}"
    today = str(timezone.localdate())
    party_ids = list(Party.objects.filter(case_id=first).values_list("pk", flat=True))
    consents = [
        (
            mediator,
            "consents",
            {
                "party": pk,
                "decision": "consent",
                "decided_on": today,
                "notified_on": today,
                "notice_method": "oral",
            },
        )
        for pk in party_ids
    ]
    session = {"held_at": timezone.now().isoformat(), "place": "调解室", "minutes": "双方陈述"}
    steps = [
        (officer, "assign", {"assignee": cast.village_mediator_a.id}),
        (mediator, "respond", {"note": "已联系双方"}),
        *consents,
        (mediator, "sessions", session),
        (
            mediator,
            "extend",
            {
                "until": str(timezone.localdate() + timedelta(days=40)),
                "parties": party_ids,
                "agreed_on": today,
                "consent_note": "双方同意",
            },
        ),
        (mediator, "resolve", {"agreement": {"form": "oral", "terms": "改道排水"}}),
        (mediator, "reopen", {"reason": "未履行"}),
        (mediator, "escalate", {"reason": "村级调解不成"}),
    ]
    for client, action, data in steps:
        response = timed(client, f"{base}/{action}/", data)
        expected = 201 if action in ("consents", "sessions") else 200
        assert response.status_code == expected, (action, response.content)
    second = timed(api(cast.grid_worker_a), "/api/v1/cases/", body).json()["id"]
    closing = timed(
        officer, f"/api/v1/cases/{second}/close/", {"outcome": "withdrawn", "note": "申请人撤回"}
    )
    assert closing.status_code == 200, closing.content
    town = api(cast.town_officer_a)
    assert timed(town, f"{base}/delegate/", {"area": a.village_a1.id}).status_code == 200

    # The sweep too writes its reminders to the outbox without the broker.
    case = report(cast, when=timezone.now() - timedelta(days=42), serial=7)
    assert sweep_run().escalated == 1
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    waiting = pending.count()
    assert waiting >= 4 and Notification.objects.filter(case=case).exists()

    # The broker is back: a worker drains the outbox.
    celery_app.conf.broker_url = redis_url
    settings.CELERY_BROKER_URL = redis_url
    with running_worker(tmp_path):
        from notifications.tasks import relay_outbox

        relay_outbox.delay()
        assert _wait(lambda: not pending.exists()), "outbox not drained"
        assert OutboxMessage.objects.filter(sent_at__isnull=False).count() >= waiting
