"""Real-browser tests: headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Every test in this folder is marked `browser`. Locally, without Chromium or without
`npm ci` (node_modules/axe-core), they are skipped with the reason. With REQUIRE_BROWSER=1
(set by .ci/run) a skipped browser test fails the run, so CI cannot go green without them
(the root conftest.py counts them, also under pytest-xdist).

One browser per session; a fresh context (cookies, JavaScript on or off) and page per test.
The live server runs in a thread against the test database, so the tests use
`transactional_db` and load the real reference data themselves; nothing is frozen in time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Model

from tests.browser.support import CHROMIUM, missing_browser

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.fixtures import Settings
    from pytest_django.live_server_helper import LiveServer

_HERE = Path(__file__).resolve().parent
_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Without the background-networking flags Chromium opens connections of its own (updates,
# sync, field trials) and they are refused many at a time on a machine without internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _ours(item: pytest.Item) -> bool:
    return _HERE in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks this folder's tests `browser`; skips them, with the reason, without Chromium or
    axe-core. What a skip means with REQUIRE_BROWSER=1 is the root conftest's business (it
    runs on pytest-xdist's controller too, this file does not)."""
    ours = [item for item in items if _ours(item)]
    for item in ours:
        item.add_marker(pytest.mark.browser)
    reason = missing_browser()
    if reason:
        skip = pytest.mark.skip(reason=f"browser test: {reason}")
        for item in ours:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Let a browser test's own ORM calls run beside Playwright's event loop.

    Playwright's sync API keeps an asyncio loop running in the main thread, and Django then
    refuses ORM calls there (SynchronousOnlyOperation), although they are plain synchronous
    calls from synchronous code: loading the data, the flush after the test. The switch is on
    only while a test of this folder runs (this hook sees every test of the session, hence
    the check), so the rest of the suite keeps Django's check.
    """
    if not _ours(item):
        return (yield)
    previous = os.environ.get(_ASYNC_UNSAFE)
    os.environ[_ASYNC_UNSAFE] = "true"
    try:
        return (yield)
    finally:
        if previous is None:
            del os.environ[_ASYNC_UNSAFE]
        else:
            os.environ[_ASYNC_UNSAFE] = previous


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """One Chromium for the session, started after the test database exists.

    `launch()` gives it a fresh temporary user-data dir, removed when it closes.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Rows written by the reference-data loader, per model in creation order, kept after the
# first browser test of the session (see `reference_data`).
_snapshot: list[tuple[type[Model], list[Model]]] = []


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """The real reference data, loaded with `load_reference_data`.

    The loader makes about 1,600 single-row inserts (1.2 s); the flush after every live-server
    test throws them away. So the first test of the session runs the loader and keeps what it
    wrote, and the following tests put the same rows back with one bulk insert per model.
    """
    from servicekontor.network.reference_data import load_reference_data

    if _snapshot:
        with transaction.atomic():  # foreign keys are checked at commit
            for model, rows in _snapshot:
                model._base_manager.bulk_create(rows)
        return
    models = apps.get_models(include_auto_created=True)
    before = {model: model._base_manager.count() for model in models}
    load_reference_data(settings.REFERENCE_DATA_DIR)
    for model in models:
        if before[model]:
            continue  # rows that came from migrations are made again by the flush
        rows = list(model._base_manager.order_by("pk"))
        if rows:
            _snapshot.append((model, rows))


@pytest.fixture
def site(live_server: LiveServer, reference_data: None, settings: Settings) -> str:
    """The live server's address, with the real reference data loaded."""
    # Many pages per test from one address: keep the per-IP rate limits out of the way.
    settings.APPOINTMENTS_RATE_LOOKUP = "10000/m"
    settings.APPOINTMENTS_RATE_BOOK = "10000/m"
    return str(live_server.url)


class OpenPage(Protocol):
    def __call__(self, *, javascript: bool = True) -> Page: ...


@pytest.fixture
def open_page(browser: Browser, site: str) -> Iterator[OpenPage]:
    """open_page(javascript=True): a page in a fresh context whose base URL is the site."""
    contexts: list[BrowserContext] = []

    def open_(*, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=site, java_script_enabled=javascript, locale="sv-SE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: OpenPage) -> Page:
    return open_page()


class OpenStaffPage(Protocol):
    def __call__(self, user: object, *, width: int = 1280, height: int = 900) -> Page: ...


@pytest.fixture
def open_staff_page(browser: Browser, site: str) -> Iterator[OpenStaffPage]:
    """open_staff_page(user): a page signed in as `user` (a session made by Django's test
    client, its cookie handed to the browser), at a desktop window (1280 px by default)."""
    from urllib.parse import urlparse

    from django.test import Client

    contexts: list[BrowserContext] = []

    def open_(user: object, *, width: int = 1280, height: int = 900) -> Page:
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(
            base_url=site, locale="sv-SE", viewport={"width": width, "height": height}
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "domain": urlparse(site).hostname or "localhost",
                    "path": "/",
                }
            ]
        )
        context.set_default_timeout(10_000)
        context.set_default_navigation_timeout(30_000)  # the desk page is the costliest
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
