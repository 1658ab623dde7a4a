"""The demo year's referrals (三调联动, DESIGN.md §15), played through the referral services on
the year's clock after the cases: the disputes that came from 110, the court and the petition
office (their sources) get the agency's referral, received when the committee logged them (a
police dispute now and then after its 24 hours) and answered when the case concluded; a few open
labour, consumer, housing and land cases are referred out to their department, most answered."""

import random
from collections import Counter
from datetime import timedelta

from django.db import transaction

from accounts.agencies import Agency, AgencyMember
from cases import referrals as rs
from cases.calendar import add_working_days
from cases.choices import Outcome, Status
from cases.models import Case
from config.errors import DomainError

from .pace import yield_to_pages

INBOUND = {
    "police_referral": ("police", "police_110"),
    "court_referral": ("court", "court_entrusted"),
    "petition": ("petition", "petition"),
}
OUTBOUND = {"labour": "人社", "consumer": "市场监管", "business": "市场监管",
            "housing_homestead": "住建", "land_forest": "自然资源"}  # fmt: skip
RESULT_OF_OUTCOME = {
    Outcome.AGREEMENT: "mediated",
    Outcome.FAILED: "failed",
    Outcome.REFERRED: "handled",
    Outcome.WITHDRAWN: "handled",
    Outcome.REJECTED: "declined",
}


def seed_referrals(county, now, seed: int = 610222) -> Counter:
    """Play the referrals of the demo county's cases up to `now`; returns what it did. Each
    case's referral is its own transaction (the pages read on while `make run` seeds), and a
    case that has one already is left as it is, so a run cut short is finished by the next."""
    rng = random.Random(seed)
    tally = Counter()
    agencies = list(Agency.objects.filter(county=county, active=True))
    liaison = {
        m.agency_id: m.user
        for m in AgencyMember.objects.filter(agency__in=agencies).select_related("user")
    }
    stations = {a.area_id: a for a in agencies if a.kind == "police"}
    by_kind = {a.kind: a for a in agencies if a.kind != "police"}
    departments = {a.department: a for a in agencies if a.kind == "administrative"}
    cases = (
        Case.objects.filter(county=county, referrals__isnull=True)
        .select_related("assignee")
        .order_by("reported_at")
    )
    for case in cases.filter(source__in=list(INBOUND)):
        agency_kind, kind = INBOUND[case.source]
        agency = stations.get(case.town_id) if agency_kind == "police" else by_kind.get(agency_kind)
        if agency_kind == "court" and rng.random() < 0.4 and "tribunal" in by_kind:
            agency, kind = by_kind["tribunal"], "court_pre_suit"
        if agency is None or agency.pk not in liaison:
            continue
        _play(tally, "in", _inbound, rng, case, agency, kind, liaison[agency.pk], now)
    candidates = cases.filter(
        status__in=[Status.ASSIGNED, Status.IN_PROGRESS], category__in=list(OUTBOUND)
    )
    for case in candidates:
        agency = departments.get(OUTBOUND[case.category])
        if agency is None or agency.pk not in liaison or rng.random() > 0.35:
            continue
        _play(tally, "out", _outbound, rng, case, agency, liaison[agency.pk], now)
    return tally


def _play(tally, direction, step, *args):
    """One case's referral in a savepoint: a step a service refuses drops that referral."""
    try:
        with transaction.atomic():
            tally.update(f"{direction}_{s}" for s in step(*args))
    except DomainError:
        tally[f"{direction}_refused"] += 1
    yield_to_pages()


def _inbound(rng, case, agency, kind, person, now):
    """The agency sent the dispute a little before the committee logged it (receipt)."""
    hours = rng.choice([1, 2, 3, 5, 8, 12, 20]) if kind == "police_110" else rng.randrange(4, 72)
    if kind == "police_110" and rng.random() < 0.05:
        hours = rng.randrange(25, 40)  # received late
    sent_at = case.reported_at - timedelta(hours=hours)
    referral = rs.referral_record_inbound(
        actor=person,
        case_id=case.pk,
        agency_id=agency.pk,
        kind=kind,
        note="经初步处置，属非警务民间纠纷，移交人民调解。"
        if kind == "police_110"
        else "移交调解。",
        at=sent_at,
    )
    done = ["sent"]
    handler = case.assignee
    if handler is None:
        return done
    rs.referral_receive(actor=handler, referral_id=referral.pk, at=case.reported_at)
    done.append("received")
    if case.concluded_at is None or case.outcome == "":
        return done
    answered_at = case.concluded_at + timedelta(hours=rng.randrange(1, 30))
    if answered_at > now:
        return done
    result = RESULT_OF_OUTCOME.get(case.outcome, "handled")
    rs.referral_answer(
        actor=handler,
        referral_id=referral.pk,
        result=result,
        note="纠纷已化解，双方达成协议。" if result == "mediated" else "已告知当事人其他解决途径。",
        at=answered_at,
    )
    done.append("answered")
    closed_at = answered_at + timedelta(days=rng.randrange(1, 4))
    if closed_at <= now:
        rs.referral_close(actor=person, referral_id=referral.pk, at=closed_at)
        done.append("closed")
    return done


def _outbound(rng, case, agency, person, now):
    """The handler refers the case to its department; the department answers in its period."""
    sent_at = case.reported_at + timedelta(days=rng.randrange(1, 4))
    if sent_at > now or case.assignee is None:
        return []
    referral = rs.referral_send(
        actor=case.assignee,
        case_id=case.pk,
        agency_id=agency.pk,
        note=f"涉及{agency.department}职能，移交{agency.name}依法处理，本委继续跟进调解。",
        at=sent_at,
    )
    done = ["sent"]
    received_at = sent_at + timedelta(hours=rng.choice([2, 4, 6, 20, 30]))
    if received_at > now:
        return done
    rs.referral_receive(actor=person, referral_id=referral.pk, at=received_at)
    done.append("received")
    answered_at = add_working_days(received_at, rng.randrange(3, 18))
    if answered_at > now:
        return done
    rs.referral_answer(
        actor=person,
        referral_id=referral.pk,
        result="handled",
        note="已依法调查处理，并告知当事人。",
        at=answered_at,
    )
    done.append("answered")
    if answered_at + timedelta(days=1) <= now:
        rs.referral_close(
            actor=case.assignee, referral_id=referral.pk, at=answered_at + timedelta(days=1)
        )
        done.append("closed")
    return done
