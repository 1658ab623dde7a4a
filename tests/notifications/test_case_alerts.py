"""Who is told what of a case, from report to close (cases/alerts.py), and the SMS-worthy notices
reaching a stub gateway on the loopback through the outbox."""

import pytest
from django.core import mail

from cases import services
from notifications import sms
from notifications.models import Notification, OutboxMessage
from notifications.services import relay_outbox
from tests.builders import ORAL, follow_up, identity_papers, record_session, report

from .sms_stub import StubGateway, configure

PHONES = {
    "grid_worker_a": "13900000001",
    "village_mediator_a": "13900000002",
    "village_officer_a": "13900000003",
    "town_officer_a": "13900000004",
    "town_mediator_a": "13900000005",
    "village_mediator_b": "13900000006",
    "town_officer_b": "13900000007",
}


@pytest.fixture
def gateway(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms.outbox.clear()
    with StubGateway() as stub:
        configure(settings, stub)
        yield stub


@pytest.fixture
def people(cast):
    for name, phone in PHONES.items():
        user = getattr(cast, name)
        user.phone = phone
        user.save(update_fields=["phone"])
    return cast


class Told:
    """The notices written since the last look, as {username: [title, …]}."""

    def __init__(self):
        self.seen = 0

    def __call__(self) -> dict[str, list[str]]:
        rows = Notification.objects.filter(pk__gt=self.seen).order_by("id")
        told: dict[str, list[str]] = {}
        for n in rows.select_related("user"):
            told.setdefault(n.user.username, []).append(n.title)
            self.seen = max(self.seen, n.pk)
        return told


def test_a_case_walked_from_report_to_close_tells_each_person_once(people, gateway):
    cast = people
    told = Told()

    case = report(cast.grid_worker_a, cast.areas.grid_a1)
    number = case.number
    assert told() == {
        "village_mediator_a": [f"本村新登记纠纷：{number}"],
        "village_officer_a": [f"本村新登记纠纷：{number}"],
    }

    services.case_assign(
        actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    assert told() == {
        "village_mediator_a": [f"新分派案件：{number}"],
        "grid_worker_a": [f"您登记的案件已分派：{number}"],
    }

    services.case_respond(actor=cast.village_mediator_a, case_id=case.id)
    assert told() == {}

    services.case_escalate(
        actor=cast.village_mediator_a, case_id=case.id, reason="双方分歧较大，请求街道调解。"
    )
    notices = told()
    assert notices == {
        "town_officer_a": [f"新上报案件待分派：{number}"],
        "grid_worker_a": [f"您登记的案件已上报至镇级：{number}"],
    }
    bodies = list(Notification.objects.filter(case=case, kind__in=["escalated", "progress"]))
    assert all("。。" not in n.body for n in bodies)
    assert any("请求街道调解。请及时分派。" in n.body for n in bodies)

    # The town officer takes it on themselves: not told of their own assignment.
    services.case_assign(actor=cast.town_officer_a, case_id=case.id, assignee=cast.town_officer_a)
    assert told() == {"grid_worker_a": [f"您登记的案件已分派：{number}"]}

    services.case_respond(actor=cast.town_officer_a, case_id=case.id)
    record_session(case, cast.town_officer_a)  # art. 27: no resolution without a session
    identity_papers(case, cast.town_officer_a)
    told()  # (a session and the papers tell nobody; counted from here)
    services.case_resolve(actor=cast.town_officer_a, case_id=case.id, agreement=ORAL)
    assert told() == {"grid_worker_a": [f"您登记的案件已调解成功：{number}"]}

    follow_up(case, cast.town_officer_a)
    services.case_close(actor=cast.town_officer_a, case_id=case.id, outcome="agreement")
    assert told() == {"grid_worker_a": [f"您登记的案件已结案：{number}"]}

    # Nobody was ever told of their own action.
    for notification in Notification.objects.filter(case=case):
        acted = case.events.filter(
            actor=notification.user, created_at=notification.created_at
        ).exists()
        assert not acted, notification.title

    # The SMS-worthy ones went out through the outbox to the stub gateway, signed.
    relay_outbox()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert gateway.sent_to(PHONES["town_officer_a"]) == [
        f"新上报案件待分派：{number}\n"
        f"「宅基地边界纠纷」（彭村一网格），上报原因：双方分歧较大，请求街道调解。请及时分派。"
    ]
    assert gateway.sent_to(PHONES["grid_worker_a"]) == [
        f"您登记的案件已结案：{number}\n「宅基地边界纠纷」已结案（达成协议）。"
    ]
    assert len(gateway.received) == 2 and all(gateway.valid)
    assert gateway.received[0]["template_id"] == "SMS_0001"
    assert gateway.received[0]["sign_name"] == "宜君县调解"
    assert gateway.received[0]["out_id"].startswith("outbox-")
    assert mail.outbox == []  # nobody in the cast has an e-mail address


def test_a_red_case_reaches_the_village_mediators_and_the_town_by_sms(people, gateway):
    cast = people
    case = report(cast.grid_worker_a, cast.areas.grid_a1, risk="red")
    assert case.level == "town"
    told = dict(Notification.objects.filter(case=case).values_list("user__username", "kind"))
    assert told == {
        "town_officer_a": "new_case",
        "village_mediator_a": "new_case",
        "village_officer_a": "new_case",
    }
    relay_outbox()
    assert {r["phone"] for r in gateway.received} == {
        PHONES["town_officer_a"],
        PHONES["village_mediator_a"],
        PHONES["village_officer_a"],
    }
    assert "红色风险" in gateway.received[0]["template_params"]["content"]
    # The neighbouring village and town hear nothing.
    assert not Notification.objects.filter(
        user__in=[cast.village_mediator_b, cast.town_officer_b]
    ).exists()


def test_a_mediator_reporting_in_their_village_is_not_told_of_it(people, gateway):
    cast = people
    case = report(cast.village_mediator_a, cast.areas.village_a1)
    told = set(Notification.objects.filter(case=case).values_list("user__username", flat=True))
    assert told == {"village_officer_a"}
    services.case_assign(
        actor=cast.village_officer_a, case_id=case.id, assignee=cast.village_mediator_a
    )
    # Assignee and reporter are one person: one notice, the assignment.
    assert list(
        Notification.objects.filter(case=case, user=cast.village_mediator_a).values_list(
            "kind", flat=True
        )
    ) == ["assigned"]


def test_a_case_screened_out_at_intake_tells_nobody(people, gateway):
    report(people.grid_worker_a, people.areas.grid_a1, screening="court")
    assert not Notification.objects.exists()


def test_the_gateway_failing_is_retried_and_a_refusal_recorded(people, gateway):
    from datetime import timedelta

    from django.utils import timezone

    cast = people
    report(cast.grid_worker_a, cast.areas.grid_a1, risk="red")  # three SMS
    gateway.answers = [503, 400]
    now = timezone.now()
    assert relay_outbox(now=now) == 3  # the e-mail rows; the SMS wait
    rows = list(OutboxMessage.objects.filter(channel="sms").order_by("id"))
    assert [r.attempts for r in rows] == [1, 0, 0]  # the other two never waited on a 503
    assert all(r.sent_at is None and r.failed_at is None for r in rows)
    assert "503" in rows[0].last_error
    assert gateway.received == []

    # The next try: the first gets a permanent 400 (recorded failed), the rest go through.
    assert relay_outbox(now=now + timedelta(minutes=2)) == 2
    rows = list(OutboxMessage.objects.filter(channel="sms").order_by("id"))
    assert rows[0].failed_at is not None and rows[0].sent_at is None
    assert "400" in rows[0].last_error
    assert all(r.sent_at is not None for r in rows[1:])
    assert len(gateway.received) == 2

    # The refused row is never tried again; nothing is pending and nothing is lost.
    assert relay_outbox(now=now + timedelta(hours=2)) == 0
    assert len(gateway.received) == 2
    assert OutboxMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True).count() == 0


def test_an_unreachable_gateway_is_a_transient_failure(people, settings):
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = "http://127.0.0.1:9/unreachable"  # the discard port: refused
    settings.SMS_HTTP_TIMEOUT = 1
    report(people.grid_worker_a, people.areas.grid_a1, risk="red")
    relay_outbox()
    row = OutboxMessage.objects.filter(channel="sms").order_by("id").first()
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert "短信网关无法连接" in row.last_error
