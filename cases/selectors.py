"""Reads about cases: the scoped list and detail querysets with what the serializers need."""

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from accounts.choices import RoleKind
from grids.models import Area

from . import crypto
from .choices import OPEN_STATUSES, DeadlineKind, EventKind
from .models import Case, CaseEvent, HandlingPeriod, Party


def open_periods():
    return HandlingPeriod.objects.filter(ended_at__isnull=True)


# Long texts a list row never shows; the detail and the export read them.
LIST_DEFERRED = ("facts", "outcome_note")


def open_period_value(field):
    """A column of the case's open handling period, as a subquery to annotate cases with."""
    return Subquery(
        HandlingPeriod.objects.filter(case=OuterRef("pk"), ended_at__isnull=True).values(field)[:1]
    )


def with_clock(queryset):
    """Annotate each case with its open handling period's next deadline and arrival."""
    return queryset.annotate(
        due_at=open_period_value("next_deadline"),
        due_kind=open_period_value("next_deadline_kind"),
        arrived_at=open_period_value("arrived_at"),
        entered_by=open_period_value("entered_by"),
    )


def cases_for_list(user):
    """Scoped cases with the related rows a list row shows (a constant number of queries):
    holder, origin, the assignee and the open handling period, without the long texts."""
    return (
        Case.objects.visible_to(user)
        .select_related("holder", "origin", "assignee")
        .defer(*LIST_DEFERRED)
        .prefetch_related(Prefetch("periods", queryset=open_periods(), to_attr="open_periods"))
    )


def cases_for_export(user):
    """Scoped cases with every column and the related rows a spreadsheet row or the detail
    shows (the caller adds the parties it needs)."""
    return (
        Case.objects.visible_to(user)
        .select_related("holder", "origin", "assignee", "town", "village")
        .prefetch_related(Prefetch("periods", queryset=open_periods(), to_attr="open_periods"))
    )


def cases_for_detail(user):
    """Scoped cases with parties, attachments and every handling period."""
    return cases_for_export(user).prefetch_related(
        Prefetch("parties", queryset=Party.objects.select_related("area")),
        "attachments",
        Prefetch(
            "periods",
            queryset=HandlingPeriod.objects.order_by("arrived_at", "id"),
            to_attr="all_periods",
        ),
    )


def case_events(case):
    """The case's event log, oldest first, with the actors."""
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id")


def filter_area(queryset, area: Area):
    """Cases whose origin lies under `area` (its whole subtree), via the copied columns."""
    column = {
        "province": "province_id",
        "city": "city_id",
        "county": "county_id",
        "town": "town_id",
        "village": "village_id",
        "grid": "grid_id",
    }[area.level]
    return queryset.filter(**{column: area.id})


# ---------------------------------------------------------------- overdue (DESIGN.md §14)
#
# The one definition of "overdue": a case is overdue when the next deadline of its open
# handling period has come (`next_deadline <= now`; the sweep keeps `next_deadline` on the
# earliest deadline it has not yet acted on). Every reader asks here, in one of three forms:
#
# - `overdue_periods(now)`, the query: the sweep (what is due), the `overdue` filter of the API
#   and the case list, the overdue page, the dashboard's panel and the monthly bulletin
#   (`overdue_under`); it walks the partial index `period_next_deadline_open`, so its cost
#   follows what is overdue, not how many cases are open;
# - `period_overdue(period, now)` / `deadline_passed(due, now)`, for a row in hand: the API's
#   `overdue` field, the red badge of a case row and of the case page;
# - `overdue_stages(period, now)`: which stages are late, for the sweep to act on each.
#
# DESIGN.md §14 extends the rule to every stage deadline and the mediation records: here.


def overdue_periods(now: datetime):
    """Open handling periods whose next deadline has come (`next_deadline <= now`)."""
    return HandlingPeriod.objects.filter(
        ended_at__isnull=True, next_deadline__isnull=False, next_deadline__lte=now
    )


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    """The same rule on an open period's next deadline already in hand (a case row annotated
    by `with_clock`): no query."""
    return deadline is not None and deadline <= now


def period_overdue(period: HandlingPeriod | None, now: datetime) -> bool:
    """The same rule on a handling period already in hand (the case page, an API row)."""
    return (
        period is not None
        and period.ended_at is None
        and deadline_passed(period.next_deadline, now)
    )


def stage_due(period: HandlingPeriod, kind: str) -> datetime | None:
    """The deadline of one stage of a period (assign, respond, resolve)."""
    return {
        DeadlineKind.ASSIGN: period.assign_due,
        DeadlineKind.RESPOND: period.respond_due,
        DeadlineKind.RESOLVE: period.resolve_due,
    }[DeadlineKind(kind)]


def overdue_stages(period: HandlingPeriod, now: datetime) -> list[str]:
    """Which stages of a period are late at `now`, earliest deadline first: assign due without
    an assignment, respond due without a first response, resolve due (the sweep acts on each)."""
    kinds = []
    if period.assigned_at is None and period.assign_due <= now:
        kinds.append(DeadlineKind.ASSIGN)
    if period.responded_at is None and period.respond_due and period.respond_due <= now:
        kinds.append(DeadlineKind.RESPOND)
    if period.resolve_due <= now:
        kinds.append(DeadlineKind.RESOLVE)
    return sorted(kinds, key=lambda kind: stage_due(period, kind))


def overdue_case_ids(now: datetime):
    """Ids of the overdue cases, as a subquery (as many rows as are overdue)."""
    return overdue_periods(now).order_by().values_list("case_id", flat=True)


def filter_overdue(queryset, now: datetime | None = None):
    """The overdue cases of `queryset`."""
    return queryset.filter(pk__in=overdue_case_ids(now or timezone.now()))


def filter_overdue_or_supervised(queryset, now: datetime | None = None):
    """Overdue cases and supervised ones (督办): one small set of ids from the deadline index
    and the supervised index, so the cost follows what is overdue, not how many are open."""
    supervised = Case.objects.filter(supervised=True).order_by().values_list("id", flat=True)
    return queryset.filter(pk__in=overdue_case_ids(now or timezone.now()).union(supervised))


def overdue_under(area: Area, *, now: datetime, limit: int) -> list[int]:
    """Ids of the open cases under `area` that are overdue, most overdue first, then the
    supervised ones that are not (an extended deadline), at most `limit`. The overdue periods
    are walked in deadline order through their index and the walk stops at `limit` cases of
    the area, so the cost is the same with ten overdue cases or ten thousand."""
    column = f"{area.level}_id"
    ids = list(
        overdue_periods(now)
        .filter(**{f"case__{column}": area.id}, case__status__in=OPEN_STATUSES)
        .order_by("next_deadline", "-case_id")
        .values_list("case_id", flat=True)[:limit]
    )
    if len(ids) < limit:
        ids += (
            Case.objects.filter(**{column: area.id}, status__in=OPEN_STATUSES, supervised=True)
            .exclude(pk__in=ids)
            .annotate(due_at=open_period_value("next_deadline"))
            .order_by(F("due_at").asc(nulls_last=True), "-id")
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
    return ids


def filter_search(queryset, text: str):
    """Number, title or a party's name contains `text`; a full ID number or phone number
    finds its parties exactly, through the keyed hash (never by decrypting)."""
    text = text.strip()[:100]
    if not text:
        return queryset
    person = _person_lookup(text)
    if person is not None:
        # A case number holds dashes between short runs of digits: never a phone or ID number.
        return queryset.filter(Exists(Party.objects.filter(case=OuterRef("pk"), **person)))
    party = Party.objects.filter(case=OuterRef("pk"), name__icontains=text)
    return queryset.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(Exists(party)))


def _person_lookup(text: str) -> dict | None:
    """The hash column and value a full ID number or phone number is found by, else None."""
    id_number = crypto.normalise_id_number(text)
    if crypto.ID_PATTERN.match(id_number):
        return {"id_number_hash": crypto.id_number_hash(id_number)}
    phone = crypto.normalise_phone(text)
    if crypto.phone_error(phone) is None:
        return {"phone_hash": crypto.phone_hash(phone)}
    return None


def reveal_events(scope, query):
    """Reveals of personal data in an admin's subtree, newest first: the audit trail's
    `reveal` rows (registered with accounts.audit by CasesConfig.ready())."""
    events = CaseEvent.objects.filter(kind=EventKind.REVEAL).select_related("actor", "case")
    if not scope.is_superuser:
        events = events.filter(scope.area_q(RoleKind.ADMIN, prefix="case__"))
    if "actor" in query:
        events = events.filter(actor_id=query["actor"])
    if "after" in query:
        events = events.filter(created_at__gte=query["after"])
    if "before" in query:
        events = events.filter(created_at__lt=query["before"])
    return events.order_by("-created_at", "-id")
