"""A year of small stories in the demo county, built through the same services the pages call,
so the lists, the timeline and the dashboard charts have something true to show."""

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import scope_for
from cases import services
from cases.choices import Category, Source
from cases.referrals import referral_receive_dispute, referral_send
from community.models import DutyShift
from community.services import duty_log
from grids.models import Area
from notifications.services import notify
from tests.builders import (
    id_number,
    identity_papers,
    party,
    record_follow_up,
    record_session,
    report,
    report_police_if_due,
    two_parties,
)

VALID_IDS = [id_number(123), id_number(234, birth="19750615"), id_number(567, birth="19920304")]
TITLES = {
    "neighbour": "{a}与{b}排水沟堵塞纠纷",
    "housing_homestead": "{a}与{b}宅基地界址纠纷",
    "marriage_family": "{a}家庭赡养纠纷",
    "land_forest": "{a}与{b}承包地边界纠纷",
    "labour": "{a}追讨务工工资纠纷",
    "contract": "{a}与{b}果园承包合同纠纷",
    "damages": "{a}家牛羊损毁{b}庄稼纠纷",
}
NAMES = ["王建国", "李秀英", "张伟", "刘芳", "陈军", "杨丽", "赵强", "黄敏", "周杰", "吴霞"]


def _mediator_for(village, cache):
    if village.pk not in cache:
        user, _ = User.objects.get_or_create(
            username=f"med{village.code}", defaults={"display_name": f"{village.name}调解员"}
        )
        Role.objects.get_or_create(user=user, kind="mediator", area=village)
        cache[village.pk] = user
    return cache[village.pk]


def _report(actor, origin, category, at, risk="green", people=2, with_id=True):
    a, b = random.sample(NAMES, 2)
    return services.case_report(
        actor=actor,
        title=TITLES.get(category, "{a}与{b}纠纷").format(a=a, b=b),
        facts=f"{a}反映与{b}发生纠纷，请求村调委会调解。",
        category=category,
        source=random.choice([Source.GRID_INSPECTION, Source.WALK_IN, Source.HOTLINE]),
        area=origin,
        risk=risk,
        people_involved=people,
        parties=[
            {
                "name": a,
                "role": "applicant",
                "id_number": random.choice(VALID_IDS) if with_id else "",
                "phone": f"138{random.randint(10000000, 99999999)}",
            },
            {"name": b, "role": "respondent", "phone": f"139{random.randint(10000000, 99999999)}"},
        ],
        at=at,
    )


def _town_officer(town, cache):
    if town.pk not in cache:
        user, _ = User.objects.get_or_create(
            username=f"off{town.code}", defaults={"display_name": f"{town.name}综治中心"}
        )
        Role.objects.get_or_create(user=user, kind="officer", area=town)
        cache[town.pk] = user
    return cache[town.pk]


def _mediate(case, actor, at):
    """A session (after each party's consent and notice) and the identity papers of the file."""
    record_session(case, actor, at=at - timedelta(hours=1))
    identity_papers(case, actor)


def _resolve(case, actor, at):
    _mediate(case, actor, at)
    services.case_resolve(
        actor=actor,
        case_id=case.pk,
        agreement={"form": "oral", "terms": "双方同意按村规民约处理，互不追究。"},
        at=at,
    )


def build(seed=2026, per_month=8):
    """Cases over the last 12 months in every town of the demo county; returns the admin used."""
    random.seed(seed)
    admin, _ = User.objects.get_or_create(
        username="story_admin", defaults={"is_superuser": True, "is_staff": True}
    )
    now = timezone.now()
    villages = list(
        Area.objects.filter(level="village", code__startswith="610222").order_by("code")
    )
    categories = list(TITLES)
    mediators, officers = {}, {}
    for month in range(11, -1, -1):
        for _ in range(per_month):
            village = random.choice(villages)
            at = now - timedelta(
                days=30 * month + random.randint(1, 25), hours=random.randint(0, 8)
            )
            case = _report(admin, village, random.choice(categories), at)
            mediator = _mediator_for(village, mediators)
            fate = random.random()
            if month == 0 and fate < 0.5:
                continue  # still pending this month
            services.case_assign(
                actor=admin, case_id=case.pk, assignee=mediator, at=at + timedelta(hours=3)
            )
            report_police_if_due(case, admin, at=at + timedelta(hours=4))
            services.case_respond(
                actor=admin, case_id=case.pk, note="已联系双方", at=at + timedelta(hours=20)
            )
            if fate < 0.12:
                services.case_escalate(
                    actor=mediator, case_id=case.pk, reason="分歧较大", at=at + timedelta(days=3)
                )
                if month > 0:
                    officer = _town_officer(village.parent, officers)
                    services.case_assign(
                        actor=officer, case_id=case.pk, assignee=officer, at=at + timedelta(days=4)
                    )
                    services.case_respond(
                        actor=officer, case_id=case.pk, note="镇级受理", at=at + timedelta(days=4)
                    )
                    _resolve(case, officer, at + timedelta(days=9))
                continue
            if fate < 0.16 and month > 0:
                _mediate(case, admin, at + timedelta(days=10))
                services.case_close(
                    actor=admin,
                    case_id=case.pk,
                    outcome="failed",
                    note="调解不成，引导诉讼",
                    routes=["litigation"],
                    at=at + timedelta(days=10),
                )
                continue
            if month == 0 and fate < 0.8:
                continue  # in progress
            _resolve(case, mediator, at + timedelta(days=random.randint(2, 12)))
            if month > 1:
                record_follow_up(case, mediator, method="phone")
                services.case_close(
                    actor=mediator, case_id=case.pk, outcome="agreement", at=at + timedelta(days=20)
                )
    return admin


def overdue_cases(actor_username="grid_worker", count=3):
    """A few cases in the demo grid worker's village whose deadlines have passed."""
    actor = User.objects.get(username=actor_username)
    origin = Role.objects.filter(user=actor).select_related("area").first().area
    cases = []
    for index in range(count):
        at = timezone.now() - timedelta(days=5 + index * 4)
        category = random.choice(list(Category.values[:7]))
        cases.append(_report(actor, origin, category, at, risk="yellow", with_id=False))
    return cases


def swept_overdue_case(title, *, days=12, serial=70):
    """A village case the demo grid worker reported `days` ago, left untouched, and the sweep
    run: its assign and respond deadlines passed and reminded."""
    from cases.sweep import sweep_run

    role = Role.objects.select_related("user", "area").get(user__username="grid_worker")
    case = report(
        role.user,
        role.area,
        title=title,
        parties=two_parties(serial),
        at=timezone.now() - timedelta(days=days),
    )
    sweep_run()
    return case


def light_accounts():
    """What the light and agency accounts have to look at: the volunteer's duty log of today
    (not checked in yet, so the button shows), a 110 dispute the police station referred to a
    village it 包联, a labour case referred out to 人社, and a notice each. Returns the two
    cases' ids (the 110 dispute first)."""
    volunteer = User.objects.get(username="volunteer")
    shift = DutyShift.objects.get(volunteer__user=volunteer, on_date=timezone.localdate())
    duty_log(actor=volunteer, shift_id=shift.pk, kind="patrol", text="村口巡查，一切正常。")
    duty_log(
        actor=volunteer,
        shift_id=shift.pk,
        kind="dispute",
        text="两户因排水沟堵塞争吵，需调解。",
        parties=[{"name": "赵五"}, {"name": "钱六"}],
    )

    police = User.objects.get(username="police_liaison")
    reach = scope_for(police)
    village = Area.objects.get(pk=reach.beat_village_ids[0])
    inbound = referral_receive_dispute(
        actor=police,
        agency_id=reach.agency_ids[0],
        kind="police_110",
        note="非警务纠纷",
        title="邻里噪音纠纷（110）",
        facts="夜间噪音引发争吵，民警到场劝解后移交调解。",
        category="neighbour",
        area=village,
        risk="green",
        parties=[party("孙丙", serial=61), party("李丁", role="respondent", serial=62)],
    )

    hr = User.objects.get(username="hr_liaison")
    mediator = User.objects.get(username="village_mediator")
    area = Role.objects.filter(user=mediator, kind="mediator").first().area
    case = report(mediator, area, category="labour", title="追讨务工工资纠纷")
    services.case_assign(actor=mediator, case_id=case.pk, assignee=mediator)
    referral_send(
        actor=mediator,
        case_id=case.pk,
        agency_id=scope_for(hr).agency_ids[0],
        note="拖欠工资，请人社部门处理。",
    )
    notify(users=[volunteer, police, hr], kind="info", title="测试通知", case=case)
    return [inbound.case_id, case.pk]
