"""The reminders this app owns (DESIGN.md §17), written as deadline sources the sweep can
drive: each takes `now`, finds what is due, and sends each reminder once (the key is claimed
with INSERT … ON CONFLICT DO NOTHING in the same transaction as the notification, so a pass
run again, or two at once, never sends one twice). Until the sweep's registry lands, a Celery
beat entry calls `run_all`."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import RoleKind
from accounts.models import Role
from grids.choices import AreaLevel
from grids.models import Area
from notifications.choices import Channel
from notifications.services import notify

from . import selectors
from .choices import CAMPAIGN_REMINDER_DAYS, CONSULTATION_REMINDER_DAY, NoticeKind
from .models import Campaign, ConsultationDay


def _claim(keys: list[str], now: datetime) -> set[str]:
    """Claim reminder keys; returns those not claimed before (the ones to send)."""
    if not keys:
        return set()
    claimed = set()
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            params = [v for key in chunk for v in (key, now)]
            cursor.execute(
                f"INSERT INTO community_sentreminder (key, sent_at) VALUES {values} "
                "ON CONFLICT (key) DO NOTHING RETURNING key",
                params,
            )
            claimed.update(row[0] for row in cursor.fetchall())
    return claimed


def _recipients(area_ids, kinds) -> dict[int, list[int]]:
    rows = Role.objects.filter(area_id__in=list(area_ids), kind__in=kinds, user__is_active=True)
    found: dict[int, list[int]] = {}
    for area_id, user_id in rows.values_list("area_id", "user_id"):
        found.setdefault(area_id, []).append(user_id)
    return found


@transaction.atomic
def consultation_day_reminders(*, now: datetime | None = None) -> int:
    """From the 25th, remind each village that has not held this month's consultation day
    (its mediators and officers), once per village and month."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.day < CONSULTATION_REMINDER_DAY:
        return 0
    month = today.replace(day=1)
    people = _recipients(
        Area.objects.filter(
            level=AreaLevel.VILLAGE,
            roles__kind__in=[RoleKind.MEDIATOR, RoleKind.OFFICER],
        )
        .values_list("id", flat=True)
        .distinct(),
        [RoleKind.MEDIATOR, RoleKind.OFFICER],
    )
    held = set(
        ConsultationDay.objects.filter(month=month, village_id__in=list(people)).values_list(
            "village_id", flat=True
        )
    )
    due = {vid: users for vid, users in people.items() if vid not in held}
    keys = {f"consultation:{vid}:{month:%Y-%m}": vid for vid in due}
    sent = 0
    for key in sorted(_claim(sorted(keys), now)):
        notify(
            users=due[keys[key]],
            kind=NoticeKind.CONSULTATION_DUE,
            title=f"本月（{month:%Y年%m月}）尚未召开说事日",
            body=f"请在月底前召开说事日并录入议题（{CONSULTATION_REMINDER_DAY}日提醒）。",
            channels=[Channel.IN_APP, Channel.SMS],
            now=now,
        )
        sent += 1
    return sent


@transaction.atomic
def campaign_closing_reminders(*, now: datetime | None = None) -> int:
    """In a campaign's last days, remind each grid that has not reported (its grid workers,
    or else its village's mediators and officers), once per campaign and grid."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    closing = Campaign.objects.filter(
        starts_on__lte=today,
        ends_on__gte=today,
        ends_on__lte=today + timedelta(days=CAMPAIGN_REMINDER_DAYS),
    ).select_related("area")
    sent = 0
    for campaign in closing:
        grids = list(selectors.missing_grids(campaign).only("id", "parent_id", "name"))
        if not grids:
            continue
        workers = _recipients([g.id for g in grids], [RoleKind.GRID_WORKER])
        village_people = _recipients(
            {g.parent_id for g in grids}, [RoleKind.MEDIATOR, RoleKind.OFFICER]
        )
        by_key = {f"campaign:{campaign.id}:{g.id}": g for g in grids}
        for key in sorted(_claim(sorted(by_key), now)):
            grid = by_key[key]
            users = workers.get(grid.id) or village_people.get(grid.parent_id) or []
            notify(
                users=users,
                kind=NoticeKind.CAMPAIGN_CLOSING,
                title=f"「{campaign.name}」{campaign.ends_on:%m月%d日}截止，{grid.name}尚未上报",
                body="请在截止前上报排查情况（未发现矛盾纠纷请零上报）。",
                channels=[Channel.IN_APP, Channel.SMS],
                now=now,
            )
            sent += 1
    return sent


SOURCES = (consultation_day_reminders, campaign_closing_reminders)


def run_all(*, now: datetime | None = None) -> dict:
    """Every reminder of this app, each in its own transaction."""
    return {source.__name__: source(now=now) for source in SOURCES}
