"""Pages for cases: my queue, the town inbox, the overdue list, the case list, intake, the case
page and its actions. Every read goes through `Case.objects.visible_to` (out of scope: the 404
page); every change calls the same service as the API."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import scope_for
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error, form_errors_from, page_of
from grids.choices import LEVEL_RANK as AREA_RANK
from grids.models import Area

from . import forms, queue_panels, selectors
from .choices import LEVEL_RANK, OPEN_STATUSES, Category, Level, Risk, Status
from .models import Attachment, Case

LIST_RELATED = ("origin", "village", "town", "holder", "assignee")


def visible_cases(user):
    return Case.objects.visible_to(user).select_related(*LIST_RELATED)


def case_or_404(request, pk):
    """A case the user may see, or the 404 page (out of scope is the same as absent)."""
    return get_object_or_404(visible_cases(request.user), pk=pk)


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
    queryset = (
        selectors.with_clock(visible_cases(user).filter(condition))
        .annotate(due_sort=Coalesce(F("due_at"), Value(timezone.now() + timedelta(days=3650))))
        .order_by("due_sort", "-reported_at", "-id")
    )
    page = page_of(request, queryset)
    return render(
        request,
        "cases/queue.html",
        {
            "page": page,
            "now": timezone.now(),
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
    return render(
        request,
        "cases/inbox.html",
        {"page": page, "tab": tab, "areas": areas, "now": timezone.now(), "nav_active": "inbox"},
    )


@login_required
def overdue(request):
    """Overdue and supervised (督办) cases in the user's scope; a town officer sees their
    villages' overdue cases first (tab `village`)."""
    now = timezone.now()
    tab = request.GET.get("tab", "all")
    queryset = selectors.with_clock(visible_cases(request.user).filter(status__in=OPEN_STATUSES))
    if tab == "supervised":
        queryset = queryset.filter(supervised=True)
    else:
        queryset = selectors.filter_overdue_or_supervised(queryset, now)
        if tab in {"village", "town", "county"}:
            queryset = queryset.filter(level=tab)
        else:
            tab = "all"
    area = _area_param(request)
    if area is not None:
        queryset = selectors.filter_area(queryset, area)
    queryset = queryset.order_by(F("due_at").asc(nulls_last=True), "-id")
    page = page_of(request, queryset)
    return render(
        request,
        "cases/overdue.html",
        {"page": page, "tab": tab, "area": area, "now": now, "nav_active": "overdue"},
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
    search = request.GET.get("q", "").strip()[:100]
    if search:
        queryset = selectors.filter_search(queryset, search)
    page = page_of(request, queryset.order_by("-reported_at", "-id"))
    export_query = request.GET.copy()
    export_query.pop("page", None)
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
            "export_query": export_query.urlencode(),
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
    """The two-minute intake form (登记): the dispute, its parties and photos."""
    scope = scope_for(request.user)
    if not request.user.is_superuser and not scope.roles_of("grid_worker", "mediator", "officer"):
        raise PermissionDenied("只有网格员、调解员和工作人员可以登记纠纷。")
    origins = forms.origin_choices(request.user)
    if request.method == "POST":
        form = forms.IntakeForm(request.POST, request.FILES, origins=origins)
        parties = forms.PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and parties.is_valid():
            try:
                case = _report(request, form, parties)
            except InvalidInput as error:
                _party_errors(parties, error)
                form_errors_from(form, _without_party_fields(error))
            except DomainError as error:
                flash_domain_error(request, error)
            else:
                messages.success(request, f"已登记：{case.number}")
                return redirect("web:case-detail", pk=case.pk)
    else:
        initial = {}
        if len(origins) == 1:
            initial["origin"] = origins[0][0]
        form = forms.IntakeForm(initial=initial, origins=origins)
        parties = forms.PartyFormSet(prefix="parties")
    return render(
        request,
        "cases/intake.html",
        {"form": form, "parties": parties, "nav_active": "intake"},
    )


@transaction.atomic
def _report(request, form, parties):
    """The case and its photos in one transaction: a refused photo leaves no case behind."""
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


# ---------------------------------------------------------------- the case page


def case_permissions(user, case):
    """Which actions to offer this user on this case right now (the rules of DESIGN.md §6 as
    the services apply them). The services decide for real; this only hides buttons that
    would be refused."""
    from mediation.selectors import can_write_records

    roles = scope_for(user).roles
    superuser = user.is_superuser
    holder = case.holder

    def at_level(*kinds):
        return [
            r
            for r in roles
            if r.kind in kinds and r.area.level == case.level and holder.is_under(r.area)
        ]

    officer_here = superuser or bool(at_level("officer"))
    assignee = case.assignee_id is not None and case.assignee_id == user.pk
    handler = assignee or officer_here
    records = can_write_records(user, case)  # the mediation API's check for its records
    officer_above = any(
        r.kind == "officer"
        and r.area.level in Level.values
        and LEVEL_RANK[Level(r.area.level)] > LEVEL_RANK[Level(case.level)]
        and holder.is_under(r.area)
        for r in roles
    )
    status = case.status
    working = status in {Status.ASSIGNED, Status.IN_PROGRESS}
    allowed = set()
    if status == Status.PENDING:
        if officer_here:
            allowed.add("assign")
        elif case.level == Level.VILLAGE and at_level("mediator"):
            allowed.add("claim")
        if officer_here and case.level != Level.VILLAGE:
            allowed.add("delegate")
    if status == Status.ASSIGNED and handler:
        allowed.add("respond")
    if working and handler:
        allowed.update({"resolve", "extend"})
    if working and records:
        allowed.update({"session", "consultation"})
    if status != Status.CLOSED and records:
        allowed.add("answer")
    if status in {Status.PENDING, Status.ASSIGNED, Status.IN_PROGRESS}:
        if case.level != Level.COUNTY and handler:
            allowed.add("escalate")
        elif officer_above:
            allowed.add("pull_up")
    if status == Status.RESOLVED and handler:
        allowed.add("reopen")
    if status == Status.RESOLVED and records:
        allowed.add("follow_up")
    if status != Status.CLOSED and handler:
        allowed.add("close")
    if handler:
        allowed.add("reveal")
    return allowed


@login_required
def case_detail(request, pk):
    """The case page: facts, masked parties, photos, records, the timeline, and the actions
    allowed to this user now."""
    case = case_or_404(request, pk)
    return _render_case(request, case)


def _render_case(request, case, *, revealed=None, action_forms=None, status=200):
    from mediation.models import Consultation, FollowUp, MediationSession
    from mediation.selectors import agreement_of, follow_up_due, mediators_for

    allowed = case_permissions(request.user, case)
    period = case.periods.filter(ended_at__isnull=True).first()
    events = list(selectors.case_events(case))
    sessions = list(
        MediationSession.objects.filter(case=case).prefetch_related("mediators").order_by("held_at")
    )
    consultations = list(Consultation.objects.filter(case=case).order_by("asked_at"))
    follow_ups = list(FollowUp.objects.filter(case=case).order_by("performed_on", "id"))
    agreement = agreement_of(case)
    action_forms = action_forms or {}
    context_forms = {
        "assign": forms.AssignForm(mediators=mediators_for(case.holder), actor=request.user),
        "respond": forms.NoteForm(),
        "escalate": forms.ReasonForm(),
        "pull_up": forms.ReasonForm(),
        "delegate": forms.DelegateForm(areas=_delegate_areas(case)),
        "resolve": forms.ResolveForm(),
        "extend": forms.ExtendForm(),
        "reopen": forms.ReasonForm(),
        "close": forms.CloseForm(case=case),
        "session": forms.SessionForm(),
        "consultation": forms.ConsultationForm(),
        "follow_up": forms.FollowUpForm(),
    }
    context_forms.update(action_forms)
    for key, form in context_forms.items():
        form.auto_id = f"id_{key}_%s"  # one page, many forms: keep element ids unique
    now = timezone.now()
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": list(case.parties.all()),
            "attachments": list(case.attachments.all()),
            "period": period,
            "overdue": bool(period and period.next_deadline and period.next_deadline < now),
            "events": events,
            "sessions": sessions,
            "consultations": consultations,
            "follow_ups": follow_ups,
            "agreement": agreement,
            "follow_up_due": follow_up_due(case) if case.status == Status.RESOLVED else None,
            "allowed": allowed,
            "forms": context_forms,
            "open_action": next(iter(action_forms), None),
            "revealed": revealed or {},
            "now": now,
        },
        status=status,
    )


def _delegate_areas(case):
    """Where an officer may hand a pending case down: the origin's town or village, below
    the current level."""
    below = [
        level
        for level in (Level.TOWN, Level.VILLAGE)
        if LEVEL_RANK[level] < LEVEL_RANK[Level(case.level)]
    ]
    ids = [case.town_id if level == Level.TOWN else case.village_id for level in below]
    return Area.objects.filter(pk__in=ids).order_by("code")


@login_required
def attachment_file(request, pk, attachment_pk):
    """A photo of a case, served only to those who may see the case."""
    case = case_or_404(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, case=case)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------- actions


ACTION_FORMS = {
    "claim": None,
    "assign": "assign",
    "respond": "respond",
    "escalate": "escalate",
    "pull_up": "pull_up",
    "delegate": "delegate",
    "resolve": "resolve",
    "extend": "extend",
    "reopen": "reopen",
    "close": "close",
    "session": "session",
    "consultation": "consultation",
    "follow_up": "follow_up",
    "answer": "answer",
    "reveal": None,
}

DONE = {
    "claim": "已认领，请尽快联系当事人。",
    "assign": "已分派。",
    "respond": "已记录首次响应。",
    "escalate": "已上报上级。",
    "pull_up": "已提级到本级办理。",
    "delegate": "已交办。",
    "resolve": "已记录调解协议，案件调解成功。",
    "extend": "已延期。",
    "reopen": "已重新调解。",
    "close": "已结案。",
    "session": "已记录调解。",
    "consultation": "已提出咨询。",
    "follow_up": "已记录回访。",
    "answer": "已记录答复意见。",
}


@login_required
@require_POST
def case_action(request, pk, action):
    """Run one action on a case through its service; errors come back on the case page."""
    if action not in ACTION_FORMS:
        raise Http404
    case = case_or_404(request, pk)
    allowed = case_permissions(request.user, case)
    if action not in allowed:
        messages.error(request, "当前状态下您不能进行此操作。")
        return redirect("web:case-detail", pk=case.pk)
    form = None
    if action == "reveal":
        return _reveal(request, case)
    if ACTION_FORMS[action]:
        form = _bound_form(action, request, case)
        if not form.is_valid() and action == "answer":
            messages.error(request, "请填写答复意见。")
            return redirect("web:case-detail", pk=case.pk)
        if not form.is_valid():
            return _render_case(request, case, action_forms={action: form}, status=400)
    try:
        _run(action, request, case, form.cleaned_data if form else {})
    except InvalidInput as error:
        if form is None:
            flash_domain_error(request, error)
            return redirect("web:case-detail", pk=case.pk)
        form_errors_from(form, error)
        return _render_case(request, case, action_forms={action: form}, status=400)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:case-detail", pk=case.pk)
    messages.success(request, DONE[action])
    return redirect("web:case-detail", pk=case.pk)


def _bound_form(action, request, case):
    from mediation.selectors import mediators_for

    data = request.POST
    if action == "assign":
        return forms.AssignForm(data, mediators=mediators_for(case.holder), actor=request.user)
    if action == "delegate":
        return forms.DelegateForm(data, areas=_delegate_areas(case))
    if action == "close":
        return forms.CloseForm(data, case=case)
    form_class = {
        "respond": forms.NoteForm,
        "escalate": forms.ReasonForm,
        "pull_up": forms.ReasonForm,
        "reopen": forms.ReasonForm,
        "resolve": forms.ResolveForm,
        "extend": forms.ExtendForm,
        "session": forms.SessionForm,
        "consultation": forms.ConsultationForm,
        "follow_up": forms.FollowUpForm,
        "answer": forms.AnswerForm,
    }[action]
    return form_class(data)


def _run(action, request, case, data):
    from mediation import services as records
    from mediation.models import Consultation

    from . import services

    actor = request.user
    if action == "claim":
        services.case_assign(actor=actor, case_id=case.pk, assignee=actor)
    elif action == "assign":
        services.case_assign(actor=actor, case_id=case.pk, assignee=data["assignee"])
    elif action == "respond":
        services.case_respond(actor=actor, case_id=case.pk, note=data["note"])
    elif action in {"escalate", "pull_up"}:
        services.case_escalate(actor=actor, case_id=case.pk, reason=data["reason"])
    elif action == "delegate":
        services.case_delegate(actor=actor, case_id=case.pk, area=data["area"], note=data["note"])
    elif action == "resolve":
        agreement = {
            "form": data["form"],
            "terms": data["terms"],
            "perform_by": data.get("perform_by"),
        }
        for name in ("facts", "responsibilities", "performance_method"):
            if data.get(name):
                agreement[name] = data[name]
        services.case_resolve(actor=actor, case_id=case.pk, agreement=agreement)
    elif action == "extend":
        services.case_extend(
            actor=actor, case_id=case.pk, until=data["until"], consent_note=data["consent_note"]
        )
    elif action == "reopen":
        services.case_reopen(actor=actor, case_id=case.pk, reason=data["reason"])
    elif action == "close":
        services.case_close(
            actor=actor, case_id=case.pk, outcome=data["outcome"], note=data["note"]
        )
    elif action == "session":
        records.session_record(
            case=case,
            actor=actor,
            held_at=data["held_at"],
            place=data["place"],
            minutes=data["minutes"],
            attendees=data.get("attendees", ""),
        )
    elif action == "consultation":
        records.consultation_ask(
            case=case,
            actor=actor,
            consultant_kind=data["consultant_kind"],
            consultant_name=data["consultant_name"],
            consultant_org=data.get("consultant_org", ""),
            question=data["question"],
            due_at=data["due_at"],
        )
    elif action == "answer":
        consultation = get_object_or_404(
            Consultation, pk=data["consultation"], case=case, answered_at__isnull=True
        )
        records.consultation_answer(consultation=consultation, actor=actor, answer=data["answer"])
    elif action == "follow_up":
        records.follow_up_record(
            case=case,
            actor=actor,
            method=data["method"],
            performed=data["performed"] == "yes",
            satisfaction=data["satisfaction"],
            remaining_risk=data["remaining_risk"],
            note=data.get("note", ""),
        )


def _reveal(request, case):
    """Show one party's full ID number or phone once (recorded in the audit log)."""
    from . import services

    party_id = request.POST.get("party", "")
    field = request.POST.get("field", "")
    if not party_id.isdigit() or field not in {"id_number", "phone"}:
        messages.error(request, "请选择要查看的信息。")
        return redirect("web:case-detail", pk=case.pk)
    party = case.parties.filter(pk=int(party_id)).first()
    if party is None:
        raise Http404
    try:
        value = services.case_reveal(
            actor=request.user, case_id=case.pk, party_id=party.pk, field=field
        )
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:case-detail", pk=case.pk)
    return _render_case(request, case, revealed={"party": party.pk, "field": field, "value": value})
