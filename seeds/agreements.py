"""The demo year's agreements by the rules of the law (DESIGN.md §16, 人民调解法 art. 28–33),
as seeds/year.py plays them through the services: a written agreement is signed by every
party and the mediator and sealed before it is in effect; the judicial confirmation is applied
for by all the parties jointly; the first follow-up is on or after the performance date."""

import random
from datetime import date, timedelta


def follow_up_day(
    rng: random.Random, *, reached: date, perform_by: date | None, settled: date
) -> date:
    """The day of the first follow-up: a few days after the performance date (a written
    agreement's), else about two weeks after the agreement (the 10 working days of an oral
    one); never before the agreement was settled (in effect, or ruled on by the court)."""
    if perform_by is not None:
        day = perform_by + timedelta(days=rng.randrange(0, 4))
    else:
        day = min(reached + timedelta(days=14), reached + timedelta(days=rng.randrange(2, 15)))
    return max(day, reached + timedelta(days=2), settled + timedelta(days=1))


def joint_applicants(case) -> list[int]:
    """Every party of the case: art. 33's application is made by both sides together."""
    return list(case.parties.values_list("pk", flat=True))
