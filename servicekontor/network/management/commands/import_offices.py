"""manage.py import_offices --offices offices.csv --offerings offerings.csv

Checks every row of both files first and prints each bad row with its line number and reason;
writes nothing unless all rows are good. See servicekontor/network/csv_import/ for the format.
"""

from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError
from django.utils.translation import gettext as _

from servicekontor.network import csv_import


def _open(path: str) -> IO[str]:
    try:
        return csv_import.read_text(Path(path).read_bytes())
    except OSError as exc:
        raise CommandError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}
        ) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(
            _("%(path)s is not UTF-8 text (byte %(at)d); save it as UTF-8 CSV.")
            % {"path": path, "at": exc.start}
        ) from exc


class Command(BaseCommand):
    help = "Import or update offices and offerings from CSV files; all rows or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--offices", help="CSV of offices (upserted by code).")
        parser.add_argument("--offerings", help="CSV of offerings (by office, service, first day).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the files and write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["offices"] and not options["offerings"]:
            raise CommandError(_("Give --offices, --offerings or both."))
        offices: list[csv_import.OfficeRow] = []
        offerings: list[csv_import.OfferingRow] = []
        office_errors: list[csv_import.RowError] = []
        offering_errors: list[csv_import.RowError] = []
        if path := options["offices"]:
            offices, office_errors = csv_import.read_offices(_open(path), file=path)
        if path := options["offerings"]:
            offerings, offering_errors = csv_import.read_offerings(_open(path), file=path)
            snapshot = csv_import.load_snapshot(offering_rows=offerings)
            offering_errors += csv_import.check_offerings(
                offerings,
                offices=offices,
                snapshot=snapshot,
                file=path,
                office_errors=office_errors,
            )
        errors = office_errors + offering_errors
        if not errors:
            # an open office offers some agency's services (decision 0101)
            errors = csv_import.check_open_offices_offer(
                offices=offices,
                offerings=offerings,
                offices_file=options["offices"] or "",
                offerings_file=options["offerings"] or "",
            )
        if errors:
            for error in sorted(errors):
                self.stderr.write(str(error))
            raise CommandError(
                _(
                    "%(count)d problem(s) found; nothing was written. Fix the rows above and run again."
                )
                % {"count": len(errors)}
            )
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "All rows are good: %(offices)d offices, %(offerings)d offerings (dry run, nothing written)."
                )
                % {"offices": len(offices), "offerings": len(offerings)}
            )
            return
        try:
            result = csv_import.apply_import(offices=offices, offerings=offerings)
        except IntegrityError as exc:
            # Someone changed the registry between the check and the write.
            raise CommandError(
                _("The database refused the import (%(error)s); nothing was written.")
                % {"error": exc}
            ) from exc
        self.stdout.write(_("Offices: %s") % result.offices)
        self.stdout.write(_("Offerings: %s") % result.offerings)
