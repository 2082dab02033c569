"""Walk F13: the plan's "Visits and staff per office" listed offices by code ("Ånge (ange),
Åsele (asele), Askersund, …"); they are by name in Swedish order, Å Ä Ö last."""

import datetime as dt
from types import SimpleNamespace
from typing import Any, cast

from servicekontor.changeplans.exports import offices_table

NAMES = {
    "ange": "Ånge",
    "asele": "Åsele",
    "askersund": "Askersund",
    "orebro": "Örebro",
    "alvsbyn": "Älvsbyn",
    "boden": "Boden",
    "demo-mobilt": "Mobilt servicekontor Arjeplog",
}


def test_offices_table__by_name_in_swedish_order():
    effect = SimpleNamespace(offices=tuple(sorted(NAMES)), staff={}, office_visits=lambda code: 0.0)
    step = SimpleNamespace(day=dt.date(2027, 1, 1), effect=effect, bookings={})
    ev = SimpleNamespace(steps=[step], office_names=NAMES, office_counties={})
    _header, rows = offices_table(cast(Any, ev))
    assert [r[1] for r in rows] == [
        "Askersund",
        "Boden",
        "Mobilt servicekontor Arjeplog",
        "Ånge",
        "Åsele",
        "Älvsbyn",
        "Örebro",
    ]
