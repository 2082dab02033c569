"""Test-wide setup: PostgreSQL-only tests and what was skipped.

Tests marked `postgres` need real row locks and exclusion constraints. On SQLite they are
skipped and the summary says so. With REQUIRE_POSTGRES=1 (set by .ci/run) the run fails if
the database is not PostgreSQL or if any `postgres` test was skipped.
"""

import os

import pytest
from django.conf import settings
from hypothesis import settings as hypothesis_settings

# Hypothesis's default 200 ms deadline per example measures the machine, not the property:
# on a shared 2-core machine an example waits for a CPU and the test fails with
# DeadlineExceeded (seen: the costs' largest-remainder property under a load of ~20).
# Speed is shown by the benchmarks, not by tests; an explicit @settings(deadline=...) wins.
hypothesis_settings.register_profile("servicekontor", deadline=None)
hypothesis_settings.load_profile("servicekontor")

_REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
_skipped_postgres: list[str] = []
_ran_postgres: list[str] = []


def _on_postgres() -> bool:
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _on_postgres():
        return
    if _REQUIRE_POSTGRES:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" not in report.keywords:
        return
    if report.skipped:
        _skipped_postgres.append(report.nodeid)
    elif report.when == "call":
        _ran_postgres.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _REQUIRE_POSTGRES and (_skipped_postgres or not _ran_postgres):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    write = terminalreporter.write_line
    if _skipped_postgres:
        write(f"PostgreSQL-only tests skipped: {len(_skipped_postgres)}")
        for nodeid in sorted(set(_skipped_postgres)):
            write(f"  skipped (no PostgreSQL): {nodeid}")
        if _REQUIRE_POSTGRES:
            write("FAILED: REQUIRE_POSTGRES=1 and PostgreSQL tests were skipped")
    else:
        write(f"PostgreSQL-only tests run: {len(_ran_postgres)}")
    if _REQUIRE_POSTGRES and not _ran_postgres:
        write("FAILED: REQUIRE_POSTGRES=1 and no PostgreSQL test ran")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """Each test starts in the default language: a test-client request to an /en/ page
    leaves English active in the thread (LocaleMiddleware activates, nothing resets it), and
    the next test's `reverse()` would then give /en/ paths."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
