from django.core.management.base import BaseCommand, CommandError

from assessment.periods import parse_period
from assessment.services import snapshot_period
from grids.models import Area


class Command(BaseCommand):
    help = "Recompute the KPI snapshots of a period (2026-10, 2026-Q3 or 2026); replaces them."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026-10, 2026-Q3 or 2026")
        parser.add_argument("--area", help="only this area's subtree (division code)")

    def handle(self, *args, period, area=None, **options):
        try:
            parsed = parse_period(period)
        except ValueError as exc:
            raise CommandError(str(exc))
        root = None
        if area:
            root = Area.objects.filter(code=area).first()
            if root is None:
                raise CommandError(f"No area with code {area}.")
        written = snapshot_period(parsed, root=root)
        self.stdout.write(f"{parsed.key}: {written} snapshots written.")
