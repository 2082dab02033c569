"""The change-plan page in a real browser: axe (Swedish and English), without JavaScript a
change is added and its date moved through the plain forms."""

import datetime as dt
import re

from playwright.sync_api import Page, expect

from servicekontor.changeplans import services
from servicekontor.changeplans.models import ChangeKind
from servicekontor.network.models import Office
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_user


def _signed_in(open_page: OpenPage, path: str, *, javascript: bool = True) -> Page:
    user = make_user(role="network_admin")
    page = open_page(javascript=javascript)
    page.goto(f"/staff/login/?next={path}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(path)))
    return page


def _plan():
    codes = list(
        Office.objects.operating_on(dt.date(2027, 1, 1))
        .order_by("code")
        .values_list("code", flat=True)
    )
    plan = services.create_plan(user=None, name="Nedläggning 2027")
    first = services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 3, 1), office_codes=codes[:1]
    )
    services.add_change(
        plan=plan,
        kind=ChangeKind.CHANGE_HOURS,
        after_change=first,
        offset_days=14,
        office_codes=codes[1:3],
        hours=[[d, "09:00", "17:00"] for d in range(5)],
    )
    return plan


def test_change_plan_page__accessible_in_both_languages(open_page: OpenPage):
    plan = _plan()
    page = _signed_in(open_page, f"/change-plans/{plan.pk}/")
    expect(page.locator("svg.timeline")).to_be_visible()
    assert_accessible(page)
    page.locator("form.language button[value=en]").click()
    expect(page.locator("h1")).to_contain_text("version 1")
    assert_accessible(page)
    page.goto("/change-plans/")
    assert_accessible(page)
    page.goto(f"/change-plans/{plan.pk}/print/")
    assert_accessible(page)


def test_change_plan_page__without_javascript__move_a_date(open_page: OpenPage):
    plan = _plan()
    first = plan.changes.get(position=1)
    page = _signed_in(open_page, f"/change-plans/{plan.pk}/", javascript=False)
    row = page.locator("tbody tr").first
    row.locator("summary").click()
    row.locator(f"input[name=c{first.pk}-on_date]").fill("2027-05-01")
    row.locator("form").first.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("table").first).to_contain_text("2027-05-15")  # the follower moved
