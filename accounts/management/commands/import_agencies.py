from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.agency_services import AgencyImportError, agencies_import


class Command(BaseCommand):
    help = (
        "Import agencies (三调联动: police stations, courts, procuratorates, petition offices, "
        "administrative departments, lawyers' offices) from a CSV file with the columns "
        "code,name,kind,department,area_code,phone,liaison_username,liaison_name,liaison_phone,"
        "villages (one liaison per row; repeat the agency's row for more; villages: the codes a "
        "police officer 包联, separated by ';'). All rows or none; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--password", default=None, help="Password for new liaison accounts (else unusable)."
        )

    def handle(self, *args, file, password, **options):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}")
        try:
            result = agencies_import(text=text, password=password)
        except AgencyImportError as exc:
            for line, fields in exc.errors:
                for column, message in fields.items():
                    self.stderr.write(f"line {line}: {column}: {message}")
            raise CommandError(f"{len(exc.errors)} bad row(s); nothing was imported.")
        self.stdout.write(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"people {result.people}, beats {result.beats}"
        )
