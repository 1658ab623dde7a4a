"""Closed periods (DESIGN.md §8): at each period's end the month, the quarter and the year that
just ended are computed once more and their snapshots marked final (the year's with its grade),
and the periods still open are recomputed so late data (a follow-up or an inspection report
recorded after the fact) reaches them.

`close_periods(now)` is what the beat runs every night just after midnight (local time); it is
idempotent and catches up: every period that ended within the look-back and is not final yet is
closed, so a beat that was down over a month's end closes that month on its next run.
"""

from datetime import datetime

from django.utils import timezone

from .periods import Period, month_of, parse_period, quarter_of, year_of
from .services import period_is_final, snapshot_period

# How far back an unclosed period is still closed by the next run.
LOOKBACK_MONTHS = 3


def ended_periods(now: datetime) -> list[Period]:
    """The months, quarters and years that ended within the look-back before `now`, oldest
    first, months before the quarters and years they end."""
    found: dict[str, Period] = {}
    for offset in range(LOOKBACK_MONTHS, 0, -1):
        month = month_of(now, offset=-offset)
        found[month.key] = month
        for period in (quarter_of(month.start), year_of(month.start)):
            if period.end <= now:
                found[period.key] = period
    rank = {"month": 0, "quarter": 1, "year": 2}
    ended = [p for p in found.values() if p.end <= now]
    return sorted(ended, key=lambda p: (p.end, rank[p.kind]))


def open_periods(now: datetime) -> list[Period]:
    """The periods `now` falls in (the month, the quarter and the year under way)."""
    return [month_of(now), quarter_of(now), year_of(now)]


def close_periods(now: datetime | None = None) -> dict:
    """Close every period that has ended and is not final yet, then recompute the open ones;
    returns {period key: (snapshots written, "final" | "open")}."""
    now = now or timezone.now()
    done = {}
    for period in ended_periods(now):
        if not period_is_final(period):
            done[period.key] = (snapshot_period(period, now=now, final=True), "final")
    for period in open_periods(now):
        done[period.key] = (snapshot_period(period, now=now), "open")
    return done


def parse_moment(value: str | None) -> datetime | None:
    """A task's `now` argument (ISO 8601 with an offset), else None (the real time)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        raise ValueError("now needs a UTC offset")
    return moment


__all__ = ["close_periods", "ended_periods", "open_periods", "parse_period"]
