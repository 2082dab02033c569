"""Walk F14 in a real browser: a network-planning answer says what it optimised and its
effect on access, and "Make this a change plan" makes a draft plan with dated closing steps
(the date chosen on the way, a future first of the month by default) whose page shows the
usual effect on access, staff and cost."""

import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

from servicekontor.changeplans.forms import default_change_date
from servicekontor.changeplans.models import ChangeKind, ChangePlan
from servicekontor.core import clock
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible
from tests.factories import DEFAULT_PASSWORD, make_user


def _signed_in(open_page: OpenPage, path: str) -> Page:
    user = make_user(role="network_admin")
    page = open_page()
    page.goto(f"/staff/login/?next={quote(path)}")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(path.split("?")[0])))
    return page


def test_close_answer__made_a_change_plan_with_dated_closings(open_page: OpenPage):
    today = clock.local_today().isoformat()
    page = _signed_in(
        open_page,
        f"/en/planning/?on={today}&action=close&objective=distance&n=2&radius_km=25&quick=on",
    )
    result = page.locator("section[aria-labelledby=result-heading]")
    expect(result).to_be_visible(timeout=60_000)  # a quick answer, a few seconds
    expect(result).to_contain_text("Optimised: the 2 offices to close are those whose closing")
    expect(
        result.get_by_role("rowheader", name="Localities farther than R = 25 km")
    ).to_be_visible()
    expect(result.get_by_role("rowheader", name="People farther than R = 25 km")).to_be_visible()
    result.get_by_role("button", name="Make this a change plan").click()

    expect(page.locator("h1")).to_have_text("Make a change plan of the planning answer")
    expect(page.get_by_role("rowheader", name="Visits affected a year")).to_be_visible()
    date = page.get_by_label("Date of the changes")
    default = default_change_date(clock.local_today())
    expect(date).to_have_value(default.isoformat())
    assert_accessible(page)
    page.get_by_label("Name of the change plan").fill("Two fewer offices")
    page.get_by_role("button", name="Make the change plan").click()

    page.wait_for_url(re.compile(r"/en/change-plans/\d+/$"))
    plan = ChangePlan.objects.get(name="Two fewer offices")
    steps = list(plan.changes.order_by("position"))
    assert [(c.kind, c.on_date) for c in steps] == [(ChangeKind.CLOSE_OFFICE, default)] * 2
    changes = page.locator("#changes + .table-scroll tbody tr")
    expect(changes).to_have_count(2)
    expect(changes.first).to_contain_text(default.isoformat())
    expect(page.get_by_text("Visits moved").first).to_be_visible()
    assert_accessible(page)
