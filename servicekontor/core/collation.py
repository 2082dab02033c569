"""Swedish alphabetical order for lists of names (walk F13).

Python's `sorted` orders by code point: "Ärla" (Ä, U+00C4) before "Åsele" (Å, U+00C5), both
after "Z", and every lower-case name after every upper-case one; the databases' default
collations differ again (SQLite: code points; PostgreSQL: the server's locale). Swedish puts
Å, Ä, Ö last, in that order, after Z; other accented letters sort with their base letter
(é with e, ü with y as in Swedish dictionaries), case does not matter.
"""

from __future__ import annotations

import unicodedata

# after "z" (U+007A): "{", "|", "}" — so "Åsele" < "Älvsbyn" < "Örebro", all after "Zinkgruvan"
_LAST = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y"}


def swedish_key(text: str) -> tuple[str, str]:
    """A sort key putting names in Swedish order; ties broken by the text itself, so the
    order is total and the same on every run."""
    out = []
    for ch in unicodedata.normalize("NFC", text.casefold()):
        if ch in _LAST:
            out.append(_LAST[ch])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base)
    return "".join(out), text
