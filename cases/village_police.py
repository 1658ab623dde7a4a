"""一村一警 (DESIGN.md §15): the police officer who 包联 a village hears of its red-risk cases and
of every report to the police (人民调解法 art. 25)."""

from datetime import datetime

from accounts.agencies import PoliceBeat
from notifications.choices import NotificationKind
from notifications.services import notify


def village_police_officer_ids(village_id: int | None) -> list[int]:
    """The user ids of the police officer of a village (none when no one 包联 it)."""
    if village_id is None:
        return []
    return list(
        PoliceBeat.objects.filter(
            village_id=village_id, member__agency__active=True, member__user__is_active=True
        ).values_list("member__user_id", flat=True)
    )


def notify_village_police(case, *, title: str, body: str = "", now: datetime | None = None):
    """Tell the village's police officer about `case` (a red-risk case, an art. 25 report), in
    the caller's transaction; nothing when the village has none."""
    users = village_police_officer_ids(case.village_id)
    if not users:
        return []
    return notify(
        users=users, kind=NotificationKind.INFO, title=title, body=body, case=case, now=now
    )


def notify_red_risk(case, *, now: datetime | None = None):
    """A red-risk case of the village: its police officer is told."""
    return notify_village_police(
        case,
        title=f"红色风险纠纷：{case.number}",
        body=f"「{case.title}」为红色风险纠纷，请关注并配合化解。",
        now=now,
    )
