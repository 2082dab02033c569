"""Language names for ISO 639-1 codes (an interpreter's language at the desk), from the
Unicode CLDR via Babel: the officer chooses a name, the code is what is stored."""

from __future__ import annotations

import functools

from babel import Locale


@functools.cache
def language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """((code, name), …) for every ISO 639-1 code (two letters) CLDR names in ``locale``
    ("sv", "en"), sorted by the name as that language's readers look for it (case-folded).
    Raises babel.UnknownLocaleError for a locale CLDR does not know."""
    names = Locale.parse(locale).languages
    pairs = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code.islower()
    ]
    return tuple(sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0])))
