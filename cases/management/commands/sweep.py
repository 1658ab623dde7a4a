from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.sweep import sweep_all


class Command(BaseCommand):
    help = (
        "Run the SLA sweep and the follow-up reminder pass once (optionally with a pretended "
        "clock: --now 2026-10-20T09:00)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO date-time; local time when no offset is given")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, now=None, batch_size=500, **options):
        moment = None
        if now:
            try:
                moment = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not an ISO date-time.")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = sweep_all(now=moment, batch_size=batch_size)
        self.stdout.write(
            f"sweep at {report.now.isoformat()}: {report.periods} periods, {report.breaches} new "
            f"breaches ({report.reminded} reminded, {report.escalated} escalated, "
            f"{report.supervised} supervised, {report.follow_up_reminders} follow-up, "
            f"{report.judicial_reminders} judicial, {report.consultation_reminders} consultation), "
            f"{report.already_recorded} already recorded, {len(report.failed)} failed."
        )
