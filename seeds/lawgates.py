"""The demo year's steps that the law's gates ask for (人民调解法 art. 17, 23, 25, 27;
DESIGN.md §16), through the same services users call: seeds/year.py calls `after_assign`
once a case has its mediator and `before_session` before its first session.

- art. 25: a case that owes a report to the police (red risk, a repeat party) is reported by
  its assignee soon after assignment (a few late, as in life), the station's receipt an hour on;
- art. 17 and 23: each party's consent and rights notice, the day of the first session;
- art. 27: a party without an ID number on record has an identity paper in the file."""

from datetime import datetime, timedelta

from django.utils import timezone

from cases import police
from cases.models import PoliceReport
from mediation import services as ms
from mediation.consent import consent_record
from mediation.models import FileDocument, PartyConsent

STATIONS = "宜君县公安局{town}派出所"
# A few disputes look like turning violent (red): the town takes them and reports them.
RED_SHARE = 0.03


def sometimes_red(rng, path: str, risk: str) -> str:
    """The risk a new demo case is reported with: now and then red (art. 25 then applies)."""
    if path in ("village", "town_intake") and rng.random() < RED_SHARE:
        return "red"
    return risk


def after_assign(case, at: datetime, now: datetime) -> None:
    """Report to the police the case that owes it (by its assignee), with the receipt."""
    owed = PoliceReport.objects.filter(
        case=case, due_at__isnull=False, reported_at__isnull=True
    ).first()
    if owed is None or case.assignee_id is None:
        return
    reported = max(at + timedelta(minutes=20), case.reported_at + timedelta(minutes=30))
    if reported > now:
        return
    town = case.town.name.removesuffix("镇").removesuffix("街道").removesuffix("乡")
    police.police_report(
        actor=case.assignee,
        case_id=case.pk,
        station=STATIONS.format(town=town),
        reported_at=reported,
        note="纠纷有激化可能，依法报告。",
        at=reported,
    )
    receipt = reported + timedelta(hours=1)
    if receipt <= now:
        police.police_receipt(
            actor=case.assignee,
            case_id=case.pk,
            receipt_number=f"JQ{timezone.localtime(receipt):%Y%m%d}-{case.pk:05d}",
            receipt_at=receipt,
            receipt_person="值班民警",
            at=receipt,
        )


def before_session(case, at: datetime) -> None:
    """Each party's consent and rights notice, and the identity paper where an ID is missing."""
    actor = case.assignee
    day = timezone.localdate(at)
    done = set(PartyConsent.objects.filter(case=case).values_list("party_id", flat=True))
    for party in case.parties.exclude(pk__in=done).order_by("id"):
        consent_record(
            actor=actor,
            case_id=case.pk,
            party_id=party.pk,
            decision="consent",
            decided_on=day,
            notified_on=day,
            notice_method="written",
            at=at,
        )
    if (
        case.parties.filter(id_number_hash="").exists()
        and not FileDocument.objects.filter(case=case, kind="identity").exists()
    ):
        ms.document_record(
            actor=actor, case_id=case.pk, kind="identity", note="当事人身份证复印件", at=at
        )


def before_close(case, at: datetime) -> None:
    """The court's papers in the file of a case whose agreement went to judicial confirmation."""
    from mediation.models import JudicialConfirmation

    applied = JudicialConfirmation.objects.filter(
        case=case, status__in=["applied", "confirmed", "rejected"]
    ).exists()
    if applied and not FileDocument.objects.filter(case=case, kind="confirmation").exists():
        ms.document_record(
            actor=case.assignee,
            case_id=case.pk,
            kind="confirmation",
            note="司法确认申请书及民事裁定书",
            at=at,
        )
