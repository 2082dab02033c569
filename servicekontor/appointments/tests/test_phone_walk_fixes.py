"""Walk F29 and F17 (citizen on a 390 px phone): booking step 2 offers "Use my position" as the
start page does, its coordinates behind a disclosure that shows its marker; a booking code
stays on one line."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]

CSS = Path(settings.BASE_DIR) / "servicekontor/core/static/core/site.css"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("sv", ("Använd min position", "Sök nära en position")),
        ("en", ("Use my position", "Search near a position")),
    ],
)
def test_step_2__use_my_position_as_on_the_start_page(client, office, service, language, words):
    with translation.override(language):
        url = reverse("appointments:offices", args=[service.pk])
    html = client.get(url).content.decode()
    assert 'id="use-position" hidden' in html and words[0] in html
    assert f"<summary>{words[1]}</summary>" in html
    assert "public/finder.js" in html
    assert "coordinates instead" not in html and "koordinater i stället" not in html


def _phone_rules() -> str:
    css = CSS.read_text()
    return css[css.index("@media (max-width: 40rem)") :]


def test_css__a_summary_keeps_its_marker_on_phones():
    phone = _phone_rules()
    assert re.search(r"\bsummary\s*\{\s*display:\s*list-item;", phone)


def test_css__a_booking_code_never_wraps():
    css = CSS.read_text()
    rules = re.findall(r"^\.ticket-number\s*\{([^}]*)\}", css, flags=re.MULTILINE)
    assert rules and "white-space: nowrap" in rules[0]
