"""Building test state through the same services users call: identity numbers, parties, intake,
and `drive(case, to=status, level=…)` to take a case to where a test needs it.

Every test builds cases here, so a change of a service's signature is made in one place: the
mediation records (sessions, consultations, follow-ups, inspection reports, committee members)
are wrapped below for the same reason."""

from datetime import date

from django.utils import timezone

from accounts.models import Role
from cases import services
from cases.crypto import id_check_digit
from cases.models import Case

ORAL = {"form": "oral", "terms": "李四退让边界30公分。"}
LEVELS = ["village", "town", "county"]


def id_number(serial: int, birth: str = "19800101", area: str = "610222") -> str:
    """A valid 18-digit ID number (GB 11643 check digit) for a made-up person."""
    first17 = f"{area}{birth}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def party(name="张三", role="applicant", serial=1, area=None, **extra) -> dict:
    """One party as intake takes it, with a valid ID number and phone unless `extra` says
    otherwise."""
    data = {
        "name": name,
        "role": role,
        "id_number": id_number(serial),
        "phone": f"138{serial:08d}",
        "address": "彭村一组",
        "area": area,
    }
    data.update(extra)
    return data


def two_parties(serial=1, names=("张三", "李四")) -> list[dict]:
    """An applicant and a respondent with the ID numbers `serial` and `serial + 1`."""
    return [party(names[0], "applicant", serial), party(names[1], "respondent", serial + 1)]


def report(actor, area, *, parties=None, **overrides) -> Case:
    """Intake through the service with sensible defaults (a green homestead dispute)."""
    values = {
        "title": "宅基地边界纠纷",
        "facts": "两户因宅基地边界发生争执。",
        "category": "housing_homestead",
        "source": "grid_inspection",
        "risk": "green",
        "people_involved": 2,
    }
    values.update(overrides)
    if parties is None:
        parties = two_parties()
    return services.case_report(actor=actor, area=area, parties=parties, **values)


def _holder_at(case: Case, level: str):
    return {"village": case.village, "town": case.town, "county": case.county}[level]


def _role_user(area, kind):
    role = Role.objects.filter(area=area, kind=kind).select_related("user").order_by("id").first()
    return role.user if role else None


def drive(
    case: Case,
    *,
    to: str,
    level: str | None = None,
    outcome: str = "agreement",
    officer=None,
    mediator=None,
    at=None,
    note: str = "",
    written: bool = False,
) -> Case:
    """Take a fresh (pending) case through the services to status `to` at `level` (default: the
    level it is at); returns it re-read.

    An officer of `level` pulls the case up there; that level's officer assigns it to that
    level's mediator (a village mediator claims it where the village has no officer), who
    responds and resolves with an oral agreement. `to="closed"` closes it with `outcome`:
    `agreement` after the resolution and a follow-up, any other outcome from in progress.
    `officer` and `mediator` default to the first such role holders of the level's area.
    `written=True` resolves with a written agreement, signed by every party and the mediator
    and sealed the same day (in effect, art. 29), performed that day."""
    case = Case.objects.select_related("village", "town", "county").get(pk=case.pk)
    kw = {} if at is None else {"at": at}
    level = level or case.level
    area = _holder_at(case, level)
    officer = officer or _role_user(area, "officer")
    mediator = mediator or _role_user(area, "mediator")
    if level != case.level:
        if LEVELS.index(level) < LEVELS.index(case.level):
            raise ValueError(f"drive() does not delegate: the case is at {case.level}")
        services.case_escalate(actor=officer, case_id=case.pk, reason=note or "提级", **kw)
    if to == "pending":
        from config.errors import DomainError

        try:
            report_police_if_due(case, officer, at=at)
        except DomainError:
            pass  # `officer` works at another level than the case's: nobody reports yet
        return _fresh(case)
    services.case_assign(actor=officer or mediator, case_id=case.pk, assignee=mediator, **kw)
    consent_all(case, mediator, at=at)
    report_police_if_due(case, mediator, at=at)
    if to == "assigned":
        return _fresh(case)
    services.case_respond(actor=mediator, case_id=case.pk, note=note, **kw)
    if to == "in_progress":
        return _fresh(case)
    if to == "closed" and outcome != "agreement":
        if outcome == "failed":
            record_session(case, mediator, **kw)
        identity_papers(case, mediator)
        services.case_close(
            actor=mediator,
            case_id=case.pk,
            outcome=outcome,
            note=note or "调解不成",
            routes=["litigation"] if outcome in ("failed", "rejected") else None,
            **kw,
        )
        return _fresh(case)
    record_session(case, mediator, **kw)
    identity_papers(case, mediator)
    if written:
        resolve_written(case, mediator, at=at)
        sign_and_seal(case, mediator, at=at, on=timezone.localdate(at) if at else None)
    else:
        services.case_resolve(actor=mediator, case_id=case.pk, agreement=ORAL, **kw)
    if to == "resolved":
        return _fresh(case)
    if to != "closed":
        raise ValueError(f"drive() knows no status {to!r}")
    follow_up(case, mediator)
    services.case_close(actor=mediator, case_id=case.pk, outcome="agreement", **kw)
    return _fresh(case)


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def follow_up(case, user, *, satisfaction="satisfied", performed_on=None):
    """A performed follow-up visit (回访), written as a row: closing with an agreement needs one,
    and tests record it in states the follow-up service would refuse."""
    from mediation.models import FollowUp

    return FollowUp.objects.create(
        case=case,
        method="visit",
        performed_on=performed_on or date.today(),
        performed=True,
        satisfaction=satisfaction,
        recorded_by=user,
    )


# The mediation records, through their services.


def consent_all(case, actor, *, at=None):
    """Every party's consent and rights notice (art. 17, 23) through the service, for the
    parties that have none yet: sessions wait for them."""
    from mediation.consent import consent_record
    from mediation.models import PartyConsent

    day = timezone.localdate(at or timezone.now())
    done = set(PartyConsent.objects.filter(case_id=case.pk).values_list("party_id", flat=True))
    for party_id in case.parties.exclude(pk__in=done).values_list("pk", flat=True):
        consent_record(
            actor=actor,
            case_id=case.pk,
            party_id=party_id,
            decision="consent",
            decided_on=day,
            notified_on=day,
            notice_method="written",
            **({} if at is None else {"at": at}),
        )


def report_police_if_due(case, actor, *, at=None):
    """The art. 25 report to the police, when the case owes one and it is not made yet."""
    from cases.models import PoliceReport
    from cases.police import police_report

    if PoliceReport.objects.filter(
        case_id=case.pk, due_at__isnull=False, reported_at__isnull=True
    ).exists():
        moment = at or timezone.now()
        police_report(
            actor=actor,
            case_id=case.pk,
            station="城关派出所",
            reported_at=moment,
            note="纠纷有激化可能，已报告。",
            **({} if at is None else {"at": at}),
        )


def identity_papers(case, actor):
    """The identity paper of the case file when a party has no ID number on record."""
    from mediation.models import FileDocument

    if case.parties.filter(id_number_hash="").exists():
        FileDocument.objects.get_or_create(
            case_id=case.pk, kind="identity", defaults={"recorded_by": actor}
        )


def record_session(case, actor, **fields):
    """A session through the service, after every party's consent and notice (recorded here
    where missing)."""
    from config.errors import DomainError
    from mediation import services as mediation

    try:
        consent_all(case, actor, at=fields.get("at"))
    except DomainError:
        pass  # the session service answers for the case's state and the actor's role
    fields = {
        "held_at": fields.get("at") or timezone.now(),
        "place": "村委会调解室",
        "minutes": "双方陈述，调解员释法说理。",
        **fields,
    }
    return mediation.session_record(case_id=case.pk, actor=actor, **fields)


def extend(case, actor, *, until, note="双方同意延期", agreed_on=None, **fields):
    """An extension with every party's consent recorded (who, when, until when)."""
    return services.case_extend(
        actor=actor,
        case_id=case.pk,
        until=until,
        parties=list(case.parties.values_list("pk", flat=True)),
        agreed_on=agreed_on or timezone.localdate(fields.get("at") or timezone.now()),
        consent_note=note,
        **fields,
    )


def ask_consultation(case, actor, **fields):
    from mediation import services as mediation

    return mediation.consultation_ask(case_id=case.pk, actor=actor, **fields)


def record_follow_up(case, actor, **fields):
    from mediation import services as mediation

    fields = {
        "method": "visit",
        "performed": True,
        "satisfaction": "satisfied",
        "performed_on": timezone.localdate(),
        **fields,
    }
    return mediation.follow_up_record(case_id=case.pk, actor=actor, **fields)


def file_inspection(grid, actor, **fields):
    from mediation import services as mediation

    return mediation.inspection_file(grid=grid, actor=actor, **fields)


def add_member(committee, actor, user, **fields):
    from mediation import services as mediation

    return mediation.member_save(committee=committee, actor=actor, user=user, **fields)


def reward(case, *, mediator, committee, claimed_by, amount=100, difficulty="ordinary", month=None):
    """A reward row for a concluded case (the claim service needs a complete case file; tests of
    lists and scope need only the row), scoped like the case."""
    from mediation.models import Reward, RewardRate

    return Reward.objects.create(
        rate=RewardRate.objects.order_by("id").first(),
        case=case,
        mediator=mediator,
        committee=committee,
        difficulty=difficulty,
        amount=amount,
        month=month or date.today().replace(day=1),
        claimed_by=claimed_by,
        claimed_at=timezone.now(),
        province_id=case.province_id,
        city_id=case.city_id,
        county_id=case.county_id,
        town_id=case.town_id,
        village_id=case.village_id,
    )


# The written agreement (人民调解法 art. 28–30): the fields the law requires, and its signing.

WRITTEN = {
    "form": "written",
    "facts": "张三与李四因宅基地东侧界址发生争执。",
    "responsibilities": "李四越界砌墙，负主要责任。",
    "terms": "李四拆除越界围墙，并赔偿张三损失人民币贰仟元。",
    "performance_method": "当面拆除，赔偿款现金一次付清。",
}


def signature_png(width=300, height=120, *, ink=True) -> bytes:
    """A signature as the phone's canvas sends it: a PNG with a stroke on it (or blank)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        draw = ImageDraw.Draw(image)
        draw.line([(20, 80), (80, 30), (140, 90), (220, 40), (280, 70)], fill="#102a43", width=4)
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signature_data_url(**kwargs) -> str:
    import base64

    return "data:image/png;base64," + base64.b64encode(signature_png(**kwargs)).decode()


def resolve_written(case, actor, *, perform_by=None, at=None):
    """Resolve an in-progress case with a complete written agreement (not yet signed), after
    a session (art. 27: no resolution without one) where the case has none, with the file's
    identity paper where needed."""
    from mediation.models import MediationSession

    if not MediationSession.objects.filter(case_id=case.pk).exists():
        record_session(case, actor, **({} if at is None else {"at": at}))
    identity_papers(case, actor)  # the file's identity paper where a party gave no ID number
    day = timezone.localdate(at) if at else timezone.localdate()
    agreement = {**WRITTEN, "perform_by": perform_by or day}
    kw = {} if at is None else {"at": at}
    return services.case_resolve(actor=actor, case_id=case.pk, agreement=agreement, **kw)


def sign_and_seal(case, actor, *, on=None, at=None):
    """Every party and the mediator sign and the committee seals (the agreement in effect)."""
    from mediation import services as mediation

    on = on or timezone.localdate()
    kw = {} if at is None else {"at": at}
    parties = {pk: on for pk in case.parties.values_list("pk", flat=True)}
    return mediation.agreement_sign(
        actor=actor,
        case_id=case.pk,
        parties=parties,
        mediator_signed_on=on,
        sealed_on=on,
        **kw,
    )
