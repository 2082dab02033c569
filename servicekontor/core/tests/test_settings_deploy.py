"""Production settings (no DEBUG, no DEMO) pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def test_settings__production__check_deploy_passes() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}
    }
    env.update(SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="servicekontor.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_settings__production_without_secret_key__refuses_to_start() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "SECRET_KEY"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
