"""benchmarks/peak_load.py's report names every error: by action and status, also an action
with no sample after the warm-up or not among the listed actions (issue 13's "unnamed"
errors at 10× the peak). Run in a subprocess: peak_load sets the server's environment on
import."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import peak_load as p
run = p.Run(
    multiple=10, seconds=40,
    result={
        "samples": {"desk: call next": [5.0, 6.0]},
        "failures": [
            (1.0, "push: stream opened", 0),
            (2.0, "push: stream opened", 0),
            (3.0, "desk: hand over and finish", 503),
        ],
        "measured": {}, "statuses": {}, "push_events": {},
    },
    before=p.Counts(0, 0, 0, 0), after=p.Counts(0, 0, 0, 0), kills=[],
    django_ms=1.0, postgres_ms=1.0, client_ms=1.0, load=(1.0, 1.0),
)
print("\\n".join(p.table(run)))
print(p.summary(run))
"""


def test_peak_load_report__every_error_has_its_action_and_status() -> None:
    found = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT / "benchmarks",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = {line.split(" | ")[0].strip("| "): line for line in found.splitlines() if "|" in line}
    assert rows["push: stream opened"].rstrip(" |").endswith("2 (0 × 2)")
    assert rows["desk: hand over and finish"].rstrip(" |").endswith("1 (503 × 1)")
    assert rows["desk: call next"].rstrip(" |").endswith("| 0")
    assert (
        "errors 3 (desk: hand over and finish: 1 (503 × 1); push: stream opened: 2 (0 × 2))"
        in found
    )
