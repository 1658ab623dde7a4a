from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grids.services import AreaImportError, areas_import


class Command(BaseCommand):
    help = "Import areas from a CSV file (code,name,level,parent_code); all rows or none."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
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
