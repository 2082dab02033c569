"""Walk F11: a plan's changes are numbered by their effective date, then kind, not by the
order they were entered; the page, the files and the API show the same numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from servicekontor.changeplans import services
from servicekontor.changeplans.models import ChangeKind
from servicekontor.network.models import Milestone


def _numbers_on_page(html: str) -> list[tuple[str, str]]:
    table = html.split('id="changes"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td>(\d{4}-\d\d-\d\d)</td>", table)


def test_changes_numbered_by_date_then_kind_everywhere(world, client):
    plan = services.create_plan(user=world.nadia, name="Ordning")
    late = services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2028, 5, 1), office_codes=["o01"]
    )
    same_day_close = services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 9, 1), office_codes=["o02"]
    )
    same_day_add = services.add_change(
        plan=plan,
        kind=ChangeKind.ADD_SERVICES,
        on_date=dt.date(2027, 9, 1),
        office_codes=["o04"],
        agency=world.af,
    )
    follower = services.add_change(
        plan=plan,
        kind=ChangeKind.REMOVE_SERVICES,
        after_change=same_day_add,
        offset_days=-30,
        office_codes=["o05"],
        agency=world.fk,
    )
    for c in (late, same_day_close, same_day_add, follower):
        c.refresh_from_db()
    # 2027-08-02 remove, 2027-09-01 add (before the closing of that day), 2028-05-01 close
    assert [follower.position, same_day_add.position, same_day_close.position, late.position] == [
        1,
        2,
        3,
        4,
    ]
    client.force_login(world.nadia)
    html = client.get(f"/en/change-plans/{plan.pk}/").content.decode()
    assert _numbers_on_page(html) == [
        ("1", "2027-08-02"),
        ("2", "2027-09-01"),
        ("3", "2027-09-01"),
        ("4", "2028-05-01"),
    ]
    assert "−30 days after change 2" in html or "-30 days after change 2" in html
    body = client.get(f"/en/change-plans/{plan.pk}/export/?format=csv&table=changes").content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]
    assert [(r[0], r[1]) for r in rows] == _numbers_on_page(html)
    api = client.get(f"/api/change-plans/{plan.pk}/").json()
    assert [(str(c["position"]), c["date"]) for c in api] == _numbers_on_page(html)
    assert api[0]["follows_change"] == 2

    # re-dated: the numbers follow the new order
    services.set_change_date(change=late, on_date=dt.date(2027, 1, 4))
    late.refresh_from_db()
    assert late.position == 1
    # removed: the rest close up
    services.remove_change(change=late)
    assert list(plan.changes.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_a_moved_milestone_renumbers_the_drafts_that_follow_it(world):
    plan = services.create_plan(user=world.nadia, name="Milstolpe")
    milestone = Milestone.objects.create(code="m", name_sv="M", date=dt.date(2027, 3, 1))
    first = services.add_change(
        plan=plan, kind=ChangeKind.CLOSE_OFFICE, on_date=dt.date(2027, 6, 1), office_codes=["o01"]
    )
    second = services.add_change(
        plan=plan,
        kind=ChangeKind.CLOSE_OFFICE,
        after_milestone=milestone,
        offset_days=0,
        office_codes=["o02"],
    )
    second.refresh_from_db()
    assert second.position == 1
    milestone.date = dt.date(2027, 12, 1)
    milestone.save()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (1, 2)
