"""Pages for cases: my queue, the town inbox, the overdue list, the case list, intake and the
case's photos. Every read goes through `Case.objects.visible_to` (out of scope: the 404 page);
every change calls the same service as the API. The case page, which shows the mediation
records too, is in mediation/views.py."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import scope_for
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error, form_errors_from, page_of
from grids.choices import LEVEL_RANK as AREA_RANK
from grids.models import Area

from . import forms, list_page, list_rows, queue_panels, selectors, village_rating
from . import intake as intake_once
from .choices import OPEN_STATUSES, Category, Level, Risk, Status
from .models import Attachment, Case
from .overdue import first_late_due
from .policy import access_case

LIST_RELATED = ("origin", "village", "town", "holder", "assignee")


def visible_cases(user):
    return Case.objects.visible_to(user).select_related(*LIST_RELATED)


def _roles(user, *kinds, level=None):
    return [
        r
        for r in scope_for(user).roles
        if (not kinds or r.kind in kinds) and (level is None or r.area.level == level)
    ]


# ---------------------------------------------------------------- lists


@login_required
def queue(request):
    """待办: what is assigned to me, what I may claim at my village, and (grid workers) what
    I reported that is still open; due soonest first, overdue in red."""
    user = request.user
    condition = Q(assignee=user, status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RESOLVED])
    for role in _roles(user, "mediator", "officer"):
        condition |= Q(status=Status.PENDING, holder=role.area)
    if _roles(user, "grid_worker"):
        condition |= Q(reported_by=user, status__in=OPEN_STATUSES)
    now = timezone.now()
    queryset = (
        selectors.with_clock(visible_cases(user).filter(condition))
        .annotate(
            due_sort=Coalesce(
                selectors.open_period_value(first_late_due()), Value(now + timedelta(days=3650))
            )
        )
        .order_by("due_sort", "-reported_at", "-id")
    )
    page = page_of(request, queryset)
    list_rows.present(page.rows, now)
    return render(
        request,
        "cases/queue.html",
        {
            "page": page,
            "now": now,
            "nav_active": "queue",
            "panels": queue_panels.panels_for(request),
        },
    )


@login_required
def inbox(request):
    """The town (or county) office's inbox: cases held at the officer's area, pending first
    and the newest arrivals (escalations) first."""
    areas = [
        r.area
        for r in scope_for(request.user).roles
        if r.kind in {"officer", "admin", "viewer"} and r.area.level in {"town", "county"}
    ]
    if not areas and not request.user.is_superuser:
        raise Http404
    tab = request.GET.get("tab", "open")
    queryset = visible_cases(request.user)
    if not request.user.is_superuser:
        queryset = queryset.filter(holder__in=areas)
    if tab == "pending":
        queryset = queryset.filter(status=Status.PENDING)
    elif tab == "closed":
        queryset = queryset.filter(status=Status.CLOSED)
    else:
        tab = "open"
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    queryset = selectors.with_clock(queryset).annotate(
        pending_first=When_(
            When(status=Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        escalated=When_(
            When(entered_by="escalate", then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
    )
    queryset = queryset.order_by(
        "pending_first", "escalated", F("arrived_at").desc(nulls_last=True), "-id"
    )
    page = page_of(request, queryset)
    now = timezone.now()
    list_rows.present(page.rows, now)
    return render(
        request,
        "cases/inbox.html",
        {"page": page, "tab": tab, "areas": areas, "now": now, "nav_active": "inbox"},
    )


@login_required
def overdue(request):
    """超期督办: overdue and supervised (督办) cases in the user's scope, by the level that holds
    them now (tabs `village`, `town`, `county`, each with its count: a town officer sees their
    villages' overdue cases under 村级超期), most late first."""
    now = timezone.now()
    tab = request.GET.get("tab", "all")
    scoped = visible_cases(request.user).filter(status__in=OPEN_STATUSES)
    area = _area_param(request)
    if area is not None:
        scoped = selectors.filter_area(scoped, area)
    queryset = selectors.with_clock(scoped)
    if tab == "supervised":
        queryset = queryset.filter(supervised=True)
    else:
        queryset = selectors.filter_overdue_or_supervised(queryset, now)
        if tab in {"village", "town", "county"}:
            queryset = queryset.filter(level=tab)
        else:
            tab = "all"
    queryset = queryset.annotate(late_sort=selectors.open_period_value(first_late_due())).order_by(
        F("late_sort").asc(nulls_last=True), "-id"
    )
    page = page_of(request, queryset)
    list_rows.present(page.rows, now)
    counts = selectors.overdue_counts_by_level(scoped, now)
    return render(
        request,
        "cases/overdue.html",
        {
            "page": page,
            "tab": tab,
            "area": area,
            "now": now,
            "counts": counts,
            "total": sum(counts.values()),
            "nav_active": "overdue",
        },
    )


def _area_param(request):
    """The `area` filter of a list, as an Area the user may look at (else ignored)."""
    value = request.GET.get("area")
    if not value or not value.isdigit():
        return None
    area = Area.objects.filter(pk=int(value)).first()
    if area is None or area.level not in {"county", "town", "village", "grid"}:
        return None
    if not request.user.is_superuser and not scope_for(request.user).covers(area):
        raise Http404
    return area


@login_required
def case_list(request):
    """Every case in scope, filtered (area, status, level, category, risk, overdue, search)."""
    now = timezone.now()
    queryset = selectors.with_clock(visible_cases(request.user))
    area = _area_param(request)
    if area is not None:
        queryset = selectors.filter_area(queryset, area)
    filters = {
        "status": Status.values,
        "level": Level.values,
        "category": Category.values,
        "risk": Risk.values,
    }
    chosen = {}
    for name, allowed in filters.items():
        value = request.GET.get(name, "")
        if value in allowed:
            queryset = queryset.filter(**{name: value})
            chosen[name] = value
    if request.GET.get("overdue") == "true":
        queryset = selectors.filter_overdue(queryset, now)
        chosen["overdue"] = "true"
    if request.GET.get("village_rating", "") in village_rating.RATING_VALUES:
        chosen["village_rating"] = request.GET["village_rating"]
        queryset = village_rating.filter_village_rating(queryset, chosen["village_rating"])
    search = request.GET.get("q", "").strip()[:100]
    if search:
        queryset = selectors.filter_search(queryset, search)
    window = list_page.date_window(request)
    after, before = window.bounds()
    if after:
        queryset = queryset.filter(reported_at__gte=after)
    if before:
        queryset = queryset.filter(reported_at__lt=before)
    sort = list_page.sort_of(request)
    queryset = list_page.ordered(queryset, sort)
    page = page_of(request, queryset)
    list_rows.present(page.rows, now)
    export_query = request.GET.copy()
    for name in ("page", "sort", "from", "to"):
        export_query.pop(name, None)
    if after:
        export_query["reported_after"] = after.isoformat()
    if before:
        export_query["reported_before"] = before.isoformat()
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "area": area,
            "crumbs": area_crumbs(request.user, area) if area else [],
            "chosen": chosen,
            "search": search,
            "now": now,
            "statuses": Status.choices,
            "levels": Level.choices,
            "categories": Category.choices,
            "risks": Risk.choices,
            "village_ratings": village_rating.RATINGS,
            "export_query": export_query.urlencode(),
            "window": window,
            "towns": list_page.town_options(request.user, area),
            "total": list_page.total(queryset),
            "cap": list_page.COUNT_CAP,
            "sort": sort,
            "sort_links": list_page.sort_links(request, sort),
            "nav_active": "cases",
        },
    )


def area_crumbs(user, area):
    """The drill-down path to `area`, from the highest area the user covers."""
    if area is None:
        return []
    chain = area.ancestors() + [area]
    scope = scope_for(user)
    if user.is_superuser:
        return [a for a in chain if AREA_RANK[a.level] >= AREA_RANK["county"]]
    return [a for a in chain if scope.covers(a)]


# ---------------------------------------------------------------- intake


@login_required
def intake(request):
    """The two-minute intake form (登记): the dispute, its parties and photos. The form's token
    is its idempotency key (a double tap or a replay from the phone's outbox gives the first
    case); a form sent back for a correction keeps every value, holds its photos and lists
    its errors at the top. A request asking for JSON (the outbox's replay) gets JSON."""
    scope = scope_for(request.user)
    if not request.user.is_superuser and not scope.roles_of("grid_worker", "mediator", "officer"):
        raise PermissionDenied("只有网格员、调解员和工作人员可以登记纠纷。")
    origins = forms.origin_choices(request.user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    held = []
    if request.method == "POST":
        token = _form_token(request)
        held = intake_once.held_photos(actor=request.user, token=token)
        dropped = set(request.POST.getlist("drop_photo"))
        kept = [p for p in held if str(p.pk) not in dropped]
        form = forms.IntakeForm(request.POST, request.FILES, origins=origins, held=len(kept))
        parties = forms.PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and parties.is_valid():
            try:
                case, new = intake_once.report_once(
                    actor=request.user,
                    key=token,
                    digest=intake_once.fingerprint(
                        {**form.cleaned_data, "parties": parties.cleaned_parties()}
                    ),
                    report=lambda: _report(request, form, parties, kept),
                )
            except intake_once.KeyReused as error:
                return _already_reported(request, error, wants_json)
            except InvalidInput as error:
                _party_errors(parties, error)
                form_errors_from(form, _without_party_fields(error))
            except DomainError as error:
                if wants_json:
                    return JsonResponse(error.as_data(), status=error.status_code)
                flash_domain_error(request, error)
            else:
                intake_once.drop_held(held)
                return _reported(request, case, new, wants_json)
        if wants_json:
            # The phone still has the photos (its outbox, or the form it falls back to).
            return JsonResponse(
                {
                    "detail": "登记信息有误，请修改后重新提交。",
                    "errors": _error_summary(form, parties),
                },
                status=400,
            )
        intake_once.drop_held([p for p in held if str(p.pk) in dropped])
        room = max(0, 9 - len(kept))
        intake_once.hold_photos(
            actor=request.user, token=token, files=request.FILES.getlist("photos")[:room]
        )
        held = intake_once.held_photos(actor=request.user, token=token)
    else:
        intake_once.drop_expired(request.user)
        token = intake_once.new_token()
        initial = {}
        flat = forms.flat_choices(origins)
        if len(flat) == 1:
            initial["origin"] = flat[0][0]
        form = forms.IntakeForm(initial=initial, origins=origins)
        parties = forms.PartyFormSet(prefix="parties")
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "parties": parties,
            "form_token": token,
            "held": held,
            "summary": _error_summary(form, parties) if form.is_bound else [],
            "nav_active": "intake",
        },
    )


def _form_token(request) -> str:
    """The intake's key: the outbox's header, else the form's hidden token; a post without
    one (an old page) gets a fresh key, so it is taken once, as before."""
    token = request.headers.get(intake_once.HEADER) or request.POST.get("form_token", "")
    try:
        return intake_once.check_key(token)
    except InvalidInput:
        return intake_once.new_token()


def _reported(request, case, new, wants_json):
    if wants_json:
        if new:
            messages.success(request, f"已登记：{case.number}")
        return JsonResponse(
            {
                "id": case.pk,
                "number": case.number,
                "url": reverse("web:case-detail", args=[case.pk]),
                "replayed": not new,
            },
            status=201,
        )
    if new:
        messages.success(request, f"已登记：{case.number}")
    else:
        messages.info(request, f"此登记已提交过，未重复登记：{case.number}")
    return redirect("web:case-detail", pk=case.pk)


def _already_reported(request, error, wants_json):
    if wants_json:
        return JsonResponse(error.as_data(), status=error.status_code)
    messages.warning(
        request,
        f"此登记表已提交过（{error.extra['number']}），本次修改未保存；"
        "如需登记另一起纠纷，请重新打开登记页。",
    )
    return redirect("web:case-detail", pk=error.extra["case"])


def _error_summary(form, parties):
    """Every error of the form, each with the id of its field (the summary's links)."""
    rows = [{"id": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    for field in form:
        rows += [
            {"id": field.auto_id, "label": field.label, "message": str(e)} for e in field.errors
        ]
    rows += [
        {"id": "parties-forms", "label": "当事人", "message": str(e)}
        for e in parties.non_form_errors()
    ]
    for number, party in enumerate(parties.forms, start=1):
        if not party.is_bound:
            continue
        rows += [
            {"id": f"party-{number}", "label": f"当事人{number}", "message": str(e)}
            for e in party.non_field_errors()
        ]
        for field in party:
            rows += [
                {"id": field.auto_id, "label": f"当事人{number} {field.label}", "message": str(e)}
                for e in field.errors
            ]
    return rows


@transaction.atomic
def _report(request, form, parties, held=()):
    """The case and its photos (held ones and new ones) in one transaction: a refused photo
    leaves no case behind."""
    from . import services

    data = form.cleaned_data
    case = services.case_report(
        actor=request.user,
        title=data["title"],
        facts=data["facts"],
        category=data["category"],
        source=data["source"],
        risk=data["risk"],
        area=data["origin"],
        occurred_on=data.get("occurred_on"),
        amount=data.get("amount"),
        people_involved=data.get("people_involved") or 2,
        parties=[p for p in parties.cleaned_parties()],
    )
    for photo in held:
        with photo.file.open("rb") as handle:
            services.case_attach(
                actor=request.user, case_id=case.pk, file=File(handle, name=photo.name)
            )
    for upload in request.FILES.getlist("photos"):
        services.case_attach(actor=request.user, case_id=case.pk, file=upload)
    return case


def _without_party_fields(error):
    fields = {k: v for k, v in error.fields.items() if not k.startswith("parties")}
    return InvalidInput(error.message, fields=fields)


def _party_errors(parties, error):
    """Put the service's party messages ({"0": {"phone": [...]}} or a list per party) beside
    the right field of the right party; general ones above the parties."""
    raw = error.fields.get("parties")
    filled = [f for f in parties.forms if f.has_changed()]
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        raw = dict(enumerate(raw))
    if not isinstance(raw, dict):
        for message in raw if isinstance(raw, list) else [raw] if raw else []:
            parties._non_form_errors.append(str(message))
        return
    for index, problems in raw.items():
        index = int(index) if str(index).isdigit() else -1
        if not 0 <= index < len(filled) or not isinstance(problems, dict):
            continue
        form = filled[index]
        for name, messages_ in problems.items():
            for message in messages_ if isinstance(messages_, list) else [messages_]:
                form.add_error(name if name in form.fields else None, str(message))


@login_required
def attachment_file(request, pk, attachment_pk):
    """A photo of a case, served only to those who may see the case."""
    case = access_case(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    # A download, never rendered in the page's origin, with the type recorded at upload.
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
