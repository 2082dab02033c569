"""Checking offering rows against each other and against the database (`Snapshot`), and
reading that snapshot."""

from collections import defaultdict
from collections.abc import Iterable

from django.utils.translation import gettext as _

from servicekontor.catalog.models import Agency, Service
from servicekontor.network.csv_import.rows import (
    ExistingOffering,
    OfferingRow,
    OfficeRow,
    RowError,
    Snapshot,
)
from servicekontor.network.dates import DateSpan, new_gaps
from servicekontor.network.models import (
    Offering,
    Office,
)


def check_offerings(
    rows: list[OfferingRow],
    *,
    offices: list[OfficeRow],
    snapshot: Snapshot,
    file: str = "offerings",
    office_errors: Iterable[RowError] = (),
) -> list[RowError]:
    """Unknown codes, offerings starting while the office is not operating, and overlaps.

    Offices whose row in the offices file is bad (`office_errors`) are not checked again here:
    that row is reported already.

    Overlaps are checked on the state after the import: the file's rows plus the database's
    rows that the file does not update (same office, service and first day = an update).
    """
    errors: list[RowError] = []
    office_dates = dict(snapshot.office_dates)
    office_dates.update(
        {o.code: (o.opened.date, o.closed.date if o.closed else None) for o in offices}
    )
    unsure = {error.office_code for error in office_errors if error.office_code}
    good: list[OfferingRow] = []
    for row in rows:
        problems = []
        office_reported = "*" in unsure or row.office_code in unsure
        if not office_reported and row.office_code not in office_dates:
            problems.append(_("unknown office “%s”") % row.office_code)
        if row.agency_code not in snapshot.agencies:
            problems.append(_("unknown agency “%s”") % row.agency_code)
        elif (row.agency_code, row.service_code) not in snapshot.services:
            problems.append(
                _("agency “%(agency)s” has no service “%(service)s”")
                % {"agency": row.agency_code, "service": row.service_code}
            )
        if not office_reported and row.office_code in office_dates:
            opened_on, closed_on = office_dates[row.office_code]
            if not DateSpan.operating(opened_on, closed_on).contains(row.valid_from):
                problems.append(
                    _("office “%(office)s” is not operating on valid_from %(day)s")
                    % {"office": row.office_code, "day": row.valid_from.isoformat()}
                )
        if problems:
            errors.extend(RowError(file, row.line, p) for p in problems)
        else:
            good.append(row)

    by_key: dict[tuple[str, str, str], list[OfferingRow]] = defaultdict(list)
    for row in good:
        by_key[(row.office_code, row.agency_code, row.service_code)].append(row)
    existing_by_key: dict[tuple[str, str, str], list[ExistingOffering]] = defaultdict(list)
    for offering in snapshot.offerings:
        key = (offering.office_code, offering.agency_code, offering.service_code)
        existing_by_key[key].append(offering)

    for key, file_rows in by_key.items():
        file_rows.sort(key=lambda r: (r.valid_from, r.line))
        for i, row in enumerate(file_rows):
            for earlier in file_rows[:i]:
                if earlier.valid_from == row.valid_from:
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("same office, service and valid_from as line %d") % earlier.line,
                        )
                    )
                elif earlier.span.overlaps(row.span):
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("overlaps the offering on line %(line)d (%(period)s)")
                            % {
                                "line": earlier.line,
                                "period": str(earlier.span),
                            },
                        )
                    )
        updated_starts = {row.valid_from for row in file_rows}
        for offering in existing_by_key.get(key, []):
            if offering.valid_from in updated_starts:
                continue  # replaced by the file's row
            for row in file_rows:
                if offering.span.overlaps(row.span):
                    errors.append(
                        RowError(
                            file,
                            row.line,
                            _("overlaps an offering in the database (%(period)s)")
                            % {"period": str(offering.span)},
                        )
                    )
    return errors


def load_snapshot(*, offering_rows: list[OfferingRow]) -> Snapshot:
    """Read what the checks need: offices, agencies, services, and the offerings in question."""
    office_codes = {row.office_code for row in offering_rows}
    snapshot = Snapshot(
        office_dates={
            code: (opened_on, closed_on)
            for code, opened_on, closed_on in Office.objects.values_list(
                "code", "opened_on", "closed_on"
            )
        },
        agencies=set(Agency.objects.values_list("code", flat=True)),
        services=set(Service.objects.values_list("agency__code", "code")),
    )
    snapshot.offerings = [
        ExistingOffering(*values)
        for values in Offering.objects.filter(office__code__in=office_codes).values_list(
            "office__code", "service__agency__code", "service__code", "valid_from", "valid_to"
        )
    ]
    return snapshot


def check_open_offices_offer(
    *,
    offices: list[OfficeRow],
    offerings: list[OfferingRow],
    offices_file: str,
    offerings_file: str,
) -> list[RowError]:
    """An open office offers at least one agency's services (decision 0101): for every
    office the files add or change, the days it would operate with no offering (after the
    import: the database's offerings with the file's rows upserted by office, service and
    first day) that were not already without one. One error per office, on its offices row
    (or its first offerings row)."""
    codes = {r.code for r in offices} | {r.office_code for r in offerings}
    saved = {
        code: (opened, closed)
        for code, opened, closed in Office.objects.filter(code__in=codes).values_list(
            "code", "opened_on", "closed_on"
        )
    }
    spans: dict[str, dict[tuple[str, object], DateSpan]] = defaultdict(dict)
    for code, service, first, last in Offering.objects.filter(office__code__in=codes).values_list(
        "office__code", "service__code", "valid_from", "valid_to"
    ):
        spans[code][(service, first)] = DateSpan(first, last)
    after = {code: dict(by_key) for code, by_key in spans.items()}
    first_line: dict[str, int] = {}
    for r in offerings:
        after.setdefault(r.office_code, {})[(r.service_code, r.valid_from)] = r.span
        first_line.setdefault(r.office_code, r.line)
    rows = {r.code: r for r in offices}
    errors = []
    for code in sorted(codes):
        row = rows.get(code)
        if row is not None:
            opened, closed = row.opened.date, row.closed.date if row.closed else None
        elif code in saved:
            opened, closed = saved[code]
        else:
            continue  # an unknown office: check_offerings says so
        before = []
        if code in saved:
            before = [DateSpan.operating(*saved[code]), *spans.get(code, {}).values()]
        gaps = new_gaps(
            DateSpan.operating(opened, closed), after.get(code, {}).values(), before=before
        )
        if gaps:
            errors.append(
                RowError(
                    offerings_file if row is None else offices_file,
                    first_line.get(code, 0) if row is None else row.line,
                    _(
                        "office “%(code)s” would be open with no agency's services "
                        "%(days)s: add offerings for those days"
                    )
                    % {"code": code, "days": ", ".join(map(str, gaps))},
                    office_code=code,
                )
            )
    return errors
