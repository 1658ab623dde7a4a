"""Load the demo county (宜君县): areas, grid workers, demo accounts. Idempotent."""

import csv
import io

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from grids.models import Area
from grids.services import areas_import
from seeds.areas import DATA_DIR, demo_area_rows

DEMO_PASSWORD = "demo-pass-2026"


class Command(BaseCommand):
    help = "Load the demo county 宜君县 (610222) and its demo accounts; safe to run again."

    def handle(self, *args, **options):
        self.load_areas()
        with transaction.atomic():
            self.load_accounts()

    def load_areas(self):
        text = (DATA_DIR / "yijun-towns.csv").read_text(encoding="utf-8")
        towns = [r for r in csv.DictReader(io.StringIO(text)) if r["level"] == "town"]
        out = io.StringIO()
        out.write(text if text.endswith("\n") else text + "\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows(demo_area_rows(towns))
        result = areas_import(text=out.getvalue())
        self.stdout.write(
            f"areas: created {result.created}, updated {result.updated}, "
            f"unchanged {result.unchanged}"
        )

    def load_accounts(self):
        password = make_password(DEMO_PASSWORD)
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
