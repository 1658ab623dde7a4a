"""Pages for mediation: the case page, where the lifecycle and the records of a case meet,
and the grid worker's monthly inspection report (排查), with a one-tap zero report (零上报).

The case page lives here, above the cases app, because it shows and writes the mediation
records beside the case (the layers contract: cases never imports mediation). It finds the
case through `access_case` (out of scope: the 404 page), shows the actions `CasePolicy` allows,
and runs each through the same service as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import scope_for
from cases import forms
from cases import selectors as case_selectors
from cases import services as case_services
from cases.choices import LEVEL_RANK, OPEN_STATUSES, Level, Status
from cases.models import Case
from cases.policy import CasePolicy, access_case
from config.errors import DomainError, InvalidInput
from config.pages import flash_domain_error, form_errors_from
from grids.models import Area

from . import services
from .agreement_views import agreement_panel
from .models import Agreement, Consultation, FollowUp, MediationSession
from .next_step import next_step
from .selectors import (
    agreement_of,
    follow_up_due,
    inspections_visible_to,
    mediators_for,
    month_start,
)

# The actions the case page offers, and the stages at which it offers a record form (the
# policy allows a session on a pending case over the API; the page offers it from assignment).
PAGE_ACTIONS = {
    "claim",
    "assign",
    "respond",
    "escalate",
    "pull_up",
    "delegate",
    "resolve",
    "extend",
    "reopen",
    "close",
    "session",
    "consultation",
    "follow_up",
    "answer",
    "reveal",
    "route",
}
PAGE_STAGES = {
    "session": {Status.ASSIGNED, Status.IN_PROGRESS},
    "consultation": {Status.ASSIGNED, Status.IN_PROGRESS},
    "follow_up": {Status.RESOLVED},
    "answer": set(OPEN_STATUSES),
}


def page_actions(user, case) -> set[str]:
    """The buttons of the case page: what the case policy allows this user now (a follow-up
    once the agreement is in effect, art. 31)."""
    allowed = CasePolicy(user, case).allowed_actions() & PAGE_ACTIONS
    allowed = {a for a in allowed if a not in PAGE_STAGES or case.status in PAGE_STAGES[a]}
    if "follow_up" in allowed and not agreement_in_effect(case):
        allowed.discard("follow_up")
    if "route" in allowed and not found_not_performed(case):
        allowed.discard("route")
    return allowed


def consulted(user, case) -> bool:
    """The user is the consultant of an unanswered consultation of the case."""
    return Consultation.objects.filter(
        case=case, consultant_id=user.pk, answered_at__isnull=True
    ).exists()


def agreement_in_effect(case) -> bool:
    return Agreement.objects.filter(case=case, effective_on__isnull=False).exists()


def found_not_performed(case) -> bool:
    """The last follow-up found the agreement not performed (art. 31: reopen or route)."""
    last = FollowUp.objects.filter(case=case).order_by("-performed_on", "-id").first()
    return last is not None and not last.performed


@login_required
def case_detail(request, pk):
    """The case page: facts, masked parties, photos, records, the timeline, and the actions
    allowed to this user now."""
    case = access_case(request.user, pk)
    return _render_case(request, case)


def _render_case(request, case, *, revealed=None, action_forms=None, status=200):
    allowed = page_actions(request.user, case)
    period = case.periods.filter(ended_at__isnull=True).select_related("cursor").first()
    events = list(case_selectors.case_events(case))
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
        "escalate": forms.EscalateForm(initial={"from_level": case.level}),
        "pull_up": forms.EscalateForm(initial={"from_level": case.level}),
        "delegate": forms.DelegateForm(areas=_delegate_areas(case)),
        "resolve": forms.ResolveForm(initial={"facts": case.facts}),
        "extend": forms.ExtendForm(case=case),
        "reopen": forms.ReasonForm(),
        "close": forms.CloseForm(case=case),
        "session": forms.SessionForm(),
        "consultation": forms.ConsultationForm(case=case),
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
            "late": case_selectors.attach_late([case], now)[0].late,
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
            "next_step": next_step(case, now=now),
            "agreement_panel": agreement_panel(request.user, case, allowed),
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
    case = access_case(request.user, pk)
    allowed = page_actions(request.user, case)
    if action == "answer" and consulted(request.user, case):
        allowed.add("answer")  # a consultant answers their own consultation (the policy says so)
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
    data = request.POST
    if action == "assign":
        return forms.AssignForm(data, mediators=mediators_for(case.holder), actor=request.user)
    if action == "delegate":
        return forms.DelegateForm(data, areas=_delegate_areas(case))
    if action == "close":
        return forms.CloseForm(data, case=case)
    if action == "consultation":
        return forms.ConsultationForm(data, case=case)
    if action == "extend":
        return forms.ExtendForm(data, case=case)
    form_class = {
        "respond": forms.NoteForm,
        "escalate": forms.EscalateForm,
        "pull_up": forms.EscalateForm,
        "reopen": forms.ReasonForm,
        "resolve": forms.ResolveForm,
        "session": forms.SessionForm,
        "consultation": forms.ConsultationForm,
        "follow_up": forms.FollowUpForm,
        "answer": forms.AnswerForm,
    }[action]
    return form_class(data)


def _run(action, request, case, data):
    actor = request.user
    if action == "claim":
        case_services.case_assign(actor=actor, case_id=case.pk, assignee=actor)
    elif action == "assign":
        case_services.case_assign(actor=actor, case_id=case.pk, assignee=data["assignee"])
    elif action == "respond":
        case_services.case_respond(actor=actor, case_id=case.pk, note=data["note"])
    elif action in {"escalate", "pull_up"}:
        case_services.case_escalate(
            actor=actor,
            case_id=case.pk,
            reason=data["reason"],
            from_level=data["from_level"] or None,
        )
    elif action == "delegate":
        case_services.case_delegate(
            actor=actor, case_id=case.pk, area=data["area"], note=data["note"]
        )
    elif action == "resolve":
        agreement = {
            "form": data["form"],
            "terms": data["terms"],
            "perform_by": data.get("perform_by"),
        }
        for name in ("facts", "responsibilities", "performance_method"):
            if data.get(name):
                agreement[name] = data[name]
        case_services.case_resolve(actor=actor, case_id=case.pk, agreement=agreement)
    elif action == "extend":
        case_services.case_extend(
            actor=actor,
            case_id=case.pk,
            until=data["until"],
            parties=data["parties"],
            agreed_on=data["agreed_on"],
            consent_note=data["consent_note"],
        )
    elif action == "reopen":
        case_services.case_reopen(actor=actor, case_id=case.pk, reason=data["reason"])
    elif action == "close":
        case_services.case_close(
            actor=actor,
            case_id=case.pk,
            outcome=data["outcome"],
            note=data["note"],
            routes=data.get("routes"),
        )
    elif action == "session":
        services.session_record(
            actor=actor,
            case_id=case.pk,
            held_at=data["held_at"],
            place=data["place"],
            minutes=data["minutes"],
            attendees=data.get("attendees", ""),
        )
    elif action == "consultation":
        services.consultation_ask(
            actor=actor,
            case_id=case.pk,
            consultant_kind=data["consultant_kind"],
            consultant_name=data.get("consultant_name") or "",
            consultant_org=data.get("consultant_org", ""),
            member=data.get("member"),
            question=data["question"],
            due_at=data["due_at"],
        )
    elif action == "answer":
        consultation = get_object_or_404(
            Consultation, pk=data["consultation"], case=case, answered_at__isnull=True
        )
        services.consultation_answer(
            actor=actor, case_id=case.pk, consultation_id=consultation.pk, answer=data["answer"]
        )
    elif action == "follow_up":
        services.follow_up_record(
            actor=actor,
            case_id=case.pk,
            method=data["method"],
            performed=data["performed"] == "yes",
            satisfaction=data["satisfaction"],
            remaining_risk=data["remaining_risk"],
            note=data.get("note", ""),
            performed_on=data["performed_on"],
        )


def _reveal(request, case):
    """Show one party's full ID number or phone once (recorded in the audit log)."""
    party_id = request.POST.get("party", "")
    field = request.POST.get("field", "")
    if not party_id.isdigit() or field not in {"id_number", "phone"}:
        messages.error(request, "请选择要查看的信息。")
        return redirect("web:case-detail", pk=case.pk)
    party = case.parties.filter(pk=int(party_id)).first()
    if party is None:
        raise Http404
    try:
        value = case_services.case_reveal(
            actor=request.user, case_id=case.pk, party_id=party.pk, field=field
        )
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:case-detail", pk=case.pk)
    response = _render_case(
        request, case, revealed={"party": party.pk, "field": field, "value": value}
    )
    # The page carries a full ID number or phone: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- inspections


def _my_grids(user):
    scope = scope_for(user)
    grids = [r.area for r in scope.roles_of("grid_worker") if r.area.level == "grid"]
    return sorted(grids, key=lambda a: a.code)


@login_required
def inspections(request):
    """This month's report for each of my grids: filed or not, a zero-report button, the
    disputes found this month to attach, and the last reports."""
    grids = _my_grids(request.user)
    if not grids and not scope_for(request.user).roles_of("officer", "viewer"):
        raise PermissionDenied("只有网格员需要上报排查情况。")
    period = month_start(timezone.localdate())
    filed = {
        r.grid_id: r
        for r in inspections_visible_to(request.user)
        .filter(grid__in=grids, period=period)
        .prefetch_related("cases")
    }
    found = {}
    for case in (
        Case.objects.visible_to(request.user)
        .filter(grid__in=grids, reported_at__date__gte=period)
        .only("id", "number", "title", "grid_id")
    ):
        found.setdefault(case.grid_id, []).append(case)
    rows = [{"grid": g, "report": filed.get(g.id), "cases": found.get(g.id, [])} for g in grids]
    history = inspections_visible_to(request.user).order_by("-period", "grid__code")[:24]
    return render(
        request,
        "mediation/inspections.html",
        {"rows": rows, "period": period, "history": history, "nav_active": "inspection"},
    )


@login_required
@require_POST
def inspection_submit(request):
    """File this month's report for one grid: zero, or the disputes found."""
    grid_id = request.POST.get("grid", "")
    grid = Area.objects.filter(pk=int(grid_id), level="grid").first() if grid_id.isdigit() else None
    if grid is None or grid not in _my_grids(request.user):
        messages.error(request, "请选择您负责的网格。")
        return redirect("web:inspections")
    zero = request.POST.get("zero") == "1"
    case_ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit()]
    cases = list(Case.objects.visible_to(request.user).filter(pk__in=case_ids, grid=grid))
    try:
        services.inspection_file(
            grid=grid,
            actor=request.user,
            period=timezone.localdate(),
            zero=zero,
            cases=cases,
            note=request.POST.get("note", "")[:5000],
        )
    except DomainError as error:
        flash_domain_error(request, error)
    else:
        messages.success(request, f"{grid.name} 本月{'零上报' if zero else '排查情况'}已提交。")
    return redirect("web:inspections")
