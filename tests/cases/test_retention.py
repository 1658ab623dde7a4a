"""Anonymising closed cases after the retention period: no personal data left, KPIs unchanged."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import serializers
from django.core.management import call_command

from accounts.models import AuditEntry
from assessment.kpis import compute_period
from assessment.periods import parse_period
from cases import services
from cases.models import Case, CaseEvent, Party
from mediation.models import Agreement, FollowUp, MediationSession
from tests.builders import id_number, party, record_follow_up, record_session, report

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2019, 3, 4, 9, 0, tzinfo=TZ)


def _closed_case(cast, name_a, name_b, serial):
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    case = report(
        cast.grid_worker_a,
        cast.areas.grid_a1,
        title=f"{name_a}与{name_b}宅基地纠纷",
        facts=f"{name_a}称{name_b}占用其宅基地。",
        parties=[party(name_a, "applicant", serial), party(name_b, "respondent", serial + 1)],
        at=T0,
    )
    services.case_assign(
        actor=officer, case_id=case.id, assignee=mediator, at=T0 + timedelta(hours=2)
    )
    services.case_respond(
        actor=mediator, case_id=case.id, note=f"已联系{name_a}", at=T0 + timedelta(hours=5)
    )
    record_session(
        case,
        mediator,
        held_at=T0 + timedelta(days=1),
        place="村委会",
        minutes=f"{name_a}、{name_b}到场陈述。",
        attendees=f"{name_a}，{name_b}",
    )
    services.case_resolve(
        actor=mediator,
        case_id=case.id,
        agreement={"form": "oral", "terms": f"{name_b}退让30公分。"},
        at=T0 + timedelta(days=2),
    )
    follow = record_follow_up(case, mediator, note=f"{name_a}表示满意")
    FollowUp.objects.filter(pk=follow.pk).update(performed_on=(T0 + timedelta(days=5)).date())
    services.case_close(
        actor=mediator, case_id=case.id, outcome="agreement", at=T0 + timedelta(days=6)
    )
    return Case.objects.get(pk=case.pk)


def _personal_strings(case_id):
    rows = [
        *Case.objects.filter(pk=case_id),
        *Party.objects.filter(case_id=case_id),
        *CaseEvent.objects.filter(case_id=case_id),
        *MediationSession.objects.filter(case_id=case_id),
        *Agreement.objects.filter(case_id=case_id),
        *FollowUp.objects.filter(case_id=case_id),
    ]
    return serializers.serialize("json", rows)


def test_anonymise_leaves_no_personal_data_and_kpis_unchanged(cast):
    old = _closed_case(cast, "赵大勇", "钱二妹", 11)
    recent = report(cast.grid_worker_a, cast.areas.grid_a1, parties=[party("孙三", serial=21)])
    period = parse_period("2019-03")
    before = compute_period(period)

    call_command("anonymise", "--years", "5")

    dump = _personal_strings(old.id)
    for secret in ["赵大勇", "钱二妹", id_number(11), id_number(12), "13800000011", "彭村一组"]:
        assert secret not in dump
    parties = list(Party.objects.filter(case=old).order_by("id"))
    assert [p.name for p in parties] == ["申请人甲", "被申请人乙"]
    assert all(p.id_number_encrypted is None and p.id_number_hash == "" for p in parties)
    assert compute_period(period) == before
    old.refresh_from_db()
    assert (old.status, old.outcome, old.level, old.peak_level) == (
        "closed",
        "agreement",
        "village",
        "village",
    )
    # The open, recent case is untouched.
    assert Party.objects.get(case=recent).name == "孙三"
    assert AuditEntry.objects.filter(kind="anonymise", rows=1).exists()


def test_anonymise_is_idempotent(cast):
    old = _closed_case(cast, "周四", "吴五", 31)
    call_command("anonymise", "--before", "2020-01-01")
    events = CaseEvent.objects.filter(case=old).count()
    call_command("anonymise", "--before", "2020-01-01")
    assert CaseEvent.objects.filter(case=old).count() == events
