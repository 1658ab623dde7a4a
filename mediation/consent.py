"""The law's gates that read the mediation records (人民调解法 art. 17, 23, 26, 27; DESIGN.md
§16), and the consent and notice each party gives before the first session.

- art. 17 and 23: `consent_record` writes each party's consent or refusal and the rights
  notice; `require_consent` refuses a session (409, naming the parties and what is missing)
  until every party has consented and been told their rights; a refusal ends mediation: the
  case closes `rejected`, with the art. 26 routes explained recorded;
- art. 27: `resolve` needs at least one session record; `close` needs a complete case file
  (一案一卷, selectors.case_file), checked in the close's own transaction through cases.gates.

`register()` (MediationConfig.ready()) installs the resolve and close checks."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import dates, gates
from cases.choices import EventKind, Outcome
from cases.events import case_event
from cases.models import Party
from cases.policy import CasePolicy, access_case
from cases.services import case_close
from config.errors import Conflict, InvalidInput

from .law_models import ConsentDecision, NoticeMethod, PartyConsent
from .models import MediationSession


def consent_missing(case) -> list[str]:
    """What art. 17 and 23 still need before a session: one line per party, in Chinese."""
    consents = {c.party_id: c for c in PartyConsent.objects.filter(case=case)}
    missing = []
    for party in Party.objects.filter(case=case).order_by("id"):
        consent = consents.get(party.pk)
        if consent is None:
            missing.append(f"{party.name}是否同意调解")
        elif consent.decision != ConsentDecision.CONSENT:
            missing.append(f"{party.name}已拒绝调解")
        if consent is None or consent.notified_on is None:
            missing.append(f"已告知{party.name}权利义务")
    return missing


def require_consent(case) -> None:
    """409 until every party has consented and been told their rights (before a session)."""
    missing = consent_missing(case)
    if missing:
        raise Conflict(
            "调解前须记录各方当事人同意调解并告知权利义务，尚缺：" + "；".join(missing) + "。",
            code="consent_required",
            missing=missing,
            status=case.status,
        )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case_id: int,
    party_id: int,
    decision: str,
    decided_on: date,
    notified_on: date | None = None,
    notice_method: str = "",
    note: str = "",
    routes: list[str] | None = None,
    at: datetime | None = None,
) -> PartyConsent:
    """Record one party's consent or refusal (art. 17) and the rights notice (art. 23); a
    refusal ends mediation: the case is closed `rejected` with the routes explained."""
    at = at or timezone.now()
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require("consent")
    party = Party.objects.filter(case=case, pk=party_id).first()
    if party is None:
        raise InvalidInput("不是本案当事人。", fields={"party": ["不是本案当事人。"]})
    if decision not in ConsentDecision.values:
        raise InvalidInput("请选择同意或拒绝调解。", fields={"decision": ["须为同意或拒绝。"]})
    dates.happened_on(case, decided_on, field="decided_on", label="表示意愿的日期", now=at)
    if notified_on is not None:
        dates.happened_on(case, notified_on, field="notified_on", label="告知日期", now=at)
        if notice_method not in NoticeMethod.values:
            raise InvalidInput(
                "请选择告知方式。", fields={"notice_method": ["须为书面或口头告知。"]}
            )
    elif decision == ConsentDecision.CONSENT:
        message = "同意调解的当事人须在调解前告知其权利义务（人民调解法第二十三条）。"
        raise InvalidInput(message, fields={"notified_on": [message]})
    refusing = decision == ConsentDecision.REFUSE
    if refusing:
        routes = gates.clean_routes(routes)
    consent = PartyConsent.objects.filter(party=party).first() or PartyConsent(
        case=case, party=party
    )
    consent.decision = decision
    consent.decided_on = decided_on
    consent.notified_on = notified_on
    consent.notice_method = notice_method if notified_on else ""
    consent.note = (note or "").strip()[:500]
    consent.recorded_by = actor
    consent.recorded_at = at
    consent.save()
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"{party.name}{consent.get_decision_display()}"
        + (f"，已告知权利义务（{notified_on.isoformat()}）" if notified_on else ""),
        data={"record": "consent", "id": consent.pk, "party": party.pk, "decision": decision},
    )
    if refusing:
        case_close(
            actor=actor,
            case_id=case.pk,
            outcome=Outcome.REJECTED,
            note=f"当事人{party.name}拒绝调解（人民调解法第十七条）"
            + (f"：{consent.note}" if consent.note else ""),
            routes=routes,
            at=at,
        )
    return consent


def consents_of(case) -> list[dict]:
    """Each party with their answer and notice (None where nothing is recorded yet)."""
    consents = {c.party_id: c for c in PartyConsent.objects.filter(case=case)}
    return [
        {"party": party, "consent": consents.get(party.pk)}
        for party in Party.objects.filter(case=case).order_by("id")
    ]


# ---------------------------------------------------------------- the lifecycle's gates


def _resolve_gate(case, **facts) -> None:
    """Art. 27: a resolution rests on at least one mediation session record."""
    if not MediationSession.objects.filter(case=case).exists():
        raise Conflict(
            "调解成功前须至少记录一次调解（调解笔录）。",
            code="session_required",
            missing=["mediation_record"],
            status=case.status,
        )


def _close_gate(case, *, outcome: str, routes=None, **facts) -> None:
    """Art. 27: the case file is complete for the outcome the case closes with."""
    from .selectors import case_file

    file = case_file(case, outcome=outcome, routes=routes)
    if not file.complete:
        lines = [
            item.label + (f"（{item.detail}）" if item.detail else "") for item in file.missing
        ]
        raise Conflict(
            "卷宗材料不全，不能结案，尚缺：" + "；".join(lines) + "。",
            code="file_incomplete",
            missing=[item.key for item in file.missing],
            status=case.status,
        )


def register() -> None:
    gates.register("resolve", _resolve_gate)
    gates.register("close", _close_gate)


def session_gate(case) -> None:
    """The first session waits for consent and notice (used by session_record)."""
    require_consent(case)
