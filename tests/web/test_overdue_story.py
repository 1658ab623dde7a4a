"""The scripted story of one overdue case, on a clock (DESIGN.md §14): a village case misses
its assign deadline; the sweep reminds the village and sends the town a 提醒函; the queue, the
case page, the town officer's 超期督办 › 村级超期, the dashboard's overdue panel and the API's
`?overdue=true` show it in red, each naming the same stage (分派) and how late; the month's
按期分派率 counts it late, and once its resolve deadline passes open, so does 按期办结率."""

import re
from datetime import timedelta

from django.utils import timezone

from assessment.kpis import compute_period
from assessment.periods import month_of
from cases import clocks, overdue
from cases.models import HandlingPeriod
from cases.sweep import sweep_run
from notifications.models import Notification
from tests.builders import drive, report, two_parties


def _moment_that_misses_only_the_assign_deadline(now):
    """A report time whose assign deadline (1 working day) passed an hour or more ago and whose
    respond deadline (2 working days) is an hour or more ahead, at a daytime hour."""
    limits = clocks.limits_for("village", False)
    moment = now - timedelta(hours=2)
    for _ in range(24 * 21):
        local = timezone.localtime(moment)
        if (
            2 <= local.hour <= 21
            and clocks.deadline(moment, limits.assign) <= now - timedelta(hours=1)
            and clocks.deadline(moment, limits.respond) >= now + timedelta(hours=1)
        ):
            return moment
        moment -= timedelta(hours=1)
    raise AssertionError("no such moment in three weeks")


def test_a_case_that_misses_its_assign_deadline_is_red_everywhere_with_the_same_stage(
    cast, client, api
):
    a = cast.areas
    now = timezone.now()
    reported_at = _moment_that_misses_only_the_assign_deadline(now)
    case = report(
        cast.grid_worker_a,
        a.grid_a1,
        title="院墙排水纠纷",
        parties=two_parties(40),
        at=reported_at,
    )
    period = HandlingPeriod.objects.get(case=case, ended_at__isnull=True)
    # Before its deadline nothing is late.
    assert overdue.late_items([case.pk], period.assign_due - timedelta(seconds=1)) == {}

    # The sweep at the real time reminds the village and writes the town a 提醒函.
    report_ = sweep_run(now=now)
    assert report_.reminded == 1
    # (intake told the village's people of the new case: the sweep's notices say 超期)
    late = Notification.objects.filter(case=case, title__contains="超期")
    reminder = late.get(user=cast.village_officer_a)
    notice = late.get(user=cast.town_officer_a)
    assert (
        "分派超期" in reminder.title
        and notice.title.startswith("提醒函")
        and "分派超期" in (notice.title)
    )

    now = timezone.now()
    (item,) = overdue.late_items([case.pk], now)[case.pk]
    assert (item.kind, item.label) == ("assign", "分派")
    late = re.compile(r'data-kind="assign">分派超期(\d+(?:小时|天|分钟))<')

    # 待办 of the village officer: the row in red.
    client.force_login(cast.village_officer_a)
    queue = client.get("/queue/").content.decode()
    assert f'overdue" href="/cases/{case.pk}/"' in queue and late.search(queue)
    # The case page: a red badge naming the stage.
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert re.search(
        r'class="badge red late" data-testid="case-late" data-kind="assign">分派超期', page
    )

    # The town officer: 超期督办 › 村级超期, with its count, and the dashboard's panel.
    client.force_login(cast.town_officer_a)
    tab = client.get("/overdue/?tab=village").content.decode()
    assert 'data-tab="village">村级超期 <span class="count">1<' in tab
    assert case.number in tab and late.search(tab)
    dashboard = client.get(f"/dashboard/?area={a.town_a.pk}").content.decode()
    # The dashboard says what each KPI counts (指标说明), the late cases included.
    definitions = dashboard[dashboard.index('data-testid="kpi-definitions"') :]
    assert "<dt>按期办结率</dt>" in definitions and "不算“按期”" in definitions
    # Said for the officer, not pointing at a file of the source code they cannot open.
    assert "docs/" not in dashboard
    panel = dashboard[dashboard.index('data-testid="dashboard-overdue"') :]
    assert case.number in panel and late.search(panel)
    # The same span of lateness on every page read at this minute.
    assert {late.search(html).group(1) for html in (queue, tab, panel)} == {
        late.search(queue).group(1)
    }

    # The API's filter and its fields.
    rows = api(cast.town_officer_a).get("/api/v1/cases/?overdue=true").json()["results"]
    assert [row["id"] for row in rows] == [case.pk]
    assert [(i["kind"], i["label"]) for i in rows[0]["late"]] == [("assign", "分派")]
    assert rows[0]["overdue"] is True

    # The month's 按期分派率 counts the period late, not "not yet measured".
    month = month_of(period.arrived_at)
    kpis = compute_period(month, now=now)[a.village_a1.id]
    assert (kpis["assign_measured"], kpis["assign_met"]) == (1, 0)
    assert kpis["assignment_on_time_rate"] == 0.0

    # Later on the clock: another village case is resolved on time just before the first one's
    # resolve deadline passes, still unassigned. The month of that deadline: 100 % → 50 %.
    resolve_due = period.resolve_due
    done = resolve_due - timedelta(minutes=2)
    other = report(
        cast.grid_worker_a,
        a.grid_a1,
        title="邻里通道纠纷",
        parties=two_parties(50),
        at=done - timedelta(hours=1),
    )
    drive(other, to="resolved", at=done)
    month = month_of(resolve_due)
    assert month_of(done) == month
    before = compute_period(month, now=resolve_due - timedelta(minutes=1))[a.village_a1.id]
    after = compute_period(month, now=resolve_due + timedelta(minutes=1))[a.village_a1.id]
    assert before["closure_on_time_rate"] == 1.0
    assert after["closure_on_time_rate"] == 0.5
    assert [i.kind for i in overdue.late_items([case.pk], resolve_due)[case.pk]] == [
        "assign",
        "respond",
        "resolve",
    ]
