"""One name per county per language in the change plans' and the planner's files (walk
finding F24): the offices table and the plan summary name a county as the pages do,
"Norrbotten County" in English, "Norrbottens län" in Swedish."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import translation

from servicekontor.changeplans import exports
from servicekontor.planning import exports as plan_exports

NAMES = {"sv": "Norrbottens län", "en": "Norrbotten County"}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_offices_table__county_in_the_language(language):
    effect = SimpleNamespace(offices={"lulea": 1}, staff={}, office_visits=lambda code: 10)
    step = SimpleNamespace(day=dt.date(2027, 1, 1), effect=effect, bookings={})
    ev = SimpleNamespace(
        steps=[step], office_names={"lulea": "Luleå"}, office_counties={"lulea": NAMES["sv"]}
    )
    with translation.override(language):
        _header, rows = exports.offices_table(ev)  # type: ignore[arg-type]
    assert rows[0][3] == NAMES[language]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_plan_summary_table__county_in_the_language(language):
    site = {
        "code": "1",
        "name": "Luleå",
        "county": NAMES["sv"],
        "latitude": 65.6,
        "longitude": 22.1,
        "served": 5,
    }
    summary = {"sites": [site], "opened": [], "closed": [dict(site, code="2")]}
    with translation.override(language):
        _header, rows = plan_exports.summary_table(summary)
    assert [r[3] for r in rows] == [NAMES[language]] * 2
