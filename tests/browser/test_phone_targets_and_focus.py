"""Every public, booking, kiosk and display page at a phone's size (375 × 740 CSS px): what
the walk of 2026-12-01 found, as a kind, on every page — the keyboard focus ring has at least
3:1 against the background it is drawn on (WCAG 1.4.11; amber on white was 1.7:1), every
link and button is at least 44 × 44 px (the project's rule on phones; the header's links and
"Change time" were 21 px high), and axe's `region` and `page-has-heading-one` rules besides
WCAG 2.1 AA (the kiosk and check-in pages had content outside any landmark, the display had
no h1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize

from servicekontor.appointments.models import AppointmentAllocation
from servicekontor.catalog.models import Service
from servicekontor.network.models import Office
from tests.browser.conftest import OpenPage
from tests.browser.support import axe_violations, describe
from tests.factories import make_offering, make_outreach_stop

PHONE: ViewportSize = {"width": 375, "height": 740}
TARGET_PX = 44

# Interactive elements smaller than TARGET_PX on either side. A radio button or checkbox is
# measured by its label (the label is what a finger presses). Not counted: what is not
# shown (hidden, visually hidden, the skip link until focused).
_SMALL_TARGETS = """(least) => {
  const shown = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden"
      && !e.closest(".visually-hidden, .skip-link, [hidden]");
  };
  const small = [];
  for (const e of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    if (!shown(e)) continue;
    let box = e;
    if (e.matches("input[type=radio], input[type=checkbox]")) box = e.closest("label") || e;
    const r = box.getBoundingClientRect();
    if (r.height < least - 0.5 || r.width < least - 0.5) {
      small.push(`${Math.round(r.width)}×${Math.round(r.height)} ${e.outerHTML.slice(0, 90)}`);
    }
  }
  return small;
}"""

# The focused element's rings (outline, box-shadow spread) and the colour behind the element
# (its ancestors' backgrounds composited over white): the best ring's contrast with it.
_FOCUS_CONTRAST = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  function parse(c) {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, bottom) {
    const a = top[3] + bottom[3] * (1 - top[3]);
    return [0, 1, 2].map((i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / (a || 1)).concat([a]);
  }
  function lum(c) {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function ratio(a, b) {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  }
  // The background the ring is drawn on: the element's parent's, up the tree.
  const layers = [];
  for (let n = e.parentElement; n; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c && c[3] > 0) layers.push(c);
  }
  let behind = [255, 255, 255, 1];
  for (const c of layers.reverse()) behind = over(c, behind);
  const style = getComputedStyle(e);
  const rings = [];
  if (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) {
    rings.push(parse(style.outlineColor));
  }
  for (const m of style.boxShadow.matchAll(/(rgba?\\([^)]+\\))[^,]*?(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px\\s+(-?[\\d.]+)px/g)) {
    if (parseFloat(m[5]) >= 2) rings.push(parse(m[1]));
  }
  const best = Math.max(0, ...rings.filter(Boolean).map((c) => ratio(over(c, behind), behind)));
  return {element: e.outerHTML.slice(0, 90), best: Math.round(best * 100) / 100};
}"""


def _focus_failures(page: Page, *, limit: int = 60) -> tuple[int, list[str]]:
    seen: set[str] = set()
    failures: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        found: dict[str, Any] | None = page.evaluate(_FOCUS_CONTRAST)
        if found is None or found["element"] in seen:
            break
        seen.add(found["element"])
        if found["best"] < 3:
            failures.append(f"{found['best']}:1 {found['element']}")
    return len(seen), failures


def _check_phone_page(page: Page) -> None:
    violations = axe_violations(page, extra_rules=("region", "page-has-heading-one"))
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"
    small = page.evaluate(_SMALL_TARGETS, TARGET_PX)
    assert not small, f"targets under {TARGET_PX} px on {page.url}:\n" + "\n".join(small)
    stops, weak = _focus_failures(page)
    assert stops >= 2, page.url
    assert not weak, f"focus ring under 3:1 on {page.url}:\n" + "\n".join(weak)


@pytest.fixture
def phone(open_page: OpenPage) -> Page:
    page = open_page()
    page.set_viewport_size(PHONE)
    page.set_default_timeout(60_000)  # many pages and checks per test, on a busy machine
    return page


@pytest.fixture
def bookable(site: str) -> tuple[Office, Service]:
    office = Office.objects.get(code="kista")
    AppointmentAllocation.objects.filter(office=office).delete()
    AppointmentAllocation.objects.bulk_create(
        AppointmentAllocation(office=office, weekday=weekday, hour=hour, counters=2)
        for weekday in range(7)
        for hour in range(7, 20)
    )
    return office, Service.objects.get(agency__code="forsakringskassan", code="foraldrapenning")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/en/",
        "/?q=goteborg",
        "/en/?q=Xyzzyqqq",
        "/office/kista/",
        "/en/office/kista/",
        "/en/book/",
        "/queue/kista/",
        "/en/queue/kista/?easy=1",
        "/en/display/kista/",
        "/book/check-in/kista/",
        "/en/book/check-in/kista/",
    ],
)
def test_phone__page__focus_contrast_targets_and_landmarks(phone: Page, path: str):
    response = phone.goto(path)
    assert response is not None and response.status in (200, 404)
    _check_phone_page(phone)


def test_phone__outreach_stop_page(phone: Page, site: str):
    stop = make_outreach_stop(code="arjeplog-torget", name="Mobilt servicekontor Arjeplog")
    make_offering(office=stop, service=Service.objects.exclude(mode="walk_in").order_by("pk")[0])
    for path in (f"/office/{stop.code}/", f"/en/office/{stop.code}/"):
        phone.goto(path)
        _check_phone_page(phone)


def test_phone__booking_steps_manage_move_and_cancel(phone: Page, bookable):
    _office, service = bookable
    for path in (f"/en/book/service/{service.pk}/", f"/en/book/service/{service.pk}/kista/"):
        phone.goto(path)
        _check_phone_page(phone)
    phone.locator("ul.times a").first.click()  # the contact form
    _check_phone_page(phone)
    phone.locator("input[name=name]").fill("Alice Andersson")
    phone.locator("input[name=email]").fill("alice@example.org")
    phone.locator("main form[method=post] button[type=submit]").click()
    phone.wait_for_url(re.compile(r"/book/manage/[^/]+/\?new=1$"))
    _check_phone_page(phone)  # the confirmation with "Move" and "Cancel"
    manage = phone.url.split("?")[0]
    phone.goto(manage + "reschedule/")
    _check_phone_page(phone)
    phone.goto(manage + "cancel/")
    _check_phone_page(phone)
