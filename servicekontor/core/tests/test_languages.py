"""Interpreter languages: names from CLDR (Babel), ISO 639-1 codes behind them."""

from django.template import Context, Template
from django.utils import translation

from servicekontor.core.languages import language_choices


def test_language_choices__iso_639_1_codes_named_in_the_page_language():
    sv = dict(language_choices("sv"))
    en = dict(language_choices("en"))
    assert sv["so"] == "somaliska" and sv["ar"] == "arabiska" and sv["ti"] == "tigrinja"
    assert en["so"] == "Somali" and en["fa"] == "Persian"
    assert all(len(code) == 2 and code.isascii() and code.islower() for code in sv)
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
