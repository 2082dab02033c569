"""A background planning run's page in a real browser: its progress with and without
JavaScript, the stop button, and a solve sent from the form."""

import datetime as dt
import re

from playwright.sync_api import Page, expect

from servicekontor.planning.models import PlanRun, PlanRunStatus
from servicekontor.planning.plans import PlanRequest, Question
from servicekontor.planning.services import create_plan_run
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_user


def _signed_in(open_page: OpenPage, next_url: str, *, javascript: bool = True) -> Page:
    user = make_user(role="network_admin")
    page = open_page(javascript=javascript)
    page.goto(f"/staff/login/?next={next_url}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(next_url)))
    return page


def _queued_run() -> PlanRun:
    # Not enqueued: the page shows a run that a worker has not finished, whose figures the
    # test then writes as the task would.
    return create_plan_run(
        user=None,
        day=dt.date(2026, 1, 1),
        request=PlanRequest(action=Question.COVER, radius_km=25.0),
    )


def _progress(run: PlanRun) -> None:
    PlanRun.objects.filter(pk=run.pk).update(
        status=PlanRunStatus.RUNNING, stage="branch and bound", incumbent=190.0, bound=176.0
    )


def test_planning_run__with_javascript__htmx_updates_the_progress(open_page: OpenPage):
    run = _queued_run()
    page = _signed_in(open_page, f"/planning/runs/{run.pk}/")
    progress = page.locator("#run-progress")
    expect(progress).to_contain_text("Väntar på att starta")
    assert_accessible(page)
    _progress(run)
    expect(progress).to_contain_text("förgrening och avgränsning", timeout=5000)
    expect(progress).to_contain_text("176")
    expect(progress).to_contain_text("7,368 %")  # (190 − 176) / 190
    page.get_by_role("button", name="Stoppa och behåll det bästa svaret").click()
    expect(page.get_by_text("Stoppar …")).to_be_visible()
    assert PlanRun.objects.get(pk=run.pk).stop_requested
    assert_accessible(page)


def test_planning_run__without_javascript__the_page_reloads_itself(open_page: OpenPage):
    run = _queued_run()
    page = _signed_in(open_page, f"/planning/runs/{run.pk}/", javascript=False)
    expect(page.locator("#run-progress")).to_contain_text("Väntar på att starta")
    _progress(run)
    # The <noscript> meta refresh reloads the whole page every two seconds.
    expect(page.locator("#run-progress")).to_contain_text("176", timeout=6000)
    PlanRun.objects.filter(pk=run.pk).update(status=PlanRunStatus.FAILED, error="Test failure")
    expect(page.get_by_role("alert")).to_contain_text("Test failure", timeout=6000)


def test_planning_run__form__solved_and_shown_on_the_runs_page(open_page: OpenPage):
    page = _signed_in(open_page, "/planning/")
    page.get_by_label("Kontorsnätet den").fill("2026-01-01")
    page.get_by_label("Fråga").select_option("propose")
    page.get_by_label("Kontor att öppna (K)").fill("3")
    page.get_by_role("button", name="Beräkna").click()
    # The test server's task backend solves inside the request: the run's page has the answer.
    page.wait_for_url(re.compile(r"/planning/runs/[0-9a-f-]+/$"))
    expect(page.locator("#run-progress")).to_contain_text("Klar")
    expect(page.locator("#result-heading")).to_be_visible()
    assert_accessible(page)
