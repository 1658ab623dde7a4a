"""Building cases for the mediation tests through the builders (tests/builders.py)."""

from tests.builders import drive, id_number, report


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
        **overrides,
    }
    party_rows = [
        {
            "name": name,
            "role": role,
            "address": "彭村三组",
            **({"id_number": id_number(serial)} if with_ids else {}),
        }
        for serial, (name, role) in enumerate(parties, start=1)
    ]
    case = report(
        cast.grid_worker_a if origin in (None, cast.areas.grid_a1) else cast.village_officer_a,
        origin or cast.areas.grid_a1,
        parties=party_rows,
        **values,
    )
    return drive(
        case,
        to=status,
        outcome=outcome if status == "closed" else "agreement",
        officer=cast.village_officer_a,
        mediator=cast.village_mediator_a,
    )
