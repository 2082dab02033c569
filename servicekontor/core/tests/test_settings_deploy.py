"""Production settings (no DEBUG, no DEMO) pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings


def test_settings__production__check_deploy_passes() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "SECURE_SSL_REDIRECT", "SECURE_COOKIES"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="servicekontor.example",
        REDIS_URL="redis://127.0.0.1:6379/0",  # checks read settings; nothing connects
        DEFAULT_FROM_EMAIL="Servicekontoren <noreply@servicekontor.se>",
        SITE_URL="https://boka.servicekontor.se",
        HANDOVER_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    env.pop("EMAIL_BACKEND", None)
    env.pop("SMS_BACKEND", None)
    env.pop("TASKS_BACKEND", None)  # the tests' immediate backend (config/pytest_env.py)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_settings__production__tasks_leave_the_request() -> None:
    """Production's default task backend is the database queue (decision 0044): nothing a
    task does (mail rendered and sent, SMS, handover posted) runs in the request."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "TASKS_BACKEND"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    code = (
        "import django; django.setup(); "
        "from django_tasks import task_backends; b = task_backends['default']; "
        "print(type(b).__module__ + '.' + type(b).__name__, sorted(b.queues))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split()[0] == "django_tasks_db.backend.DatabaseBackend"
    assert "'planning'" in result.stdout and "'default'" in result.stdout


def test_settings__production_without_shared_cache_or_with_console_mail__warns() -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "REDIS_URL"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="servicekontor.example",
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "core.W001" in result.stderr + result.stdout
    assert "core.W002" in result.stderr + result.stdout
    assert "core.W003" in result.stderr + result.stdout  # tasks inside the requests
    assert "handovers.W001" in result.stderr + result.stdout  # no keys of its own


def test_settings__production__mail_is_not_printed_to_the_log() -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "DEMO"}}
    env.pop("EMAIL_BACKEND", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"


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


@pytest.mark.parametrize(
    ("sender", "site", "expected"),
    [
        ("", "https://boka.servicekontor.se", {"messaging.E001"}),
        ("noreply@servicekontor.example", "https://boka.servicekontor.se", {"messaging.E001"}),
        ("webmaster@localhost", "https://boka.servicekontor.se", {"messaging.E001"}),
        ("noreply@servicekontor.se", "", {"messaging.E002"}),  # the default 127.0.0.1:8000
        ("noreply@servicekontor.se", "http://127.0.0.1:8080", {"messaging.E002"}),
        ("noreply@servicekontor.se", "https://example.com", {"messaging.E002"}),
        ("noreply@servicekontor.se", "http://boka.servicekontor.se", {"messaging.E002"}),
        ("noreply@servicekontor.se", "https://10.0.0.5", {"messaging.E002"}),
    ],
)
def test_settings__production_with_placeholder_sender_or_site__refused(sender, site, expected):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEMO", "DEFAULT_FROM_EMAIL", "SITE_URL", "EMAIL_BACKEND"}
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="servicekontor.example",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    if sender:
        env["DEFAULT_FROM_EMAIL"] = sender
    if site:
        env["SITE_URL"] = site
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stderr + result.stdout
    assert result.returncode != 0  # an error, not a warning: `check --deploy` fails
    for check_id in expected:
        assert check_id in output
    for check_id in {"messaging.E001", "messaging.E002"} - expected:
        assert check_id not in output
