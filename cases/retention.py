"""Retention of personal data (PIPL): closed cases older than the retention period are
anonymised. What counts for the KPIs (status, levels, clocks, outcome, categories, area
columns) stays; names, ID numbers, phones, addresses, free text and files go.

The event log is append-only for users; anonymisation is the one sanctioned rewrite of its
free-text notes, done with a queryset update and recorded as an event of its own."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from accounts.models import AuditEntry

from .choices import Category, EventKind, PartyRole, Status
from .events import case_event
from .models import Attachment, Case, CaseEvent, Party
from .records import records

REDACTED = "（已匿名化）"
ANONYMISE_RECORD = "anonymise"


def _anonymised_marker():
    return CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=EventKind.RECORD, data__record=ANONYMISE_RECORD
    )


def cases_due_for_anonymising(*, closed_before: datetime):
    """Closed cases closed before the cut-off and not anonymised yet."""
    return (
        Case.objects.filter(status=Status.CLOSED, closed_at__lt=closed_before)
        .exclude(Exists(_anonymised_marker()))
        .order_by("id")
    )


def _party_label(role, index):
    prefix = PartyRole(role).label if role in PartyRole.values else "当事人"
    return f"{prefix}{'甲乙丙丁戊己庚辛壬癸'[index % 10]}"


@transaction.atomic
def case_anonymise(*, case_id: int, at: datetime) -> bool:
    """Strip one closed case of personal data; False when it was done already."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if (
        case.status != Status.CLOSED
        or CaseEvent.objects.filter(
            case=case, kind=EventKind.RECORD, data__record=ANONYMISE_RECORD
        ).exists()
    ):
        return False
    for index, party in enumerate(Party.objects.filter(case=case).order_by("id")):
        party.name = _party_label(party.role, index)
        party.id_number_encrypted = None
        party.id_number_hash = ""
        party.id_number_masked = ""
        party.phone_encrypted = None
        party.phone_masked = ""
        party.phone_hash = ""
        party.address = ""
        party.save()
    case.title = f"{Category(case.category).label}纠纷{REDACTED}"
    case.facts = REDACTED
    case.outcome_note = REDACTED if case.outcome_note else ""
    case.save(update_fields=["title", "facts", "outcome_note", "updated_at"])
    CaseEvent.objects.filter(case=case).exclude(note="").update(note=REDACTED)
    for attachment in Attachment.objects.filter(case=case):
        attachment.file.delete(save=False)
        attachment.delete()
    records().anonymise(case)
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=None,
        at=at,
        note="个人信息已按保存期限匿名化",
        data={"record": ANONYMISE_RECORD},
    )
    return True


def anonymise_closed(*, closed_before: datetime, at: datetime, limit: int | None = None) -> int:
    """Anonymise every closed case closed before the cut-off, one transaction per case."""
    done = 0
    ids = cases_due_for_anonymising(closed_before=closed_before).values_list("id", flat=True)
    for case_id in ids[:limit] if limit else ids.iterator():
        done += int(case_anonymise(case_id=case_id, at=at))
    if done:
        AuditEntry.objects.create(
            actor=None,
            kind=AuditEntry.Kind.ANONYMISE,
            what="个人信息匿名化",
            params={"closed_before": closed_before.isoformat()},
            rows=done,
        )
    return done
