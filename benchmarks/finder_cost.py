"""CPU per public office search (`/en/?q=<place>`, walk finding F1), in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sk_walkfix \\
      PEAK_REDIS_URL=redis://127.0.0.1:6379/12 FINDER_COST_SETUP=1 \\
      .venv/bin/python benchmarks/finder_cost.py           # once: the database
    FINDER_COST_APP=/work/main ... benchmarks/finder_cost.py   # the code before, same data

The finder through Django's test client (no HTTP), production settings as in peak_load.py
(DEBUG off, the shared Redis cache). With FINDER_COST_SETUP=1 the database of DATABASE_URL is
dropped and made again with the real registry (`load_reference_data`); without it the one
there is reused, so two checkouts (FINDER_COST_APP=<tree>) can be measured alternately on the
same rows. Each run: every place of PLACES searched once unmeasured (the shared caches warm),
then FINDER_COST_ROUNDS rounds (default 20) over PLACES, each request's CPU time of this
process (Django + driver, not PostgreSQL's or Redis's) measured with `time.process_time`.
Prints the median and mean CPU ms per search and the page's size.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("FINDER_COST_APP") or Path(__file__).resolve().parent.parent).resolve()
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402
import peak_load  # noqa: E402  (its SERVER_ENV: production settings, limits raised)

sys.path.insert(0, str(ROOT))  # before the tree peak_load put first: the code measured

PLACES = ["Rinkeby", "Tensta", "Kiruna", "Malmö", "Göteborg", "Umeå", "Visby", "Arjeplog"]
ROUNDS = int(os.environ.get("FINDER_COST_ROUNDS", "20"))


def main() -> None:
    setup = os.environ.get("FINDER_COST_SETUP") == "1"
    if setup:
        peak_load.recreate_database()
    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    if setup:
        call_command("migrate", verbosity=0)
        call_command("load_reference_data", verbosity=0)
        print("database made")
        return
    import servicekontor

    print(f"measuring the code at {Path(servicekontor.__file__).parent.parent}")
    cache.clear()
    client = Client()
    sizes = {}
    for place in PLACES:
        response = client.get("/en/", {"q": place})
        assert response.status_code == 200, (place, response.status_code)
        sizes[place] = len(response.content)
    cpu = []
    for _round in range(ROUNDS):
        for place in PLACES:
            start = time.process_time()
            response = client.get("/en/", {"q": place})
            cpu.append((time.process_time() - start) * 1000)
            assert response.status_code == 200
    print(
        f"searches: {len(cpu)}, CPU ms median {statistics.median(cpu):.2f}, "
        f"mean {statistics.mean(cpu):.2f}; page bytes {statistics.mean(sizes.values()):.0f}"
    )


if __name__ == "__main__":
    main()
