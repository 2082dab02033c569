"""The staffing forecast's model is imported when the server starts, not on the first
staffing request of each worker (issue 13's leftovers, decision 0097): config/wsgi.py (with
gunicorn's --preload, once before the workers fork) imports statsmodels' GLM, and the
forecast imports only that, not `statsmodels.api` (its whole tree: 0.8 CPU s against 0.5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _modules_after(code: str) -> dict[str, bool]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEMO": "1"}
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, whatever the venv's install says
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps({m: m in sys.modules for m in ("
        "'statsmodels.genmod.generalized_linear_model', 'statsmodels.api')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_wsgi_application__has_the_forecast_model_imported_and_only_that() -> None:
    assert _modules_after("import config.wsgi") == {
        "statsmodels.genmod.generalized_linear_model": True,
        "statsmodels.api": False,
    }
