"""Phone pages for village self-governance: today's duty (check-in and log), the village
rota, consultation days with their items, campaigns with coverage and the grid's report, and
a grid's 1+1+N team. Every read goes through the scoped selectors (out of scope: the 404
page); every change calls the same service as the API (in scope but not allowed: 403)."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.choices import RoleKind
from accounts.selectors import scope_for
from cases.choices import Category, Risk
from config.errors import DomainError, InvalidInput, NotAllowed
from config.pages import flash_domain_error, page_of
from grids.choices import AreaLevel

from . import selectors, services
from .choices import ItemOutcome, LogKind
from .models import ConsultationItem, DutyLogEntry, DutyShift

ITEM_ROWS = 5


def _run(request, action, success: str):
    """Run a service; a refusal in scope is the 403 page, bad input a message on the page."""
    try:
        result = action()
    except NotAllowed as error:
        raise PermissionDenied(error.message)
    except DomainError as error:
        flash_domain_error(request, error)
        return None
    messages.success(request, success)
    return result


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _my_villages(user):
    return list(
        selectors.areas_in_scope(user).filter(level=AreaLevel.VILLAGE).order_by("code")[:200]
    )


def _village_or_404(user, village_id):
    return get_object_or_404(
        selectors.areas_in_scope(user).filter(level=AreaLevel.VILLAGE), pk=village_id
    )


def _parties_from(text: str) -> list[dict]:
    """ "张三、李四" → the first an applicant, the others respondents."""
    names = [n.strip() for n in str(text or "").replace(",", "、").replace("，", "、").split("、")]
    names = [n for n in names if n][:20]
    return [
        {"name": n, "role": "applicant" if i == 0 else "respondent"} for i, n in enumerate(names)
    ]


# ---------------------------------------------------------------- today's duty


@login_required
def duty(request):
    """今日值班: a volunteer's duty today (check in, log what they see); for the village's
    people, today's duties in scope and the logged disputes not yet a case."""
    user = request.user
    today = timezone.localdate()
    scope = scope_for(user)
    volunteer = bool(scope.roles_of(RoleKind.VOLUNTEER))
    if not volunteer and not scope.roles_of() and not scope.is_superuser:
        raise PermissionDenied("您没有值班安排。")
    shift = selectors.todays_shift(user, today)
    context = {
        "today": today,
        "shift": shift,
        "log_kinds": LogKind.choices,
        "categories": Category.choices,
        "risks": Risk.choices,
        "nav_active": "duty",
    }
    if shift is not None:
        context["log"] = list(DutyLogEntry.objects.filter(shift=shift).select_related("case"))
    if volunteer:
        context["upcoming"] = list(
            DutyShift.objects.filter(volunteer__user=user, on_date__gt=today).order_by("on_date")[
                :7
            ]
        )
    if scope.roles_of() or scope.is_superuser:
        context["duties"] = list(
            selectors.shifts_visible_to(user)
            .filter(on_date=today)
            .select_related("volunteer", "village")
            .order_by("village__code")[:50]
        )
        context["disputes"] = list(
            selectors.log_visible_to(user)
            .filter(kind=LogKind.DISPUTE, case__isnull=True)
            .select_related("shift__volunteer", "village")
            .order_by("-created_at")[:20]
        )
        context["villages"] = _my_villages(user)[:20]
    return render(request, "community/duty.html", context)


def _shift_or_404(request, pk):
    return get_object_or_404(selectors.shifts_visible_to(request.user), pk=pk)


@login_required
@require_POST
def duty_check_in(request, pk):
    """Check in for my duty today (someone else's, or another day: the 403 page)."""
    shift = _shift_or_404(request, pk)
    _run(
        request,
        lambda: services.duty_check_in(actor=request.user, shift_id=shift.pk),
        "已签到，值班开始。",
    )
    return redirect("web:duty")


@login_required
@require_POST
def duty_log(request, pk):
    """Add an entry to my duty's log."""
    shift = _shift_or_404(request, pk)
    _run(
        request,
        lambda: services.duty_log(
            actor=request.user,
            shift_id=shift.pk,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", "")[:5000],
            parties=_parties_from(request.POST.get("parties", "")),
        ),
        "值班记录已保存。",
    )
    return redirect("web:duty")


@login_required
@require_POST
def duty_log_case(request, pk):
    """Turn a logged dispute into a case in one step; on to the case page."""
    entry = get_object_or_404(selectors.log_visible_to(request.user), pk=pk)
    done = _run(
        request,
        lambda: services.duty_log_to_case(
            actor=request.user,
            entry_id=entry.pk,
            category=request.POST.get("category", ""),
            risk=request.POST.get("risk") or Risk.GREEN,
        ),
        "已转为纠纷案件。",
    )
    if done is not None:
        return redirect("web:case-detail", done.case_id)
    return redirect("web:duty")


# ---------------------------------------------------------------- rota


@login_required
def rota(request, village_id):
    """A village's duty calendar for a month, with missed duties; generate or edit turns."""
    village = _village_or_404(request.user, village_id)
    today = timezone.localdate()
    month = _date(f"{request.GET.get('month', '')}-01") or today.replace(day=1)
    end = selectors.next_month(month)
    if request.method == "POST":
        volunteer = (
            selectors.volunteers_visible_to(request.user)
            .filter(pk=_int(request.POST.get("volunteer")))
            .first()
        )
        starts_on = _date(request.POST.get("starts_on"))
        turn = {
            "volunteer": volunteer,
            "starts_on": starts_on,
            "ends_on": _date(request.POST.get("ends_on")) or starts_on,
        }
        _run(
            request,
            lambda: services.rota_set(actor=request.user, village=village, turns=[turn]),
            "排班已调整。",
        )
        return redirect(f"{request.path}?month={month:%Y-%m}")
    shifts = list(
        DutyShift.objects.filter(village=village, on_date__gte=month, on_date__lt=end)
        .select_related("volunteer")
        .order_by("on_date")
    )
    missed = sum(1 for s in shifts if s.checked_in_at is None and s.on_date < today)
    volunteers = list(
        selectors.volunteers_visible_to(request.user)
        .filter(village=village, active=True)
        .select_related("grid")
    )
    return render(
        request,
        "community/rota.html",
        {
            "village": village,
            "month": month,
            "previous": (month - timedelta(days=1)).replace(day=1),
            "next": end,
            "shifts": shifts,
            "today": today,
            "missed": missed,
            "volunteers": volunteers,
            "may_manage": selectors.manages(request.user, village),
            "nav_active": "duty",
        },
    )


@login_required
@require_POST
def rota_generate(request, village_id):
    """Generate the month's rota in turns from the village's volunteers."""
    village = _village_or_404(request.user, village_id)
    month = _date(f"{request.POST.get('month', '')}-01")
    if month is None:
        messages.error(request, "月份格式应为 YYYY-MM。")
        return redirect("web:rota", village.pk)
    _run(
        request,
        lambda: services.rota_generate(
            actor=request.user,
            village=village,
            month=month,
            days_per_turn=_int(request.POST.get("days_per_turn"), 1),
        ),
        f"{month:%Y年%m月}排班已生成。",
    )
    return redirect(f"{reverse('web:rota', args=[village.pk])}?month={month:%Y-%m}")


# ---------------------------------------------------------------- 说事日


@login_required
def consultation_days(request):
    """The consultation days of my villages, newest first, and this month's coverage."""
    scope = scope_for(request.user)
    if not scope.roles_of() and not scope.is_superuser:
        raise PermissionDenied("无权查看说事日。")
    queryset = (
        selectors.consultation_days_visible_to(request.user)
        .select_related("village")
        .order_by("-held_on", "-id")
    )
    return render(
        request,
        "community/consultation_days.html",
        {
            "page": page_of(request, queryset),
            "nav_active": "consultation",
            # The button only for those whose form would take it (no button to a refusal).
            "may_record": bool(_recordable_villages(request.user)),
        },
    )


def _recordable_villages(user):
    """The villages whose consultation days `user` may record."""
    return [v for v in _my_villages(user) if selectors.manages(user, v)]


@login_required
def consultation_day_new(request):
    """Record a consultation day with up to five items."""
    villages = _recordable_villages(request.user)
    if not villages:
        raise PermissionDenied("只有本村网格员、调解员和上级工作人员可以录入说事日。")
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        village = next((v for v in villages if v.pk == _int(form.get("village"))), None)
        items = []
        for index in range(ITEM_ROWS):
            text = form.get(f"item_text_{index}", "").strip()
            if not text and not form.get(f"item_parties_{index}"):
                continue
            items.append(
                {
                    "text": text,
                    "is_dispute": form.get(f"item_dispute_{index}") == "1",
                    "outcome": form.get(f"item_outcome_{index}") or ItemOutcome.PENDING,
                    "outcome_note": form.get(f"item_note_{index}", "")[:500],
                    "parties": _parties_from(form.get(f"item_parties_{index}", "")),
                }
            )
        held_on = _date(form.get("held_on"))
        try:
            if village is None:
                raise InvalidInput("请选择村（社区）。", fields={"village": ["请选择村。"]})
            if held_on is None:
                raise InvalidInput("请填写日期。", fields={"held_on": ["请填写日期。"]})
            day = services.consultation_day_record(
                actor=request.user,
                village=village,
                held_on=held_on,
                chair=form.get("chair", "")[:50],
                attendance=_int(form.get("attendance"), 0),
                note=form.get("note", "")[:5000],
                items=items,
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        except DomainError as error:
            flash_domain_error(request, error)
        else:
            messages.success(request, "说事日已录入。")
            return redirect("web:consultation-day", day.pk)
    return render(
        request,
        "community/consultation_day_new.html",
        {
            "villages": villages,
            "form": form,
            "rows": range(ITEM_ROWS),
            "outcomes": [c for c in ItemOutcome.choices if c[0] != ItemOutcome.CASE],
            "today": timezone.localdate(),
            "nav_active": "consultation",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def consultation_day(request, pk):
    """One consultation day: its items, each dispute one tap from becoming a case."""
    day = get_object_or_404(
        selectors.consultation_days_visible_to(request.user).select_related("village"), pk=pk
    )
    items = list(day.items.select_related("case"))
    return render(
        request,
        "community/consultation_day.html",
        {
            "day": day,
            "items": items,
            "may_manage": selectors.manages(request.user, day.village),
            "categories": Category.choices,
            "risks": Risk.choices,
            "outcomes": [c for c in ItemOutcome.choices if c[0] != ItemOutcome.CASE],
            "nav_active": "consultation",
        },
    )


@login_required
@require_POST
def consultation_item_add(request, pk):
    day = get_object_or_404(selectors.consultation_days_visible_to(request.user), pk=pk)
    _run(
        request,
        lambda: services.consultation_item_add(
            actor=request.user,
            day_id=day.pk,
            data={
                "text": request.POST.get("text", "")[:5000],
                "is_dispute": request.POST.get("is_dispute") == "1",
                "outcome": request.POST.get("outcome") or ItemOutcome.PENDING,
                "parties": _parties_from(request.POST.get("parties", "")),
            },
        ),
        "议题已添加。",
    )
    return redirect("web:consultation-day", day.pk)


@login_required
@require_POST
def consultation_item_case(request, pk):
    """Turn an item into a case in one step; on to the case page."""
    item = get_object_or_404(
        ConsultationItem.objects.filter(
            day__in=selectors.consultation_days_visible_to(request.user)
        ),
        pk=pk,
    )
    done = _run(
        request,
        lambda: services.consultation_item_to_case(
            actor=request.user,
            item_id=item.pk,
            category=request.POST.get("category", ""),
            risk=request.POST.get("risk") or Risk.GREEN,
        ),
        "已转为纠纷案件。",
    )
    if done is not None:
        return redirect("web:case-detail", done.case_id)
    return redirect("web:consultation-day", item.day_id)


# ---------------------------------------------------------------- campaigns


@login_required
def campaigns(request):
    """Campaigns over or under my areas; officers of the county or a town open one here."""
    scope = scope_for(request.user)
    if not scope.roles_of() and not scope.is_superuser:
        raise PermissionDenied("无权查看专项排查。")
    queryset = (
        selectors.campaigns_visible_to(request.user)
        .select_related("area")
        .order_by("-starts_on", "-id")
    )
    openable = [
        a
        for a in scope.areas(RoleKind.OFFICER, RoleKind.ADMIN)
        if selectors.may_open_campaign(request.user, a)
    ]
    return render(
        request,
        "community/campaigns.html",
        {
            "page": page_of(request, queryset),
            "openable": openable,
            "today": timezone.localdate(),
            "nav_active": "campaigns",
        },
    )


@login_required
@require_POST
def campaign_new(request):
    area = get_object_or_404(
        selectors.areas_in_scope(request.user), pk=_int(request.POST.get("area"), 0)
    )
    starts_on, ends_on = _date(request.POST.get("starts_on")), _date(request.POST.get("ends_on"))
    if starts_on is None or ends_on is None:
        messages.error(request, "请填写开始和截止日期。")
        return redirect("web:campaigns")
    done = _run(
        request,
        lambda: services.campaign_open(
            actor=request.user,
            name=request.POST.get("name", "")[:100],
            area=area,
            starts_on=starts_on,
            ends_on=ends_on,
        ),
        "专项排查已发起。",
    )
    return redirect("web:campaign", done.pk) if done else redirect("web:campaigns")


@login_required
def campaign(request, pk):
    """A campaign: coverage per town and village with the grids not reported, and the
    report form for my grids that have not reported."""
    campaign = get_object_or_404(
        selectors.campaigns_visible_to(request.user).select_related("area"), pk=pk
    )
    cover = selectors.campaign_coverage(campaign, within=request.user)
    mine = [
        row["grid"]
        for row in cover["grids"]
        if row["report"] is None and selectors.may_report_for(request.user, row["grid"])
    ]
    return render(
        request,
        "community/campaign.html",
        {
            "campaign": campaign,
            "cover": cover,
            "mine": mine[:50],
            "open": campaign.starts_on <= timezone.localdate() <= campaign.ends_on,
            "nav_active": "campaigns",
        },
    )


@login_required
@require_POST
def campaign_report(request, pk):
    campaign = get_object_or_404(selectors.campaigns_visible_to(request.user), pk=pk)
    grid = get_object_or_404(
        selectors.areas_in_scope(request.user).filter(level=AreaLevel.GRID),
        pk=_int(request.POST.get("grid"), 0),
    )
    zero = request.POST.get("zero") == "1"
    _run(
        request,
        lambda: services.campaign_report(
            actor=request.user,
            campaign_id=campaign.pk,
            grid=grid,
            zero=zero,
            found=_int(request.POST.get("found"), 0) or 0,
            note=request.POST.get("note", "")[:5000],
        ),
        f"{grid.name}{'零上报' if zero else '排查情况'}已提交。",
    )
    return redirect("web:campaign", campaign.pk)


# ---------------------------------------------------------------- a grid's 1+1+N team


@login_required
def grid_team(request, grid_id):
    """The grid's page for its 1+1+N team: cadre, grid worker, volunteers; add a volunteer."""
    grid = get_object_or_404(
        selectors.areas_in_scope(request.user)
        .filter(level=AreaLevel.GRID)
        .select_related("parent"),
        pk=grid_id,
    )
    if (
        scope_for(request.user).roles_of(RoleKind.VOLUNTEER)
        and not scope_for(request.user).roles_of()
    ):
        raise PermissionDenied("志愿者账号只能查看本人值班。")
    if request.method == "POST":
        _run(
            request,
            lambda: services.volunteer_add(
                actor=request.user,
                grid=grid,
                name=request.POST.get("name", "")[:50],
                phone=request.POST.get("phone", "")[:20],
            ),
            "志愿者已登记。",
        )
        return redirect("web:grid-team", grid.pk)
    team = (
        selectors.teams_visible_to(request.user)
        .filter(grid=grid)
        .select_related("grid_worker")
        .first()
    )
    volunteers = list(
        selectors.volunteers_visible_to(request.user).filter(grid=grid).order_by("-active", "id")
    )
    return render(
        request,
        "community/grid_team.html",
        {
            "grid": grid,
            "team": team,
            "volunteers": volunteers,
            "may_manage": selectors.manages(request.user, grid),
            "nav_active": "duty",
        },
    )
