import pytest

from mediation.models import FollowUp

from .builders import make_case, make_inspection, t


@pytest.fixture
def october(cast):
    """The October 2026 ledger of the cast's county, every KPI worked out by hand in the tests.

    2026 calendar: Sep 20 (Sun) is a make-up workday, Sep 25 is Mid-Autumn, Oct 1–7 National Day,
    Oct 10 (Sat) a make-up workday.
    """
    a = cast.areas
    # C1, village A1: reported Mon Oct 12, assigned after 2 h, responded after 24 h, resolved
    # Wed Oct 14: 2 working days, on time.
    c1 = make_case(
        cast,
        a.village_a1,
        reported_at=t(10, 12),
        status="resolved",
        concluded_at=t(10, 14),
        periods=[
            dict(
                assign_due=t(10, 13),
                assigned_at=t(10, 12, 11),
                respond_due=t(10, 14, 11),
                responded_at=t(10, 13, 11),
                resolve_due=t(11, 2),
            )
        ],
    )
    # C2, village A1: reported Fri Oct 9; the village assigns 30 h later (late: due the make-up
    # Saturday 09:00), responds 42 h after; escalated Oct 15; the town assigns in 4 h and
    # responds 50 h after (late); closed failed Tue Oct 20: 8 working days
    # (Oct 10, 12–16, 19, 20), before the town's resolve deadline.
    make_case(
        cast,
        a.village_a1,
        reported_at=t(10, 9),
        status="closed",
        outcome="failed",
        concluded_at=t(10, 20),
        periods=[
            dict(
                assign_due=t(10, 10),
                assigned_at=t(10, 10, 15),
                respond_due=t(10, 13, 15),
                responded_at=t(10, 12, 9),
                resolve_due=t(10, 15),
                ended_at=t(10, 15, 10),
            ),
            dict(
                assign_due=t(10, 16, 10),
                assigned_at=t(10, 15, 14),
                respond_due=t(10, 19, 14),
                responded_at=t(10, 19, 16),
                resolve_due=t(11, 12),
            ),
        ],
    )
    # C3, village A2: reported Sun Sep 20 (a workday), escalated to the town Sep 25 and to the
    # county Oct 2, which assigned it 24 h after it arrived; resolved Oct 5 after its resolve
    # deadline (Oct 4): 7 working days (Sep 21–24, 28–30). Closed with the agreement.
    c3 = make_case(
        cast,
        a.village_a2,
        reported_at=t(9, 20),
        status="closed",
        outcome="agreement",
        concluded_at=t(10, 5),
        periods=[
            dict(
                assign_due=t(9, 21),
                assigned_at=t(9, 20, 10),
                resolve_due=t(9, 24),
                ended_at=t(9, 25),
            ),
            dict(assign_due=t(9, 28), resolve_due=t(9, 30), ended_at=t(10, 2)),
            dict(
                assign_due=t(10, 9),
                assigned_at=t(10, 3),
                respond_due=t(10, 10),
                resolve_due=t(10, 4),
            ),
        ],
    )
    # C4, village B1: reported Oct 20, never assigned (its assign deadline passed).
    make_case(
        cast,
        a.village_b1,
        reported_at=t(10, 20),
        periods=[dict(assign_due=t(10, 21), resolve_due=t(11, 10))],
    )
    # C5, village B1: rejected at intake: counted in intake only.
    make_case(
        cast,
        a.village_b1,
        reported_at=t(10, 22),
        status="closed",
        outcome="rejected",
        concluded_at=t(10, 22),
        periods=[dict(assign_due=t(10, 23), resolve_due=t(11, 12), ended_at=t(10, 22, 9, 30))],
    )
    # C6, village A1: withdrawn the day after; assigned in 1 h; its respond deadline never came.
    make_case(
        cast,
        a.village_a1,
        reported_at=t(10, 26),
        status="closed",
        outcome="withdrawn",
        concluded_at=t(10, 27),
        periods=[
            dict(
                assign_due=t(10, 27),
                assigned_at=t(10, 26, 10),
                respond_due=t(10, 28),
                resolve_due=t(11, 16),
            )
        ],
    )
    # C7, village A2: all in August/September: outside October except its follow-up.
    c7 = make_case(
        cast,
        a.village_a2,
        reported_at=t(8, 3),
        status="closed",
        outcome="agreement",
        concluded_at=t(9, 1),
        periods=[dict(assign_due=t(8, 4), assigned_at=t(8, 3, 10), resolve_due=t(8, 24))],
    )
    # C8, village A1: reported Oct 28, assigned in 1 h, responded 24 h later (on time), resolved
    # in November.
    make_case(
        cast,
        a.village_a1,
        reported_at=t(10, 28),
        status="resolved",
        concluded_at=t(11, 2),
        periods=[
            dict(
                assign_due=t(10, 29),
                assigned_at=t(10, 28, 10),
                respond_due=t(10, 30, 10),
                responded_at=t(10, 29, 10),
                resolve_due=t(11, 18),
            )
        ],
    )
    # Follow-ups in October: C1 twice (satisfied, dissatisfied), C7 once (basically satisfied).
    for case, day, satisfaction in [
        (c1, 20, "satisfied"),
        (c1, 25, "dissatisfied"),
        (c7, 3, "basically"),
    ]:
        FollowUp.objects.create(
            case=case,
            method="phone",
            performed_on=t(10, day).date(),
            performed=True,
            satisfaction=satisfaction,
            recorded_by=cast.village_mediator_a,
        )
    # Inspection reports for October: grid A1-1 (a zero report) and grid B1-1; one for September
    # does not count in October.
    october_1 = t(10, 1).date()
    make_inspection(cast, a.grid_a1, period=october_1, submitted_at=t(10, 30), zero=True)
    make_inspection(cast, a.grid_b1, period=october_1, submitted_at=t(10, 30))
    make_inspection(cast, a.grid_a2, period=t(9, 1).date(), submitted_at=t(9, 30))
    assert c3.pk
    return cast
