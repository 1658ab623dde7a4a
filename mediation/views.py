"""Pages for mediation records that stand apart from one case: the grid worker's monthly
inspection report (排查), with a one-tap zero report (零上报)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import scope_for
from cases.models import Case
from config.errors import DomainError
from config.pages import flash_domain_error
from grids.models import Area

from .selectors import inspections_visible_to, month_start


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
    from . import services

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
