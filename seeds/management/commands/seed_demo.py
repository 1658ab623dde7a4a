"""Load the demo county (宜君县): areas, grid workers, demo accounts, committees and
mediators, and a year of cases through the services (DESIGN.md §11); or, with `--cases N`,
bulk benchmark volumes over several counties (PostgreSQL COPY). Idempotent."""

import signal
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case
from grids.division import DivisionError
from grids.models import Area
from seeds.agencies import load_demo_agencies
from seeds.areas import load_demo_areas
from seeds.org import load_organisations
from seeds.pace import seeding_flag
from seeds.risk import rate_demo_villages

DEMO_PASSWORD = "demo-pass-2026"


class Progress:
    """A count of the cases played, redrawn in place on a terminal, a line per tenth elsewhere."""

    def __init__(self, out, started):
        self.out, self.started, self.shown = out, started, -1
        self.tty = out.isatty()

    def __call__(self, done, total):
        tenth = done * 10 // total
        if not self.tty and tenth == self.shown:
            return
        if self.tty and done % 5 and done != total:
            return
        self.shown = tenth
        bar = "#" * (done * 30 // total)
        line = (
            f"demo year: [{bar:<30}] {done}/{total} cases {time.perf_counter() - self.started:.0f}s"
        )
        if self.tty:
            self.out.write("\r" + line, ending="\n" if done == total else "")
            self.out.flush()
        else:
            self.out.write(line)


@contextmanager
def fast_seeding_connection():
    """For the seeding run only: no query log (DEBUG keeps every SQL string), and on SQLite no
    fsync, statement journals in memory, a long wait for the lock, and pauses between cases
    while pages are served (seeds/pace.py)."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        if connection.vendor != "sqlite":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA temp_store = MEMORY")
            cursor.execute("PRAGMA cache_size = -65536")
            # Behind `make run`'s server: wait out the worker's sweep rather than fail.
            cursor.execute("PRAGMA busy_timeout = 300000")
        with seeding_flag():  # and pause between cases while pages are asked for
            yield
    finally:
        settings.DEBUG = debug


def wait_until_stopped():
    """Sleep until SIGTERM or SIGINT, then exit with status 0."""
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    while not stopped.wait(3600):
        pass


class Command(BaseCommand):
    help = (
        "Load the demo county 宜君县 (610222): areas, accounts, committees and a year of cases; "
        "with --cases N, bulk benchmark volumes over --counties K counties. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-cases",
            action="store_true",
            help="Areas, accounts and committees only.",
        )
        parser.add_argument(
            "--no-year",
            action="store_true",
            help="Everything but the year of cases (what `make run` loads before the server).",
        )
        parser.add_argument(
            "--stay",
            action="store_true",
            help="Once done, wait until stopped (SIGTERM or SIGINT) and exit 0: a process of "
            "`make run`'s manager, which stops everything when one of its processes ends.",
        )
        parser.add_argument(
            "--months",
            type=int,
            default=12,
            help="Months of cases for the demo year, ending with the current month (default 12).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="Bulk path (PostgreSQL): make the database hold N cases over --counties.",
        )
        parser.add_argument(
            "--counties",
            type=int,
            default=12,
            help="Counties for the bulk path, the demo county among them (default 12).",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        self.load_areas()
        # One hash for every generated account (Argon2 is slow on purpose).
        self.password = make_password(DEMO_PASSWORD)
        with transaction.atomic():
            self.load_accounts()
            staff = load_organisations(self.password)
            agencies = load_demo_agencies(staff.county, self.password)
        self.stdout.write(f"agencies: {agencies.created} new, {agencies.people} liaisons")
        self.stdout.write(
            f"committees and mediators: {sum(len(m) for m in staff.village_mediators.values())} "
            f"village mediators, {sum(len(m) for m in staff.town_mediators.values())} town "
            "mediators"
        )
        # With --no-cases (the browser tests' fixture) one month of 说事日 is enough.
        self.community(staff, 1 if options["no_cases"] else options["months"])
        if options["no_year"]:
            self.stdout.write(
                f"seed_demo (all but the year) done in {time.perf_counter() - started:.1f}s"
            )
            return
        if options["cases"] is not None:
            self.bulk(options["cases"], options["counties"])
        elif not options["no_cases"]:
            if options["months"] < 1:
                raise CommandError("--months must be at least 1.")
            self.year(staff, options["months"])
        self.stdout.write(rate_demo_villages())
        self.stdout.write(f"seed_demo done in {time.perf_counter() - started:.1f}s")
        if options["stay"]:
            wait_until_stopped()

    def community(self, staff, months):
        from seeds.community import load_community

        started = time.perf_counter()
        tally = load_community(staff, self.password, months=max(months, 1))
        self.stdout.write(
            "village self-governance: "
            + ", ".join(f"{k} {v}" for k, v in tally.items())
            + f" ({time.perf_counter() - started:.1f}s)"
        )

    def year(self, staff, months):
        from assessment.models import KpiSnapshot
        from seeds.referrals import seed_referrals
        from seeds.supervision import load_supervision
        from seeds.year import Year, snapshot_year, status_counts, year_key

        cases = Case.objects.filter(county=staff.county)
        after = cases.order_by("-reported_at").values_list("reported_at", flat=True).first()
        # The county's snapshot of the year of its last case is written last: the year is whole.
        if (
            after is not None
            and KpiSnapshot.objects.filter(area=staff.county, period_key=year_key(after)).exists()
        ):
            self.stdout.write(
                f"cases: the demo county already has {cases.count()} cases; nothing to do"
            )
            return
        # A year cut short (stopped while it filled) goes on after its last case.
        if after is not None:
            self.stdout.write(
                f"cases: {cases.count()} there; the year goes on after {after:%Y-%m-%d %H:%M}"
            )
        started = time.perf_counter()
        now = timezone.now()
        year = Year(staff, months=months, now=now, after=after)
        with fast_seeding_connection():
            tally = year.run(progress=Progress(self.stdout, started))
            self.stdout.write(f"referrals: {dict(seed_referrals(staff.county, now))}")
        seconds = time.perf_counter() - started
        with transaction.atomic():
            self.stdout.write(f"督查督办: {load_supervision(staff, now=timezone.now())}")
        snapshots = snapshot_year(year.start, now)
        self.stdout.write(
            f"cases: {tally.cases} in {months} months from {year.start:%Y-%m} "
            f"({seconds:.1f}s); steps: "
            + ", ".join(f"{k} {v}" for k, v in sorted(tally.steps.items()))
        )
        for message in tally.refused[:5]:
            self.stderr.write(f"refused by a service, case left out: {message}")
        self.stdout.write(
            f"inspection reports: {tally.reports} ({tally.zero_reports} zero reports); "
            f"KPI snapshots: {snapshots}"
        )
        self.stdout.write(
            "status now: "
            + ", ".join(f"{k} {v}" for k, v in sorted(status_counts(staff.county).items()))
        )
        self.summary(staff.county, year.start, now)

    def summary(self, county, start, now):
        from assessment.models import KpiSnapshot

        key = str(timezone.localtime(now).year)
        snapshot = KpiSnapshot.objects.filter(area=county, period_key=key).first()
        if snapshot is None:
            return
        m = snapshot.metrics

        def pct(name):
            value = m.get(name)
            return "—" if value is None else f"{100 * value:.1f}%"

        self.stdout.write(
            f"KPIs {key}: intake {m.get('intake')}, concluded {m.get('concluded')}, "
            f"resolution {pct('resolution_rate')}, village retention "
            f"{pct('village_retention')}, town retention {pct('town_retention')}, "
            f"county {pct('county_escalation_rate')}, safety index {snapshot.safety_index}"
        )

    def bulk(self, n, counties):
        from seeds.bulk import bulk_seed

        if connection.vendor != "postgresql":
            raise CommandError("--cases needs PostgreSQL (COPY); set DATABASE_URL.")
        if counties < 1:
            raise CommandError("--counties must be at least 1.")
        bulk_seed(n=n, counties=counties, out=self.stdout, password=self.password)

    def load_areas(self):
        try:
            divisions, grids = load_demo_areas()
        except DivisionError as exc:
            raise CommandError(str(exc))
        self.stdout.write(
            f"areas: 宜君县 from the national list (created {divisions.created}, updated "
            f"{divisions.updated}, unchanged {divisions.unchanged}); grids (created "
            f"{grids.created}, unchanged {grids.unchanged})"
        )

    def load_accounts(self):
        password = self.password
        county = Area.objects.get(code="610222000000")
        towns = list(Area.objects.filter(parent=county, level="town").order_by("code"))
        first_village = Area.objects.filter(parent=towns[0], level="village").order_by("code")[0]
        second_village = Area.objects.filter(parent=towns[1], level="village").order_by("code")[0]
        first_grid = Area.objects.filter(parent=first_village, level="grid").order_by("code")[0]
        accounts = [
            ("county_officer", "县综治中心·王主任", "officer", county),
            ("county_viewer", "县平安办·李书记", "viewer", county),
            ("county_admin", "县司法局·系统管理员", "admin", county),
            ("town_officer", f"{towns[0].name}综治中心·张主任", "officer", towns[0]),
            ("town_officer_2", f"{towns[1].name}综治中心·赵主任", "officer", towns[1]),
            ("village_mediator", f"{first_village.name}调委会·刘调解员", "mediator", first_village),
            (
                "village_mediator_2",
                f"{second_village.name}调委会·陈调解员",
                "mediator",
                second_village,
            ),
            ("grid_worker", f"{first_grid.name}·周网格员", "grid_worker", first_grid),
        ]
        for username, name, kind, area in accounts:
            self._user(username, name, password, kind, area)
        grids = (
            Area.objects.filter(code__startswith="610222", level="grid")
            .select_related("parent")
            .order_by("code")
        )
        for grid in grids:
            if grid.pk == first_grid.pk:
                continue
            self._user(
                f"gw{grid.code}",
                f"{grid.parent.name}{grid.name}网格员",
                password,
                "grid_worker",
                grid,
            )
        self.stdout.write(f"accounts: {len(accounts)} demo accounts, {grids.count()} grid workers")

    def _user(self, username, display_name, password, kind, area):
        user, created = User.objects.get_or_create(
            username=username, defaults={"display_name": display_name, "password": password}
        )
        Role.objects.get_or_create(user=user, kind=kind, area=area)
        return user
