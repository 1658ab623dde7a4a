from io import BytesIO

from django.utils import timezone
from openpyxl import load_workbook

from cases.models import Case
from cases.sweep import sweep_run
from notifications.models import Notification

from .conftest import at, report


def _bulletin(client, area, period="2026-11"):
    return client.get("/api/v1/kpis/bulletin.xlsx", {"area": area.id, "period": period})


def test_the_monthly_bulletin_lists_overdue_and_supervised_cases_and_late_units(
    cast, api, monkeypatch
):
    """The bulletin's overdue list is the one rule (`cases.selectors`) read when it is made:
    here on Thursday the 5th, when the three cases reported on Monday and never assigned are
    past their deadlines and the one assigned and answered in time is not."""
    a = cast.areas
    late_a = report(cast, serial=1, title="分派超期的案件")
    late_b = report(
        cast, serial=2, area=a.grid_b1, title="五里村分派超期", actor=cast.grid_worker_b
    )
    supervised = report(cast, serial=3, title="督办案件")
    on_time = report(cast, serial=4, title="按期分派")
    from cases import services

    services.case_assign(
        actor=cast.village_officer_a,
        case_id=on_time.pk,
        assignee=cast.village_mediator_a,
        at=at(2, 10),
    )
    services.case_respond(actor=cast.village_mediator_a, case_id=on_time.pk, at=at(2, 11))
    Case.objects.filter(pk=supervised.pk).update(supervised=True)
    assert sweep_run(now=at(3, 9, 1)).reminded == 3  # late_a, late_b, supervised (assign)
    assert Notification.objects.exists()
    monkeypatch.setattr(timezone, "now", lambda: at(5, 9))

    response = _bulletin(api(cast.county_officer), a.county)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["通报概况", "下级排名", "村（社区）排名", "超期督办案件", "超期单位"]
    numbers = {row[0] for row in book["超期督办案件"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {late_a.number, late_b.number, supervised.number}
    late = {row[1]: row[2:] for row in book["超期单位"].iter_rows(min_row=2, values_only=True)}
    # 彭村: two assign deadlines missed (late_a, supervised); 五里村: one.
    assert late == {"彭村": (2, 0, 0, 2), "五里村": (1, 0, 0, 1)}
    villages = list(book["村（社区）排名"].iter_rows(min_row=2, values_only=True))
    # 后村 had no case work: listed after the ranked villages, without a rank number.
    assert [row[0] for row in villages] == [1, 2, None]
    # No personal data in the bulletin.
    text = " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert "张三" not in text and "李四" not in text

    town = _bulletin(api(cast.town_officer_a), a.town_a)
    book = load_workbook(BytesIO(town.content))
    numbers = {row[0] for row in book["超期督办案件"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {late_a.number, supervised.number}
    assert _bulletin(api(cast.town_officer_a), a.town_b).status_code == 404
