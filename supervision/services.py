"""Writes of supervision, one function per action (DESIGN.md §18): open a 督办 on a case or a
unit, answer it (反馈, which closes it), return an answer (退回, which reopens it with a new
deadline); issue a 提醒函 or a 工作通报, kept as the file that was issued and numbered
〔year〕第N号. Each locks what it changes, checks who may act (out of scope: 404; in scope but
not allowed: 403; a repeated or stale step: 409; bad input: 400 naming the field) and tells
the people concerned in the same transaction."""

from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import scope_for
from cases.choices import EventKind
from cases.events import case_event
from cases.models import Breach, Case
from cases.policy import CasePolicy, access_case
from config.errors import Conflict, InvalidInput, NotAllowed
from grids.choices import AreaLevel
from grids.models import Area
from notifications.choices import NotificationKind
from notifications.services import notify

from . import selectors
from .choices import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_TYPES,
    FEEDBACK_MAX,
    MAX_DEADLINE_DAYS,
    REASON_MAX,
    LetterKind,
    SupervisionStatus,
)
from .models import Feedback, Letter, LetterSequence, Supervision


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def _text(value, field: str, label: str, limit: int) -> str:
    text = str(value or "").strip()
    if not text:
        raise _invalid(field, f"请填写{label}。")
    if len(text) > limit:
        raise _invalid(field, f"{label}不能超过{limit}字。")
    return text


def _deadline(value, now: datetime, field: str = "due_at") -> datetime:
    """A deadline in the future, at most MAX_DEADLINE_DAYS ahead."""
    if not isinstance(value, datetime):
        raise _invalid(field, "请填写反馈期限。")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= now:
        raise _invalid(field, "反馈期限不能早于当前时间。")
    if value > now + timedelta(days=MAX_DEADLINE_DAYS):
        raise _invalid(field, f"反馈期限不能超过{MAX_DEADLINE_DAYS}天。")
    return value


def unit_people(unit_id: int) -> list[int]:
    """The unit's officers and mediators: who is told of a 督办 and answers it."""
    return sorted(
        set(
            Role.objects.filter(
                area_id=unit_id, kind__in=selectors.ANSWER_KINDS, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )


def local_text(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def sync_case_flag(case_id: int) -> None:
    """Keep `Case.supervised` true while the case has an open 督办 or the sweep supervised its
    county period (its resolve deadline passed at county level), false otherwise."""
    open_ = Supervision.objects.filter(case_id=case_id, status=SupervisionStatus.OPEN).exists()
    swept = Breach.objects.filter(
        case_id=case_id, action="supervise", period__ended_at__isnull=True
    ).exists()
    Case.objects.filter(pk=case_id).exclude(supervised=open_ or swept).update(
        supervised=open_ or swept
    )


# ---------------------------------------------------------------- 督办


@transaction.atomic
def supervision_open(
    *,
    actor,
    reason: str,
    due_at,
    case_id: int | None = None,
    unit_id: int | None = None,
    now: datetime | None = None,
) -> Supervision:
    """Open a 督办 on a case (the unit is its holder) or on a town or village under the actor;
    the unit's people are told."""
    now = now or timezone.now()
    if (case_id is None) == (unit_id is None):
        raise _invalid("unit", "请选择督办的案件或单位（二者选一）。")
    case = None
    if case_id is not None:
        access_case(actor, case_id)  # out of scope: 404 before anything is locked
        case = access_case(actor, case_id, lock=True)
        CasePolicy(actor, case).require("supervise")
        unit = Area.objects.get(pk=case.holder_id)
    else:
        unit = selectors.units_in_scope(actor).filter(pk=unit_id).first()
        if unit is None:
            raise Http404("单位不存在。")
        if not selectors.may_supervise(actor, unit):
            raise NotAllowed("只有上级工作人员可以督办本单位。")
    reason = _text(reason, "reason", "督办事由", REASON_MAX)
    due_at = _deadline(due_at, now)
    supervision = Supervision.objects.create(
        case=case,
        unit=unit,
        reason=reason,
        due_at=due_at,
        opened_by=actor,
        opened_at=now,
        **selectors.unit_ancestors(unit),
    )
    about = f"案件{case.number}" if case else unit.name
    _record_and_tell(
        supervision,
        case=case,
        actor=actor,
        now=now,
        note=f"督办{unit.name}：{reason}（{local_text(due_at)}前反馈）",
        title=f"督办：{about}",
        body=f"{reason}\n请于{local_text(due_at)}前反馈。",
    )
    return supervision


def _record_and_tell(supervision, *, case, actor, now, note: str, title: str, body: str) -> None:
    """A 督办 opened or handed back: the case's flag follows its open 督办, the case's log
    records it, and the unit's people are told."""
    if case is not None:
        sync_case_flag(case.pk)
        case_event(
            case=case,
            kind=EventKind.SUPERVISE,
            actor=actor,
            at=now,
            note=note,
            data={"supervision": supervision.pk, "due": supervision.due_at.isoformat()},
        )
    notify(
        users=unit_people(supervision.unit_id),
        kind=NotificationKind.SUPERVISE,
        title=title,
        body=body,
        case=case,
        now=now,
    )


def _locked(actor, supervision_id) -> Supervision:
    """The 督办 if the actor may see it (else 404), locked."""
    if not selectors.supervisions_visible_to(actor).filter(pk=supervision_id).exists():
        raise Http404("督办不存在。")
    return (
        Supervision.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=supervision_id)
    )


def _attachment(file):
    if file is None:
        return None
    if file.size > ATTACHMENT_MAX_BYTES:
        raise _invalid("file", "附件不能超过10MB。")
    content_type = (getattr(file, "content_type", "") or "").split(";")[0]
    if content_type not in ATTACHMENT_TYPES:
        raise _invalid("file", "附件须为PDF、Word或图片（JPG、PNG）。")
    return content_type


@transaction.atomic
def supervision_feedback(
    *, actor, supervision_id: int, text: str, file=None, now: datetime | None = None
) -> Supervision:
    """The unit's answer: recorded with its attachment, it closes the 督办 (answered on time
    when given by the deadline); the opener is told."""
    now = now or timezone.now()
    supervision = _locked(actor, supervision_id)
    if supervision.status != SupervisionStatus.OPEN:
        raise Conflict("该督办已反馈，请刷新后查看。", code="already_answered")
    if not selectors.may_answer(actor, supervision):
        raise NotAllowed("只有责任单位的工作人员和调解员可以反馈。")
    text = _text(text, "text", "反馈内容", FEEDBACK_MAX)
    content_type = _attachment(file)
    feedback = Feedback(supervision=supervision, text=text, given_by=actor, given_at=now)
    if file is not None:
        name = str(getattr(file, "name", "") or "附件")[-200:]
        feedback.file_name, feedback.file_type = name, content_type
        feedback.file.save(name, file, save=False)
    feedback.save()
    supervision.status = SupervisionStatus.CLOSED
    supervision.answered_at, supervision.answered_by = now, actor
    supervision.save(update_fields=["status", "answered_at", "answered_by"])
    late = "" if now <= supervision.due_at else "（逾期）"
    if supervision.case_id:
        sync_case_flag(supervision.case_id)
        case = Case.objects.get(pk=supervision.case_id)
        case_event(
            case=case,
            kind=EventKind.SUPERVISE,
            actor=actor,
            at=now,
            note=f"督办反馈{late}：{text[:200]}",
            data={"supervision": supervision.pk, "feedback": feedback.pk},
        )
    notify(
        users=[supervision.opened_by_id],
        kind=NotificationKind.SUPERVISE,
        title=f"督办已反馈{late}：{supervision.unit.name}",
        body=text[:500],
        case=supervision.case_id,
        now=now,
    )
    return supervision


@transaction.atomic
def supervision_return(
    *, actor, supervision_id: int, reason: str, due_at, now: datetime | None = None
) -> Supervision:
    """The opener's side (an officer above the unit) finds the answer wanting: the 督办 opens
    again with a new deadline, the unit is told."""
    now = now or timezone.now()
    supervision = _locked(actor, supervision_id)
    if supervision.status != SupervisionStatus.CLOSED:
        raise Conflict("该督办尚未反馈，不能退回。", code="not_answered")
    if not selectors.may_return(actor, supervision):
        raise NotAllowed("只有上级工作人员可以退回反馈。")
    reason = _text(reason, "reason", "退回理由", REASON_MAX)
    due_at = _deadline(due_at, now)
    Feedback.objects.filter(supervision=supervision, returned_at__isnull=True).update(
        returned_at=now, return_reason=reason
    )
    supervision.status = SupervisionStatus.OPEN
    supervision.due_at = due_at
    supervision.answered_at = supervision.answered_by = None
    supervision.save(update_fields=["status", "due_at", "answered_at", "answered_by"])
    _record_and_tell(
        supervision,
        case=Case.objects.get(pk=supervision.case_id) if supervision.case_id else None,
        actor=actor,
        now=now,
        note=f"督办反馈退回：{reason}（{local_text(due_at)}前重新反馈）",
        title=f"督办反馈被退回：{supervision.unit.name}",
        body=f"{reason}\n请于{local_text(due_at)}前重新反馈。",
    )
    return supervision


# ---------------------------------------------------------------- letters


def _next_number(county: Area, kind: str, year: int) -> int:
    """The next serial of `kind` in the county and year, without gaps under concurrency."""
    LetterSequence.objects.get_or_create(county=county, kind=kind, year=year)
    sequence = LetterSequence.objects.select_for_update().get(county=county, kind=kind, year=year)
    LetterSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    return sequence.last + 1


def _issue(*, actor, kind: str, area: Area, period, title_of, render, figures, now) -> Letter:
    chain = selectors.unit_ancestors(area)
    county = Area.objects.get(pk=chain["county_id"])
    year = timezone.localtime(now).year
    serial = _next_number(county, kind, year)
    number = f"〔{year}〕第{serial}号"
    title = title_of(number)
    content = render(number=number, title=title, issued_at=now, issued_by=actor)
    letter = Letter(
        kind=kind,
        year=year,
        serial=serial,
        number=number,
        title=title[:200],
        area=area,
        period_key=period.key,
        figures=figures,
        issued_by=actor,
        issued_at=now,
        **chain,
    )
    letter.file.save(f"{kind}-{area.code}-{year}-{serial}.pdf", ContentFile(content), save=False)
    letter.save()
    return letter


@transaction.atomic
def reminder_issue(*, actor, area_id: int, period=None, now: datetime | None = None) -> Letter:
    """Issue a 提醒函 to a lagging town or village: its overdue cases and 督办 and its KPIs for
    the period, as a PDF kept with its number; the unit's people are told."""
    from assessment.periods import month_of

    from . import documents

    now = now or timezone.now()
    unit = selectors.units_in_scope(actor).filter(pk=area_id).first()
    if unit is None:
        raise Http404("单位不存在。")
    if not selectors.may_supervise(actor, unit):
        raise NotAllowed("只有上级工作人员可以向本单位发提醒函。")
    period = period or month_of(now)
    data = documents.reminder_data(unit, period, now)
    letter = _issue(
        actor=actor,
        kind=LetterKind.REMINDER,
        area=unit,
        period=period,
        title_of=lambda number: f"关于{unit.name}矛盾纠纷超期办理情况的提醒函",
        render=lambda **kw: documents.reminder_pdf(data, **kw),
        figures=documents.reminder_figures(data),
        now=now,
    )
    notify(
        users=unit_people(unit.pk),
        kind=NotificationKind.NOTICE,
        title=f"提醒函{letter.number}：{unit.name}",
        body=f"{letter.title}，请及时办理超期事项。",
        now=now,
    )
    return letter


@transaction.atomic
def bulletin_issue(*, actor, area_id: int, period, now: datetime | None = None) -> Letter:
    """Issue the county's monthly 工作通报 for `period` as a PDF, kept with its number."""
    from . import documents

    now = now or timezone.now()
    county = Area.objects.filter(pk=area_id).first()
    if county is None or not scope_for(actor).covers(county):
        raise Http404("区划不存在。")
    if county.level != AreaLevel.COUNTY:
        raise _invalid("area", "工作通报由县级印发，请选择县（区）。")
    if not selectors.may_issue_bulletin(actor, county):
        raise NotAllowed("只有县级工作人员可以印发工作通报。")
    if period.kind != "month":
        raise _invalid("period", "工作通报按月印发，请选择月份。")
    data = documents.bulletin_data(county, period, now)
    return _issue(
        actor=actor,
        kind=LetterKind.BULLETIN,
        area=county,
        period=period,
        title_of=lambda number: f"{county.name}矛盾纠纷多元化解工作通报（{period.label}）",
        render=lambda **kw: documents.bulletin_pdf(data, **kw),
        figures=documents.bulletin_figures(data),
        now=now,
    )
