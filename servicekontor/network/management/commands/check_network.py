from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from servicekontor.core import clock
from servicekontor.network.network_check import (
    check_network,
    offices_offering_nothing,
    offices_with_unknown_county,
    shared_positions,
)


class Command(BaseCommand):
    help = (
        "Compare the registry with the published network sizes (reference_data/"
        "published_counts.csv): per date the published count, the registry's and the gap."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=settings.REFERENCE_DATA_DIR)

    def handle(self, *args: object, **options: object) -> None:
        directory = options["directory"]
        assert isinstance(directory, Path)
        rows = [("date", "what", "published", "registry", "difference", "missing")]
        checks = check_network(directory)
        for check in checks:
            p = check.published
            what = p.kind if not p.agency_code else f"{p.kind} ({p.agency_code})"
            day = p.day.isoformat() if p.precision == "day" else f"{p.day:%Y-%m}"
            rows.append(
                (
                    day,
                    what,
                    str(p.count),
                    str(check.registry),
                    f"{check.difference:+d}",
                    f"{check.missing_share:.0%}" + (" !" if check.warns else ""),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        self.stdout.write("\n! the registry lacks more than 5 % of the published count.")
        self.stdout.write(
            "The registry holds only offices named in sources; see reference_data/README.md."
        )
        self.stdout.write("\nSources:")
        for check in checks:
            self.stdout.write(
                f"  {check.published.day} {check.published.kind}: {check.published.source}"
            )
        groups = shared_positions(day=clock.local_today())
        if groups:
            self.stdout.write("\nOffices on the same (approximate) point today:")
            for group in groups:
                marked = all(o.position_approximate for o in group)
                names = ", ".join(o.code for o in group)
                self.stdout.write(f"  {names}" + ("" if marked else "  (NOT marked approximate)"))
        unknown = offices_with_unknown_county()
        if unknown:
            self.stdout.write(
                "\nOffices whose county is not one of Sweden's 21 (fix in the admin):"
            )
            for office in unknown:
                self.stdout.write(f"  {office.code}: {office.county!r}")
        nothing = offices_offering_nothing(day=clock.local_today())
        if nothing:
            self.stdout.write("\nOffices open today that offer no agency's services:")
            for office in nothing:
                self.stdout.write(f"  {office.code}: {office.name}")
