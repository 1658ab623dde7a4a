"""Building cases for the mediation tests through the same services users call."""

from cases import services as cases
from cases.crypto import id_check_digit

ORAL = {"form": "oral", "terms": "李四当场道歉。"}


def id_number(serial: int) -> str:
    """A valid 18-digit ID number (GB 11643 check digit) for a made-up person."""
    first17 = f"61022219800101{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def make_case(
    cast,
    *,
    origin=None,
    status="in_progress",
    parties=(("张三", "applicant"), ("李四", "respondent")),
    with_ids=False,
    outcome="failed",
    **overrides,
):
    """A case of village A1 (or `origin`) reported by its grid worker, assigned to the village
    mediator and moved to `status`. Parties have no ID numbers unless `with_ids`."""
    values = {
        "title": "宅基地界址纠纷",
        "facts": "两户因宅基地界址发生争执。",
        "category": "housing_homestead",
        "source": "grid_inspection",
    }
    values.update(overrides)
    party_rows = [
        {
            "name": name,
            "role": role,
            "address": "彭村三组",
            **({"id_number": id_number(serial)} if with_ids else {}),
        }
        for serial, (name, role) in enumerate(parties, start=1)
    ]
    case = cases.case_report(
        actor=cast.grid_worker_a
        if origin in (None, cast.areas.grid_a1)
        else cast.village_officer_a,
        area=origin or cast.areas.grid_a1,
        parties=party_rows,
        **values,
    )
    officer, mediator = cast.village_officer_a, cast.village_mediator_a
    if status == "pending":
        return _fresh(case)
    cases.case_assign(actor=officer, case_id=case.id, assignee=mediator)
    if status == "assigned":
        return _fresh(case)
    cases.case_respond(actor=mediator, case_id=case.id)
    if status == "in_progress":
        return _fresh(case)
    if status == "closed" and outcome != "agreement":
        cases.case_close(actor=mediator, case_id=case.id, outcome=outcome, note="调解不成")
        return _fresh(case)
    cases.case_resolve(actor=mediator, case_id=case.id, agreement=ORAL)
    return _fresh(case)


def _fresh(case):
    case.refresh_from_db()
    return case
