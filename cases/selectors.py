"""Reads about cases: the scoped list and detail querysets with what the serializers need."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from accounts.choices import RoleKind
from grids.models import Area

from . import crypto, overdue
from .choices import OPEN_STATUSES, DeadlineKind, EventKind
from .models import Case, CaseEvent, HandlingPeriod, Party


def open_periods():
    """Open handling periods, each with its sweep cursor (the next deadline still ahead or not
    yet acted on, which the lists and the API show)."""
    return HandlingPeriod.objects.filter(ended_at__isnull=True).select_related("cursor")


# Long texts a list row never shows; the detail and the export read them.
LIST_DEFERRED = ("facts", "outcome_note")


def open_period_value(field):
    """A column (or an expression) of the case's open handling period, as a subquery to
    annotate cases with."""
    periods = HandlingPeriod.objects.filter(case=OuterRef("pk"), ended_at__isnull=True)
    if not isinstance(field, str):
        periods, field = periods.annotate(value=field), "value"
    return Subquery(periods.values(field)[:1])


def with_clock(queryset):
    """Annotate each case with its open handling period's next deadline and arrival."""
    return queryset.annotate(
        due_at=open_period_value("cursor__next_deadline"),
        due_kind=open_period_value("cursor__next_deadline_kind"),
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
# The one definition of "overdue" is `cases.overdue`: a case is overdue when any deadline it
# owes has passed without its event (the stages of its open handling period, and what the apps
# above register: the mediation records…). Every reader here asks it:
#
# - `overdue_case_ids(now)`, the query (a union of the sources' indexed looks): the `overdue`
#   filter of the API and the case list, the overdue page and its counts;
# - `overdue_under(area, …)`: the dashboard's panel and the monthly bulletin, most late first;
# - `attach_late(rows, now)` / `period_overdue`: what is late for rows in hand (the queue, the
#   case page, the API's `overdue` and `late`), one query per source for a whole page.
#
# The sweep's cursor (`PeriodCursor`, what it has still to act on) is not read here.


def overdue_case_ids(now: datetime):
    """Ids of the overdue cases, as a subquery (as many rows as are overdue)."""
    return overdue.overdue_case_ids(now)


def period_overdue(period: HandlingPeriod | None, now: datetime) -> bool:
    """A handling period in hand has a stage past due without its event (no query)."""
    return bool(overdue.period_late_items(period, now))


def stage_due(period: HandlingPeriod, kind: str) -> datetime | None:
    """The deadline of one stage of a period (assign, respond, resolve)."""
    return {
        DeadlineKind.ASSIGN: period.assign_due,
        DeadlineKind.RESPOND: period.respond_due,
        DeadlineKind.RESOLVE: period.resolve_due,
    }[DeadlineKind(kind)]


def overdue_stages(period: HandlingPeriod, now: datetime) -> list[str]:
    """Which stages of a period are late at `now`, earliest deadline first (the sweep acts on
    each): the period's items of the one rule."""
    return [item.kind for item in overdue.period_late_items(period, now)]


def attach_late(rows, now: datetime) -> list:
    """Set `row.late` (the late items, earliest first) on each case of a page in hand: one
    query per overdue source for the whole page."""
    rows = list(rows)
    found = overdue.late_items(
        [row.pk for row in rows],
        now,
        statuses={row.pk: row.status for row in rows},
    )
    for row in rows:
        row.late = found.get(row.pk, [])
    return rows


def filter_overdue(queryset, now: datetime | None = None):
    """The overdue cases of `queryset`."""
    return queryset.filter(pk__in=overdue_case_ids(now or timezone.now()))


def filter_overdue_or_supervised(queryset, now: datetime | None = None):
    """Overdue cases and supervised ones (督办): one small set of ids from the deadline indexes
    and the supervised index, so the cost follows what is overdue, not how many are open."""
    supervised = Case.objects.filter(supervised=True).order_by().values_list("id", flat=True)
    return queryset.filter(pk__in=overdue_case_ids(now or timezone.now()).union(supervised))


def overdue_under(area: Area, *, now: datetime, limit: int) -> list[int]:
    """Ids of the open cases under `area` that are overdue, the oldest late deadline first,
    then the supervised ones that are not, at most `limit`. Each overdue source answers with
    its `limit` oldest, so the cost is the same with ten overdue cases or ten thousand."""
    column = f"{area.level}_id"
    ids = overdue.most_late_under(area, now, limit)
    if len(ids) < limit:
        ids += (
            Case.objects.filter(**{column: area.id}, status__in=OPEN_STATUSES, supervised=True)
            .exclude(pk__in=ids)
            .order_by("reported_at", "id")
            .values_list("pk", flat=True)[: limit - len(ids)]
        )
    return ids


def overdue_counts_by_level(queryset, now: datetime) -> dict[str, int]:
    """How many cases of `queryset` are overdue or supervised, by current level (the overdue
    page's tabs): one GROUP BY over the overdue set."""
    rows = (
        filter_overdue_or_supervised(queryset, now)
        .order_by()
        .values("level")
        .annotate(n=Count("pk"))
    )
    return {row["level"]: row["n"] for row in rows}


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
