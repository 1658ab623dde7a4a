"""The record rules the case lifecycle calls (cases/records.py), registered at start-up by
MediationConfig.ready(): the agreement a resolution records, the follow-up a close needs,
who may mediate where, and the blanking of records when a case is anonymised."""

from cases.records import CaseRecords, register

from . import models
from .agreements import agreement_record, close_blocker, has_follow_up
from .selectors import can_mediate


def anonymise(case) -> None:
    """Blank the personal data in the case's mediation records (cases/retention.py)."""
    from cases.retention import REDACTED

    models.MediationSession.objects.filter(case=case).update(attendees="", minutes=REDACTED)
    models.Consultation.objects.filter(case=case).update(question=REDACTED, answer=REDACTED)
    models.Agreement.objects.filter(case=case).update(
        facts=REDACTED, responsibilities=REDACTED, terms=REDACTED, performance_method=REDACTED
    )
    models.FollowUp.objects.filter(case=case).update(note="")
    models.JudicialConfirmation.objects.filter(case=case).update(note="")
    for document in models.FileDocument.objects.filter(case=case):
        stored = getattr(document, "file", None)
        if stored:
            stored.delete(save=False)
        document.note = ""
        document.save()


RECORDS = CaseRecords(
    record_agreement=agreement_record,
    has_follow_up=has_follow_up,
    can_mediate=can_mediate,
    anonymise=anonymise,
    close_blocker=close_blocker,
)


def register_with_cases() -> None:
    register(RECORDS)
