"""The demo county's village self-governance (DESIGN.md §17), through the community services
as the county's people would keep it: a 1+1+N team and three volunteers per grid, a year of
consultation days (说事日) per village with most months held, a rota for last month and this
one with check-ins (a few missed), two campaigns (春节前, 汛期) with most grids reported, and a
demo volunteer account (`volunteer`) on duty today in the first village. Safe to run again:
nothing is added when the county already has volunteers."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from community import services
from community.models import DutyShift, Volunteer
from grids.models import Area

from .org import Staff
from .people import mobile, person_name

VOLUNTEERS_PER_GRID = 3
HELD_SHARE = 0.9  # months in which a village holds its 说事日
MISSED_SHARE = 0.05  # rota days nobody checked in
ITEMS = [
    ("村道修缮和路灯安装", "settled", False),
    ("农村人居环境整治分工", "follow_up", False),
    ("低保评议", "settled", False),
    ("集体经济合作社分红方案", "follow_up", False),
    ("灌溉用水轮浇次序", "settled", False),
    ("邻里宅基地边界争执", "pending", True),
    ("土地流转租金拖欠", "referred", True),
    ("红白理事会标准", "settled", False),
]
DEMO_VOLUNTEER = "volunteer"


def _month_back(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(year, index + 1, 1)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def load_community(staff: Staff, password: str, *, months: int = 12, now=None) -> dict:
    """Teams, volunteers, consultation days, rota and campaigns of the demo county."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    county = staff.county
    if Volunteer.objects.filter(county=county).exists():
        return {"skipped": True}
    rng = random.Random(610222)
    actor = staff.admin  # the county admin keeps the records everywhere in the county
    tally = {"volunteers": 0, "days": 0, "items": 0, "shifts": 0, "missed": 0, "reports": 0}

    villages = [v for town in staff.towns for v in staff.villages[town.id]]
    for village in villages:
        for grid in staff.grids[village.id]:
            services.duty_team_set(
                actor=actor,
                grid=grid,
                cadre_name=person_name(rng),
                cadre_unit=rng.choice(["县司法局", "县农业农村局", "县公安局", "县人社局"]),
                grid_worker=staff.grid_workers.get(grid.id),
            )
            for _ in range(VOLUNTEERS_PER_GRID):
                services.volunteer_add(
                    actor=actor, grid=grid, name=person_name(rng), phone=mobile(rng)
                )
                tally["volunteers"] += 1

    # A year of consultation days, most months held, a mid-month date (not after today).
    this_month = today.replace(day=1)
    for village in villages:
        for back in range(months - 1, -1, -1):
            month = _month_back(this_month, back)
            if rng.random() > HELD_SHARE:
                continue
            held_on = month + timedelta(days=rng.randrange(5, 20))
            if held_on > today:
                continue
            picks = rng.sample(ITEMS, 3)
            services.consultation_day_record(
                actor=actor,
                village=village,
                held_on=held_on,
                chair=person_name(rng),
                attendance=rng.randrange(15, 80),
                items=[
                    {
                        "text": text,
                        "outcome": outcome,
                        "is_dispute": dispute,
                        "parties": [
                            {"name": person_name(rng), "role": "applicant"},
                            {"name": person_name(rng), "role": "respondent"},
                        ]
                        if dispute
                        else [],
                    }
                    for text, outcome, dispute in picks
                ],
                at=_at(held_on, 18),
            )
            tally["days"] += 1
            tally["items"] += 3

    # The rota of last month and this one; past days checked in, a few missed.
    for village in villages:
        for month in (_month_back(this_month, 1), this_month):
            tally["shifts"] += len(
                services.rota_generate(actor=actor, village=village, month=month)
            )
    past = list(
        DutyShift.objects.filter(county=county, on_date__lt=today).values_list("id", flat=True)
    )
    missed = {pk for pk in past if rng.random() < MISSED_SHARE}
    tally["missed"] = len(missed)
    _check_in([pk for pk in past if pk not in missed], rng)

    # The demo volunteer: the first volunteer of the first village, on duty today.
    first_village = villages[0]
    volunteer = Volunteer.objects.filter(village=first_village).order_by("grid__code", "id")[0]
    user = User.objects.filter(username=DEMO_VOLUNTEER).first()
    if user is None:
        user = User.objects.create(
            username=DEMO_VOLUNTEER,
            display_name=f"{volunteer.name}（平安志愿者）",
            password=password,
        )
    Role.objects.get_or_create(user=user, kind="volunteer", area=first_village)
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    services.rota_set(
        actor=actor, village=first_village, turns=[{"volunteer": volunteer, "starts_on": today}]
    )

    # Two campaigns: 春节前 (over, most grids reported) and 汛期 (closing in three days).
    officer = staff.county_officer or actor
    grids = list(Area.objects.filter(code__startswith=county.prefix, level="grid"))
    spring_start = date(today.year, 1, 10) if today.month > 2 else date(today.year - 1, 1, 10)
    windows = [
        ("春节前矛盾纠纷大排查", spring_start, spring_start + timedelta(days=20), 0.97),
        ("汛期矛盾纠纷专项排查", today - timedelta(days=10), today + timedelta(days=3), 0.7),
    ]
    for name, starts_on, ends_on, share in windows:
        campaign = services.campaign_open(
            actor=officer,
            name=name,
            area=county,
            starts_on=starts_on,
            ends_on=ends_on,
            at=_at(starts_on, 9),
        )
        for grid in grids:
            if rng.random() > share:
                continue
            found = rng.choice([0, 0, 0, 1, 2])
            services.campaign_report(
                actor=actor,
                campaign_id=campaign.id,
                grid=grid,
                zero=found == 0,
                found=found,
                at=_at(min(starts_on + timedelta(days=rng.randrange(0, 5)), today), 10),
            )
            tally["reports"] += 1
    return tally


def _check_in(ids, rng):
    """Past rota days checked in in the morning (the volunteers have no accounts of their
    own in the demo, so their check-ins are written as the record of the day)."""
    shifts = list(DutyShift.objects.filter(pk__in=ids).only("id", "on_date"))
    for shift in shifts:
        shift.checked_in_at = _at(shift.on_date, 8) + timedelta(minutes=rng.randrange(0, 90))
    DutyShift.objects.bulk_update(shifts, ["checked_in_at"], batch_size=1000)
