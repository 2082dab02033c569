"""A count inside a plural sentence ({% blocktranslate count %}) is grouped as every other
figure on the site ("12 345" in Swedish, "12,345" in English; `table_cells.cell`), not shown
bare ("12345"): the counter only chooses the sentence, the number shown is grouped."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

COUNT = re.compile(
    r"\{% blocktrans(?:late)?[^%]*?\scount (\w+)=(\S+)([^%]*)%\}(.*?)\{% endblocktrans", re.S
)


def _templates() -> list[Path]:
    root = Path(settings.BASE_DIR)
    return [*(root / "templates").rglob("*.html"), *(root / "servicekontor").rglob("*.html")]


def test_every_plural_count_is_shown_grouped():
    bare = []
    for path in _templates():
        for m in COUNT.finditer(path.read_text(encoding="utf-8")):
            counter, expr, body = m.group(1), m.group(2), m.group(4)
            shown = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", body))
            # the counter chooses the sentence; the number shown is a `with` value grouped
            mirrored = re.findall(rf"(\w+)={re.escape(expr)}\|(\w+)", m.group(3))
            # a `with` name equal to the counted value's would shadow it (the counter would
            # then read the grouped text, which is not a number)
            shadowed = expr.split("|")[0].split(".")[0] in re.findall(r"(\w+)=", m.group(3))
            if shadowed or counter in shown or any(f != "cell" for v, f in mirrored if v in shown):
                bare.append(f"{path.name}: {m.group(0)[:90]}")
    assert bare == []


def test_a_large_count_in_a_plural_sentence_is_grouped():
    site = {"code": "1", "name": "Å", "county": "", "latitude": 60.0, "longitude": 15.0}
    summary = {"opened": [site] * 1234, "request": {"radius_km": 25}}
    with translation.override("sv"):
        html = render_to_string("planning/_sites.html", {"summary": summary})
    assert "1\xa0234 föreslagna nya kontor" in html
    with translation.override("en"):
        html = render_to_string("planning/_sites.html", {"summary": summary})
    assert "1,234 proposed new offices" in html
