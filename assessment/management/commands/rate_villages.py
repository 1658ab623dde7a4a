"""Rate every village for a month now (the monthly beat task does it on the 1st)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.periods import month_of, parse_period
from assessment.risk import compute_month


class Command(BaseCommand):
    help = "计算各村的风险等级（红/黄/绿）：默认本月，--month 2026-10 指定月份。"

    def add_arguments(self, parser):
        parser.add_argument("--month", default="", help="月份，如 2026-10（默认本月）")

    def handle(self, *args, **options):
        try:
            period = (
                parse_period(options["month"]) if options["month"] else month_of(timezone.now())
            )
        except ValueError as error:
            raise CommandError(str(error))
        if period.kind != "month":
            raise CommandError("月份格式应为 2026-10。")
        tally = compute_month(period)
        self.stdout.write(
            f"{period.key}：红 {tally['red']}，黄 {tally['yellow']}，绿 {tally['green']}"
        )
