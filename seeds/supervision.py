"""督查督办 of the demo year (DESIGN.md §18), made through the services users call: the demo
town officer supervises open village cases of their town (one already overdue, one answered),
the county office supervises the demo village mediator's village (due in a few days, so it
waits in their queue) and a town (answered), issues a 提醒函 to the town with the most overdue
cases, and the previous month's 工作通报."""

from datetime import timedelta

from django.db.models import Count

from accounts.models import Role, User
from assessment.periods import month_of
from cases import overdue
from cases.choices import OPEN_STATUSES, Level
from cases.models import Case
from supervision import services
from supervision.models import Supervision


def load_supervision(staff, *, now) -> dict:
    """The demo's 督办 and letters; nothing when the county already has some."""
    county = staff.county
    if Supervision.objects.filter(county=county).exists():
        return {}
    tally = {"督办": 0, "反馈": 0, "提醒函": 0, "工作通报": 0}
    officer_role = (
        Role.objects.filter(user__username="town_officer", kind="officer")
        .select_related("user", "area")
        .first()
    )
    county_officer = staff.county_officer
    if officer_role is not None:
        town, town_officer = officer_role.area, officer_role.user
        cases = list(
            Case.objects.filter(town=town, level=Level.VILLAGE, status__in=OPEN_STATUSES)
            .filter(pk__in=overdue.overdue_case_ids(now))
            .order_by("reported_at")[:3]
        )
        for index, case in enumerate(cases):
            opened = now - timedelta(days=6 if index == 0 else 1)
            supervision = services.supervision_open(
                actor=town_officer,
                case_id=case.pk,
                reason="该案已超期，群众反映强烈，请落实专人调处并书面反馈进展。",
                due_at=opened + timedelta(days=3),
                now=opened,
            )
            tally["督办"] += 1
            answerer = _answerer(supervision.unit_id)
            if index == 2 and answerer is not None:
                services.supervision_feedback(
                    actor=answerer,
                    supervision_id=supervision.pk,
                    text="已明确专人负责，约定本周内组织双方面对面调解。",
                    now=opened + timedelta(days=1),
                )
                tally["反馈"] += 1
    mediator_role = Role.objects.filter(user__username="village_mediator", kind="mediator").first()
    if county_officer is not None and mediator_role is not None:
        services.supervision_open(
            actor=county_officer,
            unit_id=mediator_role.area_id,
            reason="本月网格排查零上报有缺报，请说明原因并补报。",
            due_at=now + timedelta(days=4),
            now=now,
        )
        tally["督办"] += 1
    if county_officer is not None and staff.towns:
        town = staff.towns[-1]
        opened = now - timedelta(days=8)
        supervision = services.supervision_open(
            actor=county_officer,
            unit_id=town.pk,
            reason="上月矛盾纠纷按期办结率偏低，请分析原因、提出整改措施。",
            due_at=opened + timedelta(days=5),
            now=opened,
        )
        tally["督办"] += 1
        answerer = _answerer(town.pk)
        if answerer is not None:
            services.supervision_feedback(
                actor=answerer,
                supervision_id=supervision.pk,
                text="已召开专题会议，逐案明确办结时限，每周通报进度。",
                now=opened + timedelta(days=3),
            )
            tally["反馈"] += 1
        lagging = (
            Case.objects.filter(
                county=county, status__in=OPEN_STATUSES, pk__in=overdue.overdue_case_ids(now)
            )
            .values("town_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if lagging is not None:
            services.reminder_issue(actor=county_officer, area_id=lagging["town_id"], now=now)
            tally["提醒函"] += 1
        services.bulletin_issue(
            actor=county_officer, area_id=county.pk, period=month_of(now, offset=-1), now=now
        )
        tally["工作通报"] += 1
    return tally


def _answerer(unit_id) -> User | None:
    role = (
        Role.objects.filter(area_id=unit_id, kind__in=("officer", "mediator"))
        .select_related("user")
        .order_by("kind", "id")
        .first()
    )
    return role.user if role else None
