"""Reads about cases: the scoped list and detail querysets with what the serializers need."""

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from accounts.choices import RoleKind
from grids.models import Area

from .choices import EventKind
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


def _late_case_ids(now):
    """Ids of cases whose open handling period has a passed deadline (the partial deadline
    index: as many rows as are overdue, whatever the number of cases)."""
    return (
        HandlingPeriod.objects.filter(
            ended_at__isnull=True, next_deadline__isnull=False, next_deadline__lt=now
        )
        .order_by()
        .values_list("case_id", flat=True)
    )


def filter_overdue(queryset, now=None):
    """Cases with an open handling period whose earliest unmet deadline has passed."""
    return queryset.filter(pk__in=_late_case_ids(now or timezone.now()))


def filter_overdue_or_supervised(queryset, now=None):
    """Overdue cases and supervised ones (督办): one small set of ids from the deadline index
    and the supervised index, so the cost follows what is overdue, not how many are open."""
    supervised = Case.objects.filter(supervised=True).order_by().values_list("id", flat=True)
    return queryset.filter(pk__in=_late_case_ids(now or timezone.now()).union(supervised))


def filter_search(queryset, text: str):
    """Number, title or a party's name contains `text`."""
    text = text.strip()[:100]
    if not text:
        return queryset
    party = Party.objects.filter(case=OuterRef("pk"), name__icontains=text)
    return queryset.filter(Q(number__icontains=text) | Q(title__icontains=text) | Q(Exists(party)))


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
