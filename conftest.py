"""Test-wide setup: PostgreSQL-only and browser tests, and what was skipped.

Tests marked `postgres` need real row locks and exclusion constraints. On SQLite they are
skipped and the summary says so. With REQUIRE_POSTGRES=1 (set by .ci/run) the run fails if
the database is not PostgreSQL or if any `postgres` test was skipped. Likewise the browser
tests (`tests/browser`, marked `browser` there) with REQUIRE_BROWSER=1: one skipped (no
Chromium, no axe-core), or none run, fails the run. Both hold with and without pytest-xdist.
"""

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

# Hypothesis's default 200 ms deadline per example measures the machine, not the property:
# on a shared 2-core machine an example waits for a CPU and the test fails with
# DeadlineExceeded (seen: the costs' largest-remainder property under a load of ~20).
# Speed is shown by the benchmarks, not by tests; an explicit @settings(deadline=...) wins.
hypothesis_settings.register_profile("servicekontor", deadline=None)
hypothesis_settings.load_profile("servicekontor")

# Django's default password hasher (PBKDF2, 1,000,000 iterations since Django 5.2) costs about
# 0.2 s of CPU per hash (measured here: 0.21 s), and every `make_user`, `create_user`,
# `set_password` and password sign-in pays it: the largest single cost of the suite's setups
# (a test that makes one user per parameter spent 1.1 s per case under load). No test is about
# the hash's cost, and the hasher is Django's: a fast salted one for the whole run (a test may
# still override it).
override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()

# What a run may require (.ci/run sets both): a test with the marker that was skipped, or none
# of them run, fails the run. The bookkeeping lives here, in the root conftest, because under
# pytest-xdist only the controller's exit status counts and the controller loads this file but
# not tests/browser/conftest.py (it collects nothing): the workers' reports reach its
# `pytest_runtest_logreport`, with their keywords (the markers).
_REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
_REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
_BROWSER_TESTS = "tests/browser/"
_skipped: dict[str, list[str]] = {"postgres": [], "browser": []}
_ran: dict[str, list[str]] = {"postgres": [], "browser": []}
_browser_collected = False


def _on_postgres() -> bool:
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    # Here, not at collection: under pytest-xdist the controller collects nothing, and a
    # worker's usage error is only an internal error of the controller's.
    if _REQUIRE_POSTGRES and not _on_postgres():
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    global _browser_collected
    _browser_collected = _browser_collected or any(
        item.nodeid.startswith(_BROWSER_TESTS) for item in items
    )
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """The controller's view of a worker's collection (it collects nothing itself)."""
    global _browser_collected
    _browser_collected = _browser_collected or any(i.startswith(_BROWSER_TESTS) for i in ids)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for marker in ("postgres", "browser"):
        if marker not in report.keywords:
            continue
        if report.skipped and not hasattr(report, "wasxfail"):
            _skipped[marker].append(report.nodeid)
        elif report.when == "call":
            _ran[marker].append(report.nodeid)


def _failures() -> list[str]:
    failures = []
    if _REQUIRE_POSTGRES and _skipped["postgres"]:
        failures.append("REQUIRE_POSTGRES=1 and PostgreSQL tests were skipped")
    if _REQUIRE_POSTGRES and not _ran["postgres"]:
        failures.append("REQUIRE_POSTGRES=1 and no PostgreSQL test ran")
    if _REQUIRE_BROWSER and _skipped["browser"]:
        failures.append("REQUIRE_BROWSER=1 and browser tests were skipped")
    if _REQUIRE_BROWSER and _browser_collected and not _ran["browser"] and not _skipped["browser"]:
        failures.append("REQUIRE_BROWSER=1 and no browser test ran")
    return failures


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _failures():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.browser.support import missing_browser

    write = terminalreporter.write_line
    if _skipped["postgres"]:
        write(f"PostgreSQL-only tests skipped: {len(_skipped['postgres'])}")
        for nodeid in sorted(set(_skipped["postgres"])):
            write(f"  skipped (no PostgreSQL): {nodeid}")
    else:
        write(f"PostgreSQL-only tests run: {len(_ran['postgres'])}")
    if _skipped["browser"]:
        reason = missing_browser() or "see above"
        write(f"Browser tests skipped: {len(set(_skipped['browser']))} ({reason})")
    elif _browser_collected:
        write(f"Browser tests run: {len(_ran['browser'])}")
    for failure in _failures():
        write(f"FAILED: {failure}")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """Each test starts in the default language: a test-client request to an /en/ page
    leaves English active in the thread (LocaleMiddleware activates, nothing resets it), and
    the next test's `reverse()` would then give /en/ paths."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def reference_data_per_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The real reference data, loaded once for the requesting module (`load_reference_data`
    costs seconds of CPU) in a transaction that is rolled back when the module's tests are
    done. Every test runs in its own savepoint inside it (pytest-django's `django_db`), so what
    a test writes is gone before the next one starts, as with Django's TestCase.setUpTestData.

    Once requested, the rows are there for the rest of the module, also for tests that did not
    ask: use it only in a module whose every test may see them. A test's function-scoped
    fixture should call `registry_cache.registry_changed()` (a fresh version, as a load per test
    gave: an entry cached by an earlier test, whose writes were rolled back, is not read)."""
    from servicekontor.network import registry_cache
    from servicekontor.network.reference_data import load_reference_data

    with django_db_blocker.unblock():
        with transaction.atomic():
            load_reference_data(settings.REFERENCE_DATA_DIR)
            yield
            transaction.set_rollback(True)
        registry_cache.registry_changed()  # nothing cached from the loaded rows outlives them
