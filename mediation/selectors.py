"""Reads about mediation records: who may mediate where, the follow-up clock, the case file
checklist, rewards and their monthly sheet, and inspection coverage for the KPIs."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum

from accounts.choices import RoleKind
from accounts.models import Role, User
from accounts.selectors import scope_for
from cases.choices import Outcome, Status
from grids.choices import AreaLevel
from grids.models import Area

from . import deadlines
from .choices import ChecklistItem, ConfirmationStatus, DocumentKind
from .models import (
    Agreement,
    Committee,
    FollowUp,
    InspectionReport,
    MediationSession,
    MediatorProfile,
    Reward,
)

# The follow-up due rule lives with the mediation deadlines; pages and the API read it here.
follow_up_due = deadlines.follow_up_due


# ---------------------------------------------------------------- mediators


def mediators_for(area):
    """Users who may mediate cases held at `area`: members of an active committee of that
    area, and users holding a mediator role there."""
    profile_users = MediatorProfile.objects.filter(
        active=True, committee__active=True, committee__area=area
    ).values("user_id")
    role_users = Role.objects.filter(kind=RoleKind.MEDIATOR, area=area).values("user_id")
    return User.objects.filter(
        Q(pk__in=profile_users) | Q(pk__in=role_users), is_active=True
    ).order_by("id")


def can_mediate(user, area) -> bool:
    """True when `user` may be assigned a case held at `area` (see `mediators_for`)."""
    if user is None or not user.is_active:
        return False
    if Role.objects.filter(user=user, kind=RoleKind.MEDIATOR, area=area).exists():
        return True
    return MediatorProfile.objects.filter(
        user=user, active=True, committee__active=True, committee__area=area
    ).exists()


def committee_of(user, area):
    """The committee at `area` (or above it) the user mediates for, if any."""
    profiles = (
        MediatorProfile.objects.filter(user=user, active=True, committee__active=True)
        .select_related("committee__area")
        .order_by("-committee__area__code", "id")
    )
    for profile in profiles:
        if area.is_under(profile.committee.area):
            return profile.committee
    return None


def committees_visible_to(user):
    """Committees in the subtrees of the user's roles."""
    scope = scope_for(user)
    queryset = Committee.objects.select_related("area", "parent")
    if scope.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for area in scope.areas():
        condition |= Q(area__code__startswith=area.prefix)
    return queryset.filter(condition)


# ---------------------------------------------------------------- agreement and follow-up


def agreement_of(case):
    """The case's agreement, or None."""
    return Agreement.objects.filter(case=case).first()


# ---------------------------------------------------------------- the case file


@dataclass
class FileItem:
    """One line of the case file checklist."""

    key: str
    label: str
    required: bool
    present: bool
    detail: str = ""


@dataclass
class CaseFile:
    """The case file (一案一卷) as derived from the records."""

    case_id: int
    items: list = field(default_factory=list)

    @property
    def missing(self):
        return [item for item in self.items if item.required and not item.present]

    @property
    def complete(self):
        return not self.missing


def _closing_outcome(case, outcome):
    """The outcome the file is read for: the one given (a close being checked), the case's
    own once closed, `agreement` once resolved; None while mediation is under way."""
    if outcome:
        return outcome
    if case.status == Status.CLOSED:
        return case.outcome
    if case.status == Status.RESOLVED:
        return Outcome.AGREEMENT
    return None


def _recorded_routes(case) -> list[str]:
    close = case.events.filter(kind="close").order_by("-created_at", "-id").first()
    return list((close.data or {}).get("routes", [])) if close is not None else []


def case_file(case, *, outcome: str | None = None, routes=None) -> CaseFile:
    """The checklist of papers the case file needs for `outcome` (default: the case's own, see
    `_closing_outcome`) and which of them are missing (人民调解法 art. 17, 23, 25–27)."""
    from cases.gates import routes_label
    from cases.law_models import PoliceReport

    from .law_models import ConsentDecision, PartyConsent

    outcome = _closing_outcome(case, outcome)
    documents = set(case.file_documents.values_list("kind", flat=True))
    parties = list(case.parties.all())
    sessions = MediationSession.objects.filter(case=case).exclude(minutes="").count()
    agreement = agreement_of(case)
    follow_ups = FollowUp.objects.filter(case=case).count()
    confirmation = getattr(agreement, "judicial_confirmation", None) if agreement else None
    consents = {c.party_id: c for c in PartyConsent.objects.filter(case=case)}
    police = PoliceReport.objects.filter(case=case).first()
    if routes is None and case.status == Status.CLOSED:
        routes = _recorded_routes(case)

    # Mediation took place, or is under way: consent, notice, identity and minutes are owed.
    mediated = outcome in (None, Outcome.AGREEMENT, Outcome.FAILED) or sessions > 0
    not_consented = [
        p.name
        for p in parties
        if p.pk not in consents or consents[p.pk].decision != ConsentDecision.CONSENT
    ]
    refused = [
        p.name
        for p in parties
        if p.pk in consents and consents[p.pk].decision == ConsentDecision.REFUSE
    ]
    not_notified = [
        p.name for p in parties if p.pk not in consents or consents[p.pk].notified_on is None
    ]
    consent_present = bool(parties) and not not_consented
    if refused:
        consent_detail = "拒绝调解：" + "、".join(refused)
    elif not_consented:
        consent_detail = "未记录同意调解：" + "、".join(not_consented)
    else:
        consent_detail = ""
    notice_present = bool(parties) and not not_notified
    agreement_expected = (
        agreement is not None
        or case.status == Status.RESOLVED
        or (case.status == Status.CLOSED and case.outcome == Outcome.AGREEMENT)
    )
    without_id = [p.name for p in parties if not p.id_number_hash]
    identity_present = bool(parties) and (not without_id or DocumentKind.IDENTITY in documents)
    if agreement is None:
        agreement_present, agreement_detail = False, "未记录调解协议"
    elif agreement.effective_on is None:
        agreement_present, agreement_detail = False, "协议尚未生效（签名或盖章未齐）"
    else:
        agreement_present = True
        agreement_detail = f"{agreement.get_form_display()}，{agreement.effective_on} 生效"
    applied = confirmation is not None and confirmation.status in {
        ConfirmationStatus.APPLIED,
        ConfirmationStatus.CONFIRMED,
        ConfirmationStatus.REJECTED,
    }
    # The court's decision recorded on the case stands for its paper.
    confirmation_papers = DocumentKind.CONFIRMATION in documents or (
        confirmation is not None
        and confirmation.status in {ConfirmationStatus.CONFIRMED, ConfirmationStatus.REJECTED}
    )
    # Intake's screening (a matter for a court or the police) closes before any mediation.
    screened = (
        outcome == Outcome.REJECTED
        and case.status == Status.CLOSED
        and case.events.filter(kind="report", data__has_key="screening").exists()
    )
    routes_required = outcome in (Outcome.FAILED, Outcome.REJECTED) and not screened
    police_required = police is not None and police.due_at is not None
    police_reported = police is not None and police.reported_at is not None
    if police_reported:
        police_detail = f"已报告{police.station}" + (
            f"，回执 {police.receipt_number}" if police.receipt_number else "，回执待补录"
        )
    else:
        police_detail = "应报告未报告" if police_required else ""

    items = [
        FileItem(ChecklistItem.INTAKE, ChecklistItem.INTAKE.label, True, bool(case.number)),
        FileItem(
            ChecklistItem.CONSENT,
            ChecklistItem.CONSENT.label,
            mediated,
            consent_present,
            consent_detail,
        ),
        FileItem(
            ChecklistItem.RIGHTS_NOTICE,
            ChecklistItem.RIGHTS_NOTICE.label,
            mediated,
            notice_present,
            "" if notice_present else "未告知权利义务：" + "、".join(not_notified or ["无当事人"]),
        ),
        FileItem(
            ChecklistItem.IDENTITY,
            ChecklistItem.IDENTITY.label,
            mediated,
            identity_present,
            "" if identity_present else "缺少身份证明：" + "、".join(without_id or ["无当事人"]),
        ),
        FileItem(
            ChecklistItem.MEDIATION_RECORD,
            ChecklistItem.MEDIATION_RECORD.label,
            outcome in (None, Outcome.AGREEMENT, Outcome.FAILED),
            sessions > 0,
            f"{sessions} 次调解" if sessions else "未记录调解笔录",
        ),
        FileItem(
            ChecklistItem.AGREEMENT,
            ChecklistItem.AGREEMENT.label,
            agreement_expected,
            agreement_present,
            agreement_detail if agreement_expected else "",
        ),
        FileItem(
            ChecklistItem.FOLLOW_UP,
            ChecklistItem.FOLLOW_UP.label,
            # an agreement the parties take to court instead (routed, closed `referred`) has no
            # performance to visit
            agreement_expected and outcome != Outcome.REFERRED,
            follow_ups > 0,
            f"{follow_ups} 次回访" if follow_ups else ("未回访" if agreement_expected else ""),
        ),
        FileItem(
            ChecklistItem.CONFIRMATION,
            ChecklistItem.CONFIRMATION.label,
            applied,
            confirmation_papers,
            "" if not applied or confirmation_papers else "已申请司法确认，缺少申请书或裁定书",
        ),
        FileItem(
            ChecklistItem.ROUTES,
            ChecklistItem.ROUTES.label,
            routes_required,
            bool(routes),
            f"已告知：{routes_label(routes)}"
            if routes
            else ("结案时选择" if routes_required else ""),
        ),
        FileItem(
            ChecklistItem.POLICE_REPORT,
            ChecklistItem.POLICE_REPORT.label,
            police_required,
            police_reported,
            police_detail,
        ),
    ]
    return CaseFile(case_id=case.id, items=items)


# ---------------------------------------------------------------- inspections


def month_start(day: date) -> date:
    """The first day of the month of `day`."""
    return day.replace(day=1)


def inspection_coverage(area, start: date, end: date) -> tuple[int, int]:
    """(grids under `area` with a report for a month between `start` and `end`, all grids
    under `area`); zero reports count."""
    grids_total = Area.objects.subtree(area).filter(level=AreaLevel.GRID).count()
    reports = InspectionReport.objects.filter(
        period__gte=month_start(start), period__lte=end, grid__code__startswith=area.prefix
    )
    if area.level in {"county", "town", "village"}:
        reports = InspectionReport.objects.filter(
            **{f"{area.level}_id": area.id}, period__gte=month_start(start), period__lte=end
        )
    grids_with_report = reports.values("grid_id").distinct().count()
    return grids_with_report, grids_total


def inspections_visible_to(user):
    """Inspection reports of grids under the user's roles (grid workers: their grids)."""
    scope = scope_for(user)
    queryset = InspectionReport.objects.select_related("grid", "reporter")
    if scope.is_superuser:
        return queryset
    return queryset.filter(scope.area_q())


# ---------------------------------------------------------------- rewards


def rewards_visible_to(user):
    """Rewards of cases under the user's (non-grid) roles."""
    scope = scope_for(user)
    queryset = Reward.objects.select_related("case", "mediator", "committee")
    if scope.is_superuser:
        return queryset
    condition = Q(pk__in=[])
    for area in scope.areas("mediator", "officer", "viewer", "admin"):
        if area.level != "grid":
            condition |= Q(**{f"{area.level}_id": area.id})
    return queryset.filter(condition)


def reward_sheet(queryset, month: date) -> dict:
    """The month's rewards summed per mediator and per committee."""
    rows = queryset.filter(month=month)
    by_mediator = (
        rows.values("mediator_id", "mediator__display_name", "mediator__username")
        .annotate(cases=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "mediator_id")
    )
    by_committee = (
        rows.values("committee_id", "committee__name")
        .annotate(cases=Count("id"), amount=Sum("amount"))
        .order_by("-amount", "committee_id")
    )
    mediators = [
        {
            "mediator": r["mediator_id"],
            "name": r["mediator__display_name"] or r["mediator__username"],
            "cases": r["cases"],
            "amount": r["amount"],
        }
        for r in by_mediator
    ]
    committees = [
        {
            "committee": r["committee_id"],
            "name": r["committee__name"] or "（未归属调解组织）",
            "cases": r["cases"],
            "amount": r["amount"],
        }
        for r in by_committee
    ]
    total = sum((r["amount"] for r in mediators), start=0)
    return {
        "month": f"{month:%Y-%m}",
        "mediators": mediators,
        "committees": committees,
        "cases": sum(r["cases"] for r in mediators),
        "total": total,
    }
