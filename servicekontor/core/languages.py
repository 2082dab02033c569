"""Interpreter languages (an interpreter's language at the desk): names from the Unicode CLDR
via Babel; the officer chooses a name, the code is what is stored.

Codes are ISO 639-1 (two letters) and, for languages often interpreted in Sweden that have
no two-letter code, ISO 639-3 (three letters, `SUPPLEMENTARY`): Dari is not Persian to an
interpreting agency, nor Sorani Kurmanji (docs/decisions/0030, 0057).
"""

from __future__ import annotations

import functools

from babel import Locale

# ISO 639-3 code → the CLDR key that names the language; None: CLDR has no name (then
# `_OWN_NAMES`). Dari is CLDR's "fa_AF" (Persian as written in Afghanistan).
SUPPLEMENTARY: dict[str, str | None] = {
    "prs": "fa_AF",  # Dari
    "ckb": "ckb",  # Central Kurdish (Sorani)
    "kmr": None,  # Northern Kurdish (Kurmanji)
    "sdh": "sdh",  # Southern Kurdish
    "rom": "rom",  # Romani
    "syr": "syr",  # Syriac (Assyrian/Syriac)
}

# Names CLDR does not have, or has only in a dated form, per language of the page.
_OWN_NAMES: dict[str, dict[str, str]] = {
    "sv": {
        "kmr": "nordkurdiska (kurmanji)",
        # CLDR's Swedish name is "afghanska", dated: Afghanistan has two official
        # languages, and interpreting agencies and authorities write "pashto".
        "ps": "pashto",
    },
    "en": {"kmr": "Northern Kurdish (Kurmanji)"},
}


# The languages put first in the desk's list, above the full list (walk finding F6: the
# officer scrolled past Avestan and Volapük to find Arabic). ASSUMPTION, not from recorded
# statistics: the network's figures per language are not yet read for this. The set is the
# languages the walk finding names as those offices need (Arabic, Somali, Tigrinya, Dari,
# Persian, Ukrainian) and those decision 0057 adds as common in Swedish interpreting (Sorani,
# Kurmanji, Pashto). Listed by name, not ranked: no source here gives an order.
COMMON_INTERPRETER_LANGUAGES: tuple[str, ...] = (
    "ar",
    "so",
    "ti",
    "prs",
    "fa",
    "uk",
    "ckb",
    "kmr",
    "ps",
)


def is_language_code(code: str) -> bool:
    """Whether ``code`` may be stored as an interpreter's language: two ASCII letters (ISO
    639-1, as always accepted) or one of the `SUPPLEMENTARY` ISO 639-3 codes."""
    if code in SUPPLEMENTARY:
        return True
    return len(code) == 2 and code.isascii() and code.isalpha() and code.islower()


@functools.cache
def language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """((code, name), …) for every ISO 639-1 code (two letters) CLDR names in ``locale``
    ("sv", "en") and every `SUPPLEMENTARY` code, sorted by the name as that language's
    readers look for it (case-folded). Raises babel.UnknownLocaleError for a locale CLDR
    does not know."""
    names = Locale.parse(locale).languages
    own = _OWN_NAMES.get(locale, {})
    pairs = {
        code: own.get(code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code.islower()
    }
    for code, key in SUPPLEMENTARY.items():
        name = own.get(code) or (names.get(key) if key else None) or _OWN_NAMES["en"].get(code)
        pairs[code] = name or code
    return tuple(sorted(pairs.items(), key=lambda pair: (pair[1].casefold(), pair[0])))


@functools.cache
def _names(locale: str) -> dict[str, str]:
    return dict(language_choices(locale))


def language_name(code: str, locale: str) -> str:
    """The name of ``code`` in ``locale`` as the desk lists it; the code itself when unknown."""
    return _names(locale).get(code, code)


@functools.cache
def common_language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """((code, name), …) of `COMMON_INTERPRETER_LANGUAGES`, named and sorted as
    `language_choices` names and sorts them."""
    return tuple(
        pair for pair in language_choices(locale) if pair[0] in COMMON_INTERPRETER_LANGUAGES
    )


# Not offered in the desk's list (walk F21: nobody books an interpreter for Avestan): ISO
# 639-1 codes of languages with no living speech community — dead, liturgical or constructed
# (ISO 639-3's types "extinct", "ancient", "constructed"). A stored code still has its name
# (`language_name`), and the form still accepts it (`is_language_code`).
NOT_INTERPRETED: frozenset[str] = frozenset(
    {"ae", "cu", "eo", "ia", "ie", "io", "la", "pi", "sa", "vo"}
)


@functools.cache
def other_language_choices(locale: str) -> tuple[tuple[str, str], ...]:
    """The desk list's second group: every language but the common ones (listed in the
    first group, not twice) and those `NOT_INTERPRETED`."""
    leave = set(COMMON_INTERPRETER_LANGUAGES) | NOT_INTERPRETED
    return tuple(pair for pair in language_choices(locale) if pair[0] not in leave)
