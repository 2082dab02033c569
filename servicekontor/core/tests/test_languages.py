"""Interpreter languages: names from CLDR (Babel), ISO 639-1 codes behind them."""

import re

import pytest
from django.template import Context, Template
from django.utils import translation

from servicekontor.core.languages import (
    COMMON_INTERPRETER_LANGUAGES,
    NOT_INTERPRETED,
    SUPPLEMENTARY,
    is_language_code,
    language_choices,
    language_name,
)


def test_language_choices__iso_639_1_codes_named_in_the_page_language():
    sv = dict(language_choices("sv"))
    en = dict(language_choices("en"))
    assert sv["so"] == "somaliska" and sv["ar"] == "arabiska" and sv["ti"] == "tigrinja"
    assert en["so"] == "Somali" and en["fa"] == "Persian"
    assert all(
        len(code) == 2 and code.isascii() and code.islower()
        for code in sv
        if code not in SUPPLEMENTARY
    )
    assert len(sv) >= 180 and set(sv) == set(en)
    names = [name.casefold() for _, name in language_choices("sv")]
    assert names == sorted(names)


def test_desk_interpreter_fields__a_select_of_names_not_a_code_box():
    with translation.override("sv"):
        html = Template(
            '{% include "desk/_interpreter_fields.html" with prefix="finish" %}'
        ).render(Context({}))
    assert '<select name="language" id="finish-language">' in html
    assert '<option value="so">somaliska</option>' in html
    assert 'maxlength="2"' not in html


@pytest.mark.parametrize(
    ("language", "first", "group_labels"),
    [
        (
            "sv",
            ["arabiska", "centralkurdiska", "dari", "nordkurdiska (kurmanji)", "pashto"],
            ("Ofta behövda", "Övriga språk"),
        ),
        (
            "en",
            ["Arabic", "Central Kurdish", "Dari", "Northern Kurdish (Kurmanji)", "Pashto"],
            ("Often needed", "Other languages"),
        ),
    ],
)
def test_desk_interpreter_fields__often_needed_languages_first(language, first, group_labels):
    """Walk finding F6: the languages offices need are above the ~180 of ISO 639-1, in a
    labelled group; the full list follows, every language in it."""
    with translation.override(language):
        html = Template(
            '{% include "desk/_interpreter_fields.html" with prefix="finish" %}'
        ).render(Context({}))
    common, _sep, every = html.partition(f'<optgroup label="{group_labels[1]}">')
    assert f'<optgroup label="{group_labels[0]}">' in common
    names = re.findall(r'<option value="[a-z]+">([^<]+)</option>', common)
    assert len(names) == len(COMMON_INTERPRETER_LANGUAGES)
    assert names[: len(first)] == first
    # walk F21: the other languages follow, each once (none of the first group again) and
    # none that has no living speakers (nobody books an interpreter for Avestan or Volapük)
    codes = re.findall(r'<option value="([a-z]+)">', every)
    assert len(codes) == len(set(codes))
    assert not set(codes) & set(COMMON_INTERPRETER_LANGUAGES)
    assert not set(codes) & NOT_INTERPRETED
    assert len(codes) == len(language_choices(language)) - len(COMMON_INTERPRETER_LANGUAGES) - len(
        NOT_INTERPRETED
    )
    assert "volap" not in html.casefold() and "avest" not in html.casefold()
    assert ("svenska" if language == "sv" else "Swedish") in every


@pytest.mark.parametrize(
    ("code", "sv", "en"),
    [
        # Walk finding (2026-12-01): Pashto was "afghanska", Dari was missing.
        ("ps", "pashto", "Pashto"),
        ("prs", "dari", "Dari"),
        ("fa", "persiska", "Persian"),
        ("ckb", "centralkurdiska", "Central Kurdish"),
        ("kmr", "nordkurdiska (kurmanji)", "Northern Kurdish (Kurmanji)"),
        ("ku", "kurdiska", "Kurdish"),  # stored before the Kurdish varieties: still named
        ("ar", "arabiska", "Arabic"),
        ("so", "somaliska", "Somali"),
        ("ti", "tigrinja", "Tigrinya"),
        ("bs", "bosniska", "Bosnian"),
        ("hr", "kroatiska", "Croatian"),
        ("sr", "serbiska", "Serbian"),
    ],
)
def test_language_choices__languages_interpreted_in_sweden(code, sv, en):
    assert dict(language_choices("sv"))[code] == sv
    assert dict(language_choices("en"))[code] == en
    assert language_name(code, "sv") == sv and is_language_code(code)


def test_language_choices__every_code_listed_may_be_stored():
    for locale in ("sv", "en"):
        codes = [code for code, _ in language_choices(locale)]
        assert len(codes) == len(set(codes))
        assert all(is_language_code(code) for code in codes)
        assert all(name != code for code, name in language_choices(locale))
    assert all(len(code) == 3 for code in SUPPLEMENTARY)


@pytest.mark.parametrize("code", ["", "und", "xyz", "a", "ar1", "fa_AF", "Ar"])
def test_is_language_code__other_codes_refused(code):
    assert not is_language_code(code)


def test_clean_language__three_letter_codes_from_the_list_accepted():
    from servicekontor.queueing.errands import clean_language
    from servicekontor.queueing.errors import NotOffered

    assert clean_language(interpreter_used=True, language=" PRS ") == "prs"
    assert clean_language(interpreter_used=True, language="ar") == "ar"
    with pytest.raises(NotOffered):
        clean_language(interpreter_used=True, language="xyz")


def test_reports_breakdown__language_named_as_at_the_desk():
    from servicekontor.reports.dashboards import labelled
    from servicekontor.reports.queries import Breakdown

    with translation.override("sv"):
        rows = labelled(Breakdown(languages={"prs": 3, "ps": 2, "und": 1}))["languages"]
    assert rows == [("dari (prs)", 3), ("pashto (ps)", 2), ("Inte angivet", 1)]
