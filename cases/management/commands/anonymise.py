from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.retention import anonymise_closed, cases_due_for_anonymising


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of cases closed more than PERSONAL_DATA_RETENTION_YEARS "
        "ago (or before --before). KPIs are unaffected."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--before", help="ISO date or datetime: closed before this")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, years=None, before=None, dry_run=False, **options):
        now = timezone.now()
        if before:
            try:
                cutoff = datetime.fromisoformat(before)
            except ValueError:
                raise CommandError(f"--before {before!r} is not an ISO date or datetime")
            if timezone.is_naive(cutoff):
                cutoff = timezone.make_aware(cutoff)
        else:
            years = settings.PERSONAL_DATA_RETENTION_YEARS if years is None else years
            if years < 1:
                raise CommandError("--years must be at least 1")
            try:
                cutoff = now.replace(year=now.year - years)
            except ValueError:  # 29 February
                cutoff = now.replace(year=now.year - years, day=28)
        due = cases_due_for_anonymising(closed_before=cutoff)
        if dry_run:
            self.stdout.write(f"{due.count()} closed case(s) before {cutoff:%Y-%m-%d} to anonymise")
            return
        done = anonymise_closed(closed_before=cutoff, at=now)
        self.stdout.write(f"anonymised {done} closed case(s) closed before {cutoff:%Y-%m-%d}")
