"""Art. 25 of 人民调解法: a dispute that may turn into a crime or a public-order case is
reported to the police (DESIGN.md §16).

The report falls due 24 hours after the case's risk is raised to red or a party is matched in
another open case of the county (重复纠纷): intake opens the clock (`police_due_open`), and so
do a later raise to red (`case_risk_raise`) and a later case naming one of its parties
(`repeat_party_clocks`, for the earlier open cases), each from that moment; the
`report_to_police` action records the report to a named station, and the station's receipt
(number, time, person) is recorded later (`police_receipt`). An unreported one past its due is
overdue like any deadline: registered with the overdue rule (cases/overdue.py) and the sweep
(reminded once, the breach recorded in the ledger first)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from config.errors import Conflict, InvalidInput
from notifications.choices import NotificationKind
from notifications.services import notify

from . import dates, overdue, sweep
from .breaches import record_breach, subject_recorded
from .choices import OPEN_STATUSES, RISK_ORDER, EventKind, Risk
from .events import case_event, case_events
from .law_models import PoliceReport, PoliceTrigger
from .models import Case, Party
from .policy import CasePolicy, access_case
from .village_police import notify_red_risk, notify_village_police

REPORT_WITHIN = timedelta(hours=24)
BREACH_KIND = "police_report_due"
SUBJECT = "police:"
LOOKBACK = timedelta(days=60)
BATCH = 1000


def police_due_open(*, case, trigger: str, at: datetime, note: str = "") -> PoliceReport:
    """Open the 24-hour clock of the case's report (inside the caller's transaction, the case
    locked or new); a clock already open or a report already made is left as it is."""
    return _clocks_open([case], trigger=trigger, at=at, notes={case.pk: note})[case.pk]


def _clocks_open(cases, *, trigger: str, at: datetime, notes: dict) -> dict[int, PoliceReport]:
    """`police_due_open` for many cases in three statements at the most (`notes`: each case's
    note); their reports by case id."""
    reports = {r.case_id: r for r in PoliceReport.objects.filter(case__in=[c.pk for c in cases])}
    waiting = [r for r in reports.values() if r.due_at is None and r.reported_at is None]
    for report in waiting:
        report.due_at, report.trigger = at + REPORT_WITHIN, trigger
        report.trigger_note = notes[report.case_id][:200]
    if waiting:
        PoliceReport.objects.bulk_update(waiting, ["due_at", "trigger", "trigger_note"])
    new = [
        PoliceReport(
            case=case,
            trigger=trigger,
            trigger_note=notes[case.pk][:200],
            due_at=at + REPORT_WITHIN,
            created_at=at,
        )
        for case in cases
        if case.pk not in reports
    ]
    for report in PoliceReport.objects.bulk_create(new):
        reports[report.case_id] = report
    return reports


@transaction.atomic
def case_risk_raise(
    *, actor: User, case_id: int, risk: str, reason: str, at: datetime | None = None
) -> Case:
    """A handler raises the case's risk after intake (风险升级), with a reason; raised to red,
    the art. 25 clock starts now (24 h to report to the police) and the village's police
    officer is told, as at intake."""
    at = at or timezone.now()
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require("raise_risk")
    errors = {}
    if risk not in Risk.values:
        errors["risk"] = ["风险等级无效。"]
    elif RISK_ORDER.index(Risk(risk)) <= RISK_ORDER.index(Risk(case.risk)):
        # Raised already (the same raise twice, or the loser of two at once): nothing changes.
        raise Conflict(
            f"只能升高风险等级（当前为「{Risk(case.risk).label}」）。",
            code="risk_not_higher",
            risk=case.risk,
        )
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["请填写风险升级的理由。"]
    elif len(reason) > 500:
        errors["reason"] = ["理由不超过500字。"]
    if errors:
        raise InvalidInput("风险升级有误。", fields=errors)
    before = case.risk
    case.risk = risk
    case.save(update_fields=["risk"])
    case_event(
        case=case,
        kind=EventKind.RISK_RAISED,
        actor=actor,
        at=at,
        note=f"风险由「{Risk(before).label}」升为「{Risk(risk).label}」：{reason}",
        data={"reason": "raised", "from": before, "to": risk},
    )
    if risk == Risk.RED:
        police_due_open(case=case, trigger=PoliceTrigger.RED_RISK, note=reason[:200], at=at)
        notify_red_risk(case, now=at)
    return case


def repeat_party_clocks(*, case, hashes: dict, at: datetime) -> list[int]:
    """A new case named parties already in other open cases of the county: those cases have
    a repeat party now (重复纠纷), so each one's art. 25 clock starts now, with an event (inside
    the intake's transaction; the matched cases are locked first). Returns their ids."""
    matched: dict[int, set] = {}
    rows = (
        Party.objects.filter(
            id_number_hash__in=list(hashes),
            case__county_id=case.county_id,
            case__status__in=OPEN_STATUSES,
        )
        .exclude(case_id=case.pk)
        .values_list("case_id", "id_number_hash")
    )
    for case_id, digest in rows:
        matched.setdefault(case_id, set()).add(hashes[digest])
    if not matched:
        return []
    earlier = list(
        Case.objects.select_for_update(of=("self",)).filter(pk__in=list(matched)).order_by("pk")
    )
    names = {other.pk: "、".join(sorted(matched[other.pk])) for other in earlier}
    # `repeat_dispute` stays the later case's mark (the rating counts each repeat once).
    _clocks_open(earlier, trigger=PoliceTrigger.REPEAT_PARTY, at=at, notes=names)
    case_events(
        [
            {
                "case": other,
                "kind": EventKind.RISK_RAISED,
                "actor": None,
                "at": at,
                "note": f"重复纠纷：当事人{names[other.pk]}在新登记的案件{case.number}中再次出现。",
                "data": {
                    "reason": "repeat_dispute",
                    "case": case.pk,
                    "from": other.risk,
                    "to": other.risk,
                },
            }
            for other in earlier
        ]
    )
    return sorted(matched)


def police_report_for(case) -> PoliceReport | None:
    return PoliceReport.objects.filter(case=case).first()


@transaction.atomic
def police_report(
    *,
    actor: User,
    case_id: int,
    station: str,
    reported_at: datetime,
    note: str = "",
    at: datetime | None = None,
) -> PoliceReport:
    """Record the report to a police station (报告公安机关, art. 25)."""
    at = at or timezone.now()
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require("report_to_police")
    report = PoliceReport.objects.select_for_update().filter(case=case).first()
    if report is not None and report.reported_at is not None:
        raise Conflict("已报告公安机关。", code="police_reported", status=case.status)
    if not (station or "").strip():
        raise InvalidInput("请填写报告的派出所。", fields={"station": ["请填写报告的派出所。"]})
    dates.happened_at(case, reported_at, field="reported_at", label="报告时间", now=at)
    if report is None:
        report = PoliceReport(case=case, trigger=PoliceTrigger.MANUAL, created_at=at)
    report.station = station.strip()[:100]
    report.reported_at = reported_at
    report.reported_by = actor
    report.note = (note or "").strip()
    report.save()
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"报告公安机关：{report.station}",
        data={"record": "police_report", "id": report.pk, "station": report.station},
    )
    # 一村一警 (DESIGN.md §15): the village's police officer hears of every art. 25 report.
    notify_village_police(
        case,
        title=f"报告公安机关：{case.number}",
        body=f"「{case.title}」已报告{report.station}，请关注并配合化解。",
        now=at,
    )
    return report


@transaction.atomic
def police_receipt(
    *,
    actor: User,
    case_id: int,
    receipt_number: str,
    receipt_at: datetime,
    receipt_person: str,
    at: datetime | None = None,
) -> PoliceReport:
    """Record the station's receipt of the report: its number, when, and who received it."""
    at = at or timezone.now()
    case = access_case(actor, case_id, lock=True)
    CasePolicy(actor, case).require("police_receipt")
    report = PoliceReport.objects.select_for_update().filter(case=case).first()
    if report is None or report.reported_at is None:
        raise Conflict("尚未报告公安机关，不能记录回执。", code="police_unreported")
    errors = {}
    if not (receipt_number or "").strip():
        errors["receipt_number"] = ["请填写回执编号。"]
    if not (receipt_person or "").strip():
        errors["receipt_person"] = ["请填写接收人。"]
    if errors:
        raise InvalidInput("回执信息不完整。", fields=errors)
    dates.happened_at(case, receipt_at, field="receipt_at", label="回执时间", now=at)
    dates.not_before(
        receipt_at,
        report.reported_at,
        field="receipt_at",
        message="回执时间不能早于报告时间。",
    )
    report.receipt_number = receipt_number.strip()[:64]
    report.receipt_at = receipt_at
    report.receipt_person = receipt_person.strip()[:50]
    report.save(update_fields=["receipt_number", "receipt_at", "receipt_person"])
    case_event(
        case=case,
        kind=EventKind.RECORD,
        actor=actor,
        at=at,
        note=f"记录公安机关回执：{report.receipt_number}",
        data={"record": "police_receipt", "id": report.pk},
    )
    return report


# ---------------------------------------------------------------- overdue and the sweep


def _late(now: datetime) -> QuerySet:
    return PoliceReport.objects.filter(reported_at__isnull=True, due_at__lte=now)


def _case_ids(now: datetime) -> QuerySet:
    return _late(now).values_list("case_id", flat=True)


def _late_items(case_ids: list[int], now: datetime) -> dict:
    return {
        case_id: [overdue.LateItem("police_report", "报告公安机关", due_at)]
        for case_id, due_at in _late(now)
        .filter(case_id__in=case_ids)
        .values_list("case_id", "due_at")
    }


def _ranked(under: overdue.Under, now: datetime, limit: int):
    """The `limit` cases of an area with the oldest unreported reports, as (due, case id)."""
    return list(
        _late(now)
        .filter(under.case_q())
        .order_by("due_at", "-case_id")
        .values_list("due_at", "case_id")[:limit]
    )


def police_candidates(now: datetime) -> QuerySet:
    """Unreported reports past their due, of the look-back window, not yet reminded of: on the
    partial index `police_report_to_remind`."""
    return (
        _late(now)
        .filter(due_at__isnull=False, reminded_at__isnull=True, due_at__gt=now - LOOKBACK)
        .select_related("case")
        .exclude(subject_recorded(BREACH_KIND, SUBJECT))
    )


@transaction.atomic
def police_reminders(*, now, report, people) -> None:
    """Remind the case's responsible people once that the report to the police is overdue."""
    rows = list(
        police_candidates(now)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("due_at", "id")[:BATCH]
    )
    # Reminded of (in this transaction, with their breaches): they leave the sweep's look.
    PoliceReport.objects.filter(pk__in=[row.pk for row in rows]).update(reminded_at=now)
    for row in rows:
        case = row.case
        if not record_breach(
            case_id=case.pk,
            period=None,
            kind=BREACH_KIND,
            subject=f"{SUBJECT}{row.pk}",
            due_at=row.due_at,
            now=now,
        ):
            continue
        report.breaches += 1
        report.count("police_reminders")
        notify(
            users=people.responsible(case, case.holder_id),
            kind=NotificationKind.REMINDER,
            title=f"案件{case.number}须报告公安机关",
            body=f"「{case.title}」{row.get_trigger_display()}，应于{sweep.local_text(row.due_at)}"
            "前报告公安机关（人民调解法第二十五条），请立即报告并记录回执。",
            case=case,
            now=now,
        )
        case_event(
            case=case,
            kind=EventKind.REMIND,
            actor=None,
            at=now,
            note="报告公安机关超期提醒",
            data={"deadline": "police_report", "due": row.due_at.isoformat()},
        )


def register() -> None:
    """Hand the art. 25 clock to the overdue rule and the sweep (CasesConfig.ready())."""
    overdue.register(overdue.OverdueSource("police_report", _case_ids, _late_items, _ranked))
    sweep.register(
        sweep.DeadlineSource(
            name="cases.police_report",
            counter="police_reminders",
            due=police_candidates,
            act=police_reminders,
        )
    )
