"""Writing a checked import: all or nothing, in one transaction."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from servicekontor.catalog.models import Service
from servicekontor.network import change_impact
from servicekontor.network.csv_import.rows import (
    Counts,
    OfferingRow,
    OfficeRow,
)
from servicekontor.network.models import (
    CoordinateSource,
    Offering,
    Office,
)


@dataclass
class ImportResult:
    offices: Counts
    offerings: Counts


@transaction.atomic
def apply_import(*, offices: list[OfficeRow], offerings: list[OfferingRow]) -> ImportResult:
    """Upsert checked rows, all in one transaction.

    Takes no row locks: the database's overlap constraint is the last word if someone edits
    offerings at the same time (the whole import then rolls back).
    """
    office_counts = Counts()
    existing_offices = {
        o.code: o for o in Office.objects.filter(code__in=[r.code for r in offices])
    }
    for row in offices:
        wanted = {
            "name": row.name,
            "municipality": row.municipality,
            "county": row.county,
            "street_address": row.street_address,
            "postal_code": row.postal_code,
            "postal_town": row.postal_town,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "opened_on": row.opened.date,
            "opened_precision": row.opened.precision,
            "closed_on": row.closed.date if row.closed else None,
            "closed_precision": row.closed.precision if row.closed else "day",
            "source": row.source,
        }
        office = existing_offices.get(row.code)
        if office is None:
            # An imported position is the administrator's statement of where the office is.
            Office.objects.create(
                code=row.code,
                coordinate_source=CoordinateSource.IMPORTED,
                position_approximate=False,
                **wanted,
            )
            office_counts.created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(office, name) != value]
        if not changed:
            office_counts.unchanged += 1
            continue
        if "latitude" in changed or "longitude" in changed:
            office.coordinate_source = CoordinateSource.IMPORTED
            office.position_approximate = False
            changed += ["coordinate_source", "position_approximate"]
        for name in changed:
            setattr(office, name, wanted.get(name, getattr(office, name)))
        office.save(update_fields=changed)
        office_counts.updated += 1

    offering_counts = Counts()
    office_ids = dict(
        Office.objects.filter(code__in={r.office_code for r in offerings}).values_list("code", "pk")
    )
    service_ids = {
        (agency, code): pk
        for pk, agency, code in Service.objects.values_list("pk", "agency__code", "code")
    }
    existing = {
        (o.office_id, o.service_id, o.valid_from): o
        for o in Offering.objects.filter(office_id__in=office_ids.values())
    }
    updates: list[tuple[Offering, OfferingRow]] = []
    creates: list[Offering] = []
    for offering_row in offerings:
        office_id = office_ids[offering_row.office_code]
        service_id = service_ids[(offering_row.agency_code, offering_row.service_code)]
        current = existing.get((office_id, service_id, offering_row.valid_from))
        if current is None:
            creates.append(
                Offering(
                    office_id=office_id,
                    service_id=service_id,
                    valid_from=offering_row.valid_from,
                    valid_to=offering_row.valid_to,
                    source=offering_row.source,
                )
            )
        elif (current.valid_to, current.source) == (offering_row.valid_to, offering_row.source):
            offering_counts.unchanged += 1
        else:
            updates.append((current, offering_row))
    # The overlap constraint is checked row by row, not at commit: shorten before lengthening,
    # and create last, so that no intermediate state overlaps when the final one does not.
    far = dt.date.max
    updates.sort(key=lambda pair: (pair[1].valid_to or far) > (pair[0].valid_to or far))
    for offering, offering_row in updates:
        offering.valid_to, offering.source = offering_row.valid_to, offering_row.source
        offering.save(update_fields=["valid_to", "source"])
        offering_counts.updated += 1
    for offering in creates:
        offering.save()
        offering_counts.created += 1
    # Bookings the imported rows leave without a place (an office closed, an offering
    # ended) are cancelled and the citizens told, in this transaction (change_impact).
    codes = {r.code for r in offices} | {r.office_code for r in offerings}
    change_impact.apply(Office.objects.filter(code__in=codes))
    return ImportResult(offices=office_counts, offerings=offering_counts)
