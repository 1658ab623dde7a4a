"""The demo year behind `make run`'s server: stopped half-way, the next run goes on after its
last case and makes it whole (a third run changes nothing); `--no-year` loads all but the
cases; a page or a task being served makes the seeder pause between cases (seeds/pace.py)."""

import io
import os
import time

import pytest
from django.core.management import call_command
from django.db.models import Count

from assessment.models import KpiSnapshot
from cases.models import Case
from grids.models import Area
from mediation.models import InspectionReport
from seeds import pace
from seeds.year import Year, year_key


class Stopped(BaseException):
    """What SIGTERM would do to the seeder half-way (not an error a service raises)."""


@pytest.mark.slow
@pytest.mark.django_db
def test_a_year_stopped_half_way_goes_on_after_its_last_case_and_ends_whole(monkeypatch):
    call_command("seed_demo", "--no-year", stdout=io.StringIO())
    assert not Case.objects.exists()
    county = Area.objects.get(code="610222000000")

    play = Year.play
    played = []

    def play_then_stop(self, plan):
        if len(played) == 60:
            raise Stopped
        played.append(plan)
        return play(self, plan)

    monkeypatch.setattr(Year, "play", play_then_stop)
    with pytest.raises(Stopped):
        call_command("seed_demo", "--months", "2", stdout=io.StringIO())
    monkeypatch.setattr(Year, "play", play)
    half = Case.objects.filter(county=county).count()
    assert 0 < half <= 60
    assert not KpiSnapshot.objects.filter(area=county).exists()  # not whole yet

    out = io.StringIO()
    call_command("seed_demo", "--months", "2", stdout=out)
    assert f"cases: {half} there; the year goes on after" in out.getvalue()
    whole = Case.objects.filter(county=county)
    assert whole.count() > half + 100
    last = whole.order_by("-reported_at").first().reported_at
    assert KpiSnapshot.objects.filter(area=county, period_key=year_key(last)).exists()
    # One inspection report per grid and month, the months before the stop included.
    assert not (
        InspectionReport.objects.values("grid", "period").annotate(n=Count("id")).filter(n__gt=1)
    )
    numbers = list(whole.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))

    counts = (whole.count(), InspectionReport.objects.count(), KpiSnapshot.objects.count())
    out = io.StringIO()
    call_command("seed_demo", "--months", "2", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert (whole.count(), InspectionReport.objects.count(), KpiSnapshot.objects.count()) == counts


def test_the_seeder_pauses_only_while_pages_ask_for_a_turn(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    relayed, slept = [], []
    monkeypatch.setattr("notifications.services.relay_outbox", lambda: relayed.append(1))
    monkeypatch.setattr(pace.time, "sleep", slept.append)

    pace.yield_to_pages()  # not seeding: nothing at all
    assert (relayed, slept) == ([], [])
    with pace.seeding_flag():
        pace.yield_to_pages()  # seeding, nobody waiting: relay, no pause
        assert (len(relayed), slept) == (1, [])
        pace.YieldToPages(lambda request: "page")(object())  # a page comes in
        pace.yield_to_pages()
        assert slept == [pace.PAUSE]
        os.utime(pace.flag_path(), (0, time.time() - pace.WINDOW - 1))  # long ago
        pace.yield_to_pages()
        assert slept == [pace.PAUSE]
    assert not pace.flag_path().exists()
    pace.touch_flag()  # a task after the seeding: no flag made
    assert not pace.flag_path().exists()
