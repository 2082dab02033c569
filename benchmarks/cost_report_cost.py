"""Bytes and CPU per cost report of a year (`/costs/report/?year=2025`, walk finding F23),
in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_costpage \\
      PEAK_REDIS_URL=redis://127.0.0.1:6379/11 COST_REPORT_SETUP=1 \\
      .venv/bin/python benchmarks/cost_report_cost.py        # once: the database
    COST_REPORT_APP=/work/main ... benchmarks/cost_report_cost.py   # the code before, same data

Production settings as in peak_load.py (DEBUG off). With COST_REPORT_SETUP=1 the database of
DATABASE_URL is made again: COST_REPORT_OFFICES offices (default 50), three agencies, per
month a staff and a premises pool per office and a network IT pool, the usage of every agency
at every office, COST_REPORT_MONTHS months of 2025 settled (default 6: about 2,700 lines, the
size of walk F23's 3,222 rows). Without it the rows there are reused, so two checkouts
(COST_REPORT_APP=<tree>) are measured alternately on the same rows. Each run: one unmeasured
request, then COST_REPORT_ROUNDS (default 5) requests, each one's CPU time of this process
(Django + driver, not PostgreSQL's) by `time.process_time`. Prints median/mean CPU ms, bytes
and table rows. COST_REPORT_URL: another page (the month, the lines page).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("COST_REPORT_APP") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import peak_load  # noqa: E402  (its SERVER_ENV: production settings)

sys.path.insert(0, str(ROOT))  # before the tree peak_load put first: the code measured
for name in [m for m in sys.modules if m == "config" or m.startswith("config.")]:
    del sys.modules[name]  # peak_load imported config.lanes from this tree: the measured one's

ROUNDS = int(os.environ.get("COST_REPORT_ROUNDS", "5"))
OFFICES = int(os.environ.get("COST_REPORT_OFFICES", "50"))
MONTHS = int(os.environ.get("COST_REPORT_MONTHS", "6"))


def build() -> None:
    import datetime as dt

    from servicekontor.costs import services
    from servicekontor.costs.allocation import Usage
    from servicekontor.costs.models import Category, CostPool, DriverChoice
    from tests.factories import make_agency, make_office, make_user

    agencies = [
        make_agency(code="forsakringskassan", letter="F", name_sv="Försäkringskassan"),
        make_agency(code="pensionsmyndigheten", letter="P", name_sv="Pensionsmyndigheten"),
        make_agency(code="skatteverket", letter="S", name_sv="Skatteverket"),
    ]
    offices = [make_office(code=f"office-{i:03d}", name=f"Kontor {i:03d}") for i in range(OFFICES)]
    admin = make_user(role="network_admin", username="cost-admin")
    for m in range(1, MONTHS + 1):
        month = dt.date(2025, m, 1)
        for office in offices:
            CostPool.objects.create(
                month=month, office=office, category=Category.STAFF, amount_ore=10_000_000
            )
            CostPool.objects.create(
                month=month,
                office=office,
                category=Category.PREMISES,
                amount_ore=3_000_000,
                driver=DriverChoice.VISITS,
            )
        CostPool.objects.create(
            month=month, office=None, category=Category.IT, amount_ore=1_200_000
        )
        usage = [
            Usage(o.pk, a.pk, 50 + 7 * i + j, (900 + 13 * i + 5 * j) * 60)
            for i, o in enumerate(offices)
            for j, a in enumerate(agencies)
        ]
        services.settle_month(month=month, by=admin, usage=usage, service_usage=[])


def main() -> None:
    setup = os.environ.get("COST_REPORT_SETUP") == "1"
    if setup:
        peak_load.recreate_database()
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from servicekontor.accounts.models import User
    from servicekontor.costs.models import SettlementLine

    if setup:
        call_command("migrate", verbosity=0)
        build()
    client = Client()
    client.force_login(User.objects.get(username="cost-admin"))
    url = os.environ.get("COST_REPORT_URL", "/costs/report/?year=2025")
    client.get(url)
    cpu, size, rows = [], 0, 0
    for _ in range(ROUNDS):
        t = time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - t) * 1000)
        assert response.status_code == 200, response.status_code
        body = response.content
        size, rows = len(body), body.count(b"<tr")
    from django.conf import settings

    import servicekontor

    assert Path(servicekontor.__file__).is_relative_to(ROOT), servicekontor.__file__
    assert Path(settings.BASE_DIR).resolve() == ROOT, settings.BASE_DIR
    print(
        f"{ROOT}: {SettlementLine.objects.count()} lines; {url}: {size:,} bytes, {rows} rows; "
        f"CPU ms median {statistics.median(cpu):.0f} mean {statistics.mean(cpu):.0f} "
        f"(n={ROUNDS})"
    )


if __name__ == "__main__":
    main()
