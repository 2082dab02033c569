"""Fingerprints of what `load_reference_data` wrote before it recorded provenance.

Writes reference_data/loaded_before_provenance.csv (kind,key,fingerprint), which lets the
loader recognise, in an installation loaded before provenance existed, the rows nobody has
edited since, and update them (see servicekontor/network/reference_sync.py).

How the file was made (once, from the commit before provenance, 2e23578):

    git archive 2e23578 | tar -x -C /tmp/old && cd /tmp/old
    DATABASE_URL=sqlite:////tmp/legacy.sqlite3 DEMO=1 DEBUG=1 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/legacy.sqlite3 DEMO=1 DEBUG=1 python manage.py load_reference_data
    cd <this repository>
    DATABASE_URL=sqlite:////tmp/legacy.sqlite3 DEMO=1 DEBUG=1 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/legacy.sqlite3 DEMO=1 DEBUG=1 \
        python scripts/legacy_reference_fingerprints.py
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from servicekontor.catalog.models import Agency
    from servicekontor.network.models import Milestone, Office
    from servicekontor.network.reference_data import (
        _agency_state,
        _milestone_state,
        counters_state,
        hours_state,
        offerings_state,
        office_state,
    )
    from servicekontor.network.reference_sync import LEGACY_FILE, fingerprint

    rows = [("agency", a.code, fingerprint(_agency_state(a))) for a in Agency.objects.all()]
    rows += [
        ("milestone", m.code, fingerprint(_milestone_state(m))) for m in Milestone.objects.all()
    ]
    for office in Office.objects.select_related("opened_with", "closed_with"):
        rows.append(("office", office.code, fingerprint(office_state(office))))
        rows.append(("counters", office.code, fingerprint(counters_state(office))))
        rows.append(("hours", office.code, fingerprint(hours_state(office))))
        rows.append(("offerings", office.code, fingerprint(offerings_state(office))))
    with (REPO / "reference_data" / LEGACY_FILE).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["kind", "key", "fingerprint"])
        writer.writerows(sorted(rows))
    print(f"{len(rows)} fingerprints")


if __name__ == "__main__":
    main()
