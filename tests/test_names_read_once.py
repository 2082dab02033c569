"""No page names a table twice in a row (walk finding F2): the heading above a table and its
caption or scroll region's label are not the same words. The unit checks of the reader, then
the pages that had the defect (the office page, the network and agency dashboards) in both
languages."""

import pytest
from django.urls import reverse
from django.utils import translation

from servicekontor.reports.tests.conftest import (  # noqa: F401 (fixtures)
    clock_at,
    fast_passwords,
    people,
    served_world,
    world,
)
from tests.factories import make_offering, make_office, make_service
from tests.read_twice import names_read_twice


@pytest.mark.parametrize(
    ("html", "repeated"),
    [
        ("<h2>Hours</h2><table><caption>Hours</caption></table>", ["hours"]),
        ("<h2>Hours</h2><table><caption class='x'> hours </caption></table>", ["hours"]),
        (
            '<h2>By agency</h2><div role="region" aria-label="By agency"><table></table></div>',
            ["by agency"],
        ),
        ("<h2>Hours</h2><table aria-labelledby='h'></table>", []),
        ("<h2>Hours</h2><p>Text</p><table><caption>Hours</caption></table>", []),
        ("<h2>Week</h2><table><caption>Hours</caption></table>", []),
    ],
)
def test_names_read_twice__finds_a_repeat_only_right_below_the_heading(html, repeated):
    assert names_read_twice(html) == repeated


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_office_page__hours_table_is_named_once(client, language):
    office = make_office(code="rinkeby", name="Rinkeby")
    make_offering(office=office, service=make_service(name_sv="Bostadsbidrag"))
    with translation.override(language):
        url = reverse("public:office", args=[office.code])
    body = client.get(url).content.decode()

    assert names_read_twice(body) == []


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("page", ["network", "agency", "office"])
def test_statistics_pages__tables_are_named_once(client, served_world, people, language, page):  # noqa: F811
    user, args = {
        "network": (people.admin, []),
        "agency": (people.tax_analyst, [served_world.skatteverket.code]),
        "office": (people.manager, [served_world.office.code]),
    }[page]
    client.force_login(user)
    with translation.override(language):
        url = reverse(f"reports:{page}", args=args)
    response = client.get(url)

    assert response.status_code == 200
    assert "<table" in response.content.decode()
    assert names_read_twice(response.content.decode()) == []
