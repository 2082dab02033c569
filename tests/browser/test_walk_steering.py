"""Walk of the steering pages by an analyst, an office manager and a planner (2026-11-30):
what a reader of the statistics, costs, staffing and change-plan pages met in a browser."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page

from servicekontor.core import clock
from servicekontor.network.models import Office
from tests.browser.conftest import OpenPage
from tests.browser.support import assert_accessible
from tests.browser.test_steering_pages_width import _history, _signed_in


def _description(page: Page, name: str) -> str:
    """The text of the elements named by the aria-describedby of the table so named (by its
    caption, or by the heading above it through aria-labelledby, walk F2)."""
    table = page.get_by_role("table", name=name).first
    return table.evaluate(
        """(t) => (t.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
            .map((id) => document.getElementById(id).textContent).join(" ")"""
    )


def test_statistics_by_agency__the_page_says_why_the_rows_exceed_the_visits(open_page: OpenPage):
    """A visit with errands for two agencies counts for both, so the agency rows add up to
    more than the visits; the analyst saw the sums differ and nothing said why."""
    kista = Office.objects.get(code="kista")
    _history(kista)
    page = _signed_in(open_page, role="network_admin", offices=[kista])
    page.goto("/statistics/network/")
    note = _description(page, "Per myndighet")
    assert "räknas en gång för var och en" in note
    page.goto("/statistics/office/kista/")
    note = _description(page, "Per myndighet")
    assert "räknas en gång för var och en" in note
    assert_accessible(page)


def test_costs__figures_right_aligned_in_digits_of_one_width(open_page: OpenPage):
    """The costs tables marked their figures class="num" with no style behind it: amounts
    stood left-aligned in proportional digits, their units not under each other."""
    page = _signed_in(open_page, role="network_admin")
    page.goto("/costs/")
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.querySelector("th.num"));
                   return [s.textAlign, s.fontVariantNumeric]; }"""
    )
    assert style == ["right", "tabular-nums"]


def test_change_plan__closing_before_the_plan_opens_the_office(open_page: OpenPage):
    """A planner closes the new office before the plan's own opening of it: the page named
    it "there is no office walk-nyby", read as a typo in the code."""
    from servicekontor.changeplans import services as plans
    from servicekontor.changeplans.models import ChangeKind

    plan = plans.create_plan(user=None, name="Öppna och stäng Nyby")
    plans.add_change(
        plan=plan,
        kind=ChangeKind.OPEN_OFFICE,
        on_date=dt.date(2027, 3, 1),
        office_codes=["walk-nyby"],
        new_office={
            "name": "Nyby",
            "county": "Norrbottens län",
            "latitude": 67.5,
            "longitude": 21.0,
            "counters": 2,
        },
        hours=[[0, "10:00", "16:00"]],
    )
    plans.add_change(
        plan=plan,
        kind=ChangeKind.CLOSE_OFFICE,
        on_date=dt.date(2027, 1, 1),
        office_codes=["walk-nyby"],
    )
    page = _signed_in(open_page, role="network_admin")
    page.goto(f"/change-plans/{plan.pk}/")
    body = page.inner_text("main")
    assert "Nyby är inte öppnat än 2027-01-01: planen öppnar det 2027-03-01" in body  # its name
    assert "det finns inget kontor walk-nyby" not in body


def test_staffing__service_level_entered_as_it_is_shown(open_page: OpenPage):
    """The what-if took the service level as a share (0,8) beside tables in percent (80 %);
    a manager typing 80 got an error."""
    kista = Office.objects.get(code="kista")
    _history(kista)
    page = _signed_in(open_page, role="office_manager", offices=[kista])
    page.set_default_navigation_timeout(60_000)  # the staffing plan solves on a shared machine
    year, week, _ = (clock.local_today() + dt.timedelta(days=7)).isocalendar()
    page.goto(f"/staffing/office/kista/?week={year}-W{week:02d}")
    field = page.get_by_label("Servicenivå (%)")
    field.fill("80")
    field.press("Enter")
    page.wait_for_load_state()
    assert "level=80" in page.url
    assert page.locator(".errorlist").count() == 0
    assert page.get_by_label("Servicenivå (%)").input_value() == "80"


def test_outreach_stop_on_a_phone__each_time_range_on_one_line(open_page: OpenPage):
    """A citizen on a phone (390 px) read the next visits as "tisdag 1 december: 10:00–"
    and "14:00" on the next line; every opening time range now stays on one line."""
    from tests.factories import make_outreach_stop

    stop = make_outreach_stop(code="walk-arjeplog")
    page = open_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/office/{stop.code}/")
    lines = page.evaluate(
        """() => [...document.querySelectorAll("main li")]
             .filter((li) => /\\d\\d:\\d\\d–\\d\\d:\\d\\d/.test(li.textContent))
             .map((li) => {
               const text = li.textContent;
               const at = text.search(/\\d\\d:\\d\\d–/);
               const range = document.createRange();
               // the text node that holds the range's start, and the range's 11 characters
               const walker = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
               let seen = 0, node;
               while ((node = walker.nextNode())) {
                 if (seen + node.length > at) break;
                 seen += node.length;
               }
               const tail = node.length - (at - seen);
               range.setStart(node, at - seen);
               if (tail >= 11) { range.setEnd(node, at - seen + 11); }
               else { range.setEndAfter(li.querySelector(".time-range") || node); }
               const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
               return tops.size;
             })"""
    )
    assert lines and all(n == 1 for n in lines), lines
