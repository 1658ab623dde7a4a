"""The supervision pages (Chinese, phone-first): the 督办 list (what my unit must answer, and
what lies under me), a 督办 with its feedback and the forms to answer or return it, the form
to open one on a case or a unit, a unit's page (its 督办 counted, listed, and its letters),
and the issue of a 提醒函 or a 工作通报. Reads go through the scoped selectors (out of scope:
the 404 page); changes call the same services as the API (in scope but not allowed: 403; bad
input: the form again with its messages, 400)."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.selectors import scope_for
from assessment.periods import month_of, parse_period
from cases.policy import CasePolicy, access_case
from config.errors import DomainError, InvalidInput, NotAllowed
from config.pages import flash_domain_error, page_of
from grids.choices import AreaLevel
from grids.models import Area

from . import selectors, services
from .choices import MAX_DEADLINE_DAYS, SupervisionStatus


def _int(value):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _moment(value):
    """A `datetime-local` field's value as an aware datetime (None if it is not one)."""
    text = str(value or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if not 1900 <= moment.year <= 2200:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _errors(error: InvalidInput) -> dict:
    found = {}
    for field, problems in error.fields.items():
        found[field] = [str(p) for p in problems] if isinstance(problems, list) else [str(problems)]
    return found


def _area_or_404(user, area_id) -> Area:
    area = Area.objects.filter(pk=_int(area_id) or 0).first()
    if area is None or area.level == AreaLevel.GRID or not scope_for(user).covers(area):
        raise Http404
    return area


def _supervision_or_404(user, pk):
    return get_object_or_404(
        selectors.supervisions_visible_to(user).select_related(
            "unit", "case", "opened_by", "answered_by"
        ),
        pk=pk,
    )


# ---------------------------------------------------------------- lists


@login_required
def supervision_list(request):
    """督办: what my units must answer, then every 督办 under my areas (newest first)."""
    tab = request.GET.get("tab", "")
    queryset = selectors.supervisions_visible_to(request.user).select_related("unit", "case")
    now = timezone.now()
    if tab == "overdue":
        queryset = queryset.filter(selectors.overdue_q(now))
    elif tab == "open":
        queryset = queryset.filter(status=SupervisionStatus.OPEN)
    elif tab == "closed":
        queryset = queryset.filter(status=SupervisionStatus.CLOSED)
    page = page_of(request, queryset.order_by("-opened_at", "-id"))
    return render(
        request,
        "supervision/list.html",
        {
            "awaiting": list(selectors.awaiting(request.user)[:20]),
            "page": page,
            "tab": tab,
            "now": now,
            "home": selectors.home_area(request.user),
            "nav_active": "overdue",
        },
    )


@login_required
def unit(request, area_id):
    """A town's or village's page (a county's too): its 督办 counted per unit and listed, its
    letters, and the buttons its superiors may use."""
    area = _area_or_404(request.user, area_id)
    now = timezone.now()
    rows = (
        selectors.supervisions_visible_to(request.user)
        .filter(selectors.under_q(area))
        .select_related("unit", "case")
        .order_by("-opened_at", "-id")
    )
    letters = (
        selectors.letters_visible_to(request.user)
        .filter(selectors.under_q(area))
        .select_related("area", "issued_by")
        .order_by("-issued_at", "-id")[:30]
    )
    return render(
        request,
        "supervision/unit.html",
        {
            "area": area,
            "totals": selectors.counts_under(area, now),
            "units": selectors.counts_by_unit(area, now)[:50],
            "page": page_of(request, rows),
            "letters": list(letters),
            "may_supervise": selectors.may_supervise(request.user, area),
            "may_bulletin": selectors.may_issue_bulletin(request.user, area),
            "periods": _months(now),
            "now": now,
            "nav_active": "overdue",
        },
    )


def _months(now, count=12):
    return [(month.key, month.label) for month in (month_of(now, offset=-i) for i in range(count))]


# ---------------------------------------------------------------- 督办


def _open_target(request):
    """The case or the unit a 督办 is opened on (from the query or the form), in scope."""
    source = request.POST if request.method == "POST" else request.GET
    case_id, unit_id = _int(source.get("case")), _int(source.get("unit"))
    if case_id:
        case = access_case(request.user, case_id)
        return case, case.holder
    if unit_id:
        area = get_object_or_404(selectors.units_in_scope(request.user), pk=unit_id)
        return None, area
    raise Http404


@login_required
def supervision_new(request):
    """The form to open a 督办 on a case (`?case=`) or a unit (`?unit=`)."""
    case, area = _open_target(request)
    allowed = (
        CasePolicy(request.user, case).allows("supervise")
        if case is not None
        else selectors.may_supervise(request.user, area)
    )
    if not allowed:
        raise PermissionDenied("只有上级工作人员可以督办。")
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = {
            "reason": request.POST.get("reason", ""),
            "due_at": request.POST.get("due_at", ""),
        }
        try:
            supervision = services.supervision_open(
                actor=request.user,
                case_id=case.pk if case else None,
                unit_id=None if case else area.pk,
                reason=values["reason"],
                due_at=_moment(values["due_at"]),
            )
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        except InvalidInput as error:
            errors, status = _errors(error), 400
        except DomainError as error:
            flash_domain_error(request, error)
            status = 409
        else:
            messages.success(request, "督办已发出，责任单位已收到通知。")
            return redirect("web:supervision-detail", supervision.pk)
    return render(
        request,
        "supervision/new.html",
        {
            "case": case,
            "area": area,
            "values": values,
            "errors": errors,
            "max_days": MAX_DEADLINE_DAYS,
            "nav_active": "overdue",
        },
        status=status,
    )


def _detail(request, supervision, *, errors=None, values=None, status=200):
    now = timezone.now()
    return render(
        request,
        "supervision/detail.html",
        {
            "s": supervision,
            "feedbacks": list(supervision.feedbacks.select_related("given_by")),
            "overdue": selectors.is_overdue(supervision, now),
            "may_answer": supervision.status == SupervisionStatus.OPEN
            and selectors.may_answer(request.user, supervision),
            "may_return": supervision.status == SupervisionStatus.CLOSED
            and selectors.may_return(request.user, supervision),
            "errors": errors or {},
            "values": values or {},
            "now": now,
            "nav_active": "overdue",
        },
        status=status,
    )


@login_required
def supervision_detail(request, pk):
    return _detail(request, _supervision_or_404(request.user, pk))


def _act(request, pk, action, values, success):
    supervision = _supervision_or_404(request.user, pk)
    try:
        action(supervision)
    except NotAllowed as error:
        raise PermissionDenied(error.message)
    except InvalidInput as error:
        return _detail(request, supervision, errors=_errors(error), values=values, status=400)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:supervision-detail", supervision.pk)
    messages.success(request, success)
    return redirect("web:supervision-detail", supervision.pk)


@login_required
@require_POST
def supervision_feedback(request, pk):
    values = {"text": request.POST.get("text", "")}
    return _act(
        request,
        pk,
        lambda s: services.supervision_feedback(
            actor=request.user,
            supervision_id=s.pk,
            text=values["text"],
            file=request.FILES.get("file"),
        ),
        values,
        "反馈已提交，督办已办结。",
    )


@login_required
@require_POST
def supervision_return(request, pk):
    values = {
        "reason": request.POST.get("reason", ""),
        "due_at": request.POST.get("due_at", ""),
    }
    return _act(
        request,
        pk,
        lambda s: services.supervision_return(
            actor=request.user,
            supervision_id=s.pk,
            reason=values["reason"],
            due_at=_moment(values["due_at"]),
        ),
        values,
        "已退回，责任单位须重新反馈。",
    )


# ---------------------------------------------------------------- letters


def _period(value, default):
    if not value:
        return default
    try:
        return parse_period(str(value)[:16])
    except ValueError:
        return None


@login_required
@require_POST
def reminder_issue(request, area_id):
    """Issue a 提醒函 to the unit, then show it on the unit's page."""
    area = _area_or_404(request.user, area_id)
    period = _period(request.POST.get("period"), month_of(timezone.now()))
    if period is None:
        messages.error(request, "考核周期有误。")
        return redirect("web:supervision-unit", area.pk)
    try:
        letter = services.reminder_issue(actor=request.user, area_id=area.pk, period=period)
    except NotAllowed as error:
        raise PermissionDenied(error.message)
    except DomainError as error:
        flash_domain_error(request, error)
        return redirect("web:supervision-unit", area.pk)
    messages.success(request, f"提醒函{letter.number}已印发。")
    return redirect("web:supervision-unit", area.pk)


@login_required
@require_POST
def bulletin_issue(request, area_id):
    """Issue the county's 工作通报 of a month, then return to where it was asked from."""
    area = _area_or_404(request.user, area_id)
    period = _period(request.POST.get("period"), month_of(timezone.now(), offset=-1))
    back = request.POST.get("next", "")
    target = back if back.startswith("/") and not back.startswith("//") else None
    if period is None:
        messages.error(request, "月份有误。")
    else:
        try:
            letter = services.bulletin_issue(actor=request.user, area_id=area.pk, period=period)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        except DomainError as error:
            flash_domain_error(request, error)
        else:
            messages.success(request, f"工作通报{letter.number}已印发。")
    return redirect(target or f"/supervision/units/{area.pk}/")
