"""The search and contact pages with `{% form_field %}` (decision 0079) are byte for byte
the pages with the old `{% include "appointments/_field.html" %}` of each field
(`core/tests/test_form_fields.py` keeps the old template, `OLD_FIELD`), in Swedish and
English, with and without errors."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from servicekontor.appointments.tests.test_booking_lists import HOSTILE, _root, _same_token
from servicekontor.core.tests.test_form_fields import OLD_FIELD

_ENGINE = engines["django"].engine  # type: ignore[attr-defined]
_OLD = _ENGINE.from_string(OLD_FIELD)
CONTACT_LINK = re.compile(r'href="((?:/en)?/book/service/\d+/[\w-]+/\d+/)"')


def _old_page(name: str, fields: list[str]) -> str:
    """The page's template with `{% form_field x %}` put back as the old include."""
    with open(_ENGINE.find_template(name)[0].origin.name) as file:
        text = file.read()
    for field in fields:
        tag = f"{{% form_field {field} %}}"
        assert tag in text, tag
        text = text.replace(tag, f"{{% include old_field with field={field} %}}")
    return text


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen", "no_rate_limit")
@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    ("page", "fields"),
    [
        ("search", ["form.q", "form.lat", "form.lon"]),
        ("search?lat=91&lon=x&q=", ["form.q", "form.lat", "form.lon"]),
        ("contact", ["form.name", "form.email", "form.phone", "form.personal_identity_number"]),
        ("contact!", ["form.name", "form.email", "form.phone", "form.personal_identity_number"]),
    ],
)
def test_pages__as_with_the_old_includes(client, office, service, language, page, fields):
    root = _root(language)
    if page.startswith("search"):
        url = f"{root}book/service/{service.pk}/" + page.removeprefix("search")
        template = "appointments/choose_office.html"
        response = client.get(url)
    else:
        listed = client.get(f"{root}book/service/{service.pk}/{office.code}/?day=2025-03-11")
        path = CONTACT_LINK.search(listed.content.decode())
        assert path is not None
        url = path.group(1)
        template = "appointments/contact.html"
        if page.endswith("!"):  # posted with errors: the form shown again with them
            response = client.post(url, {"name": HOSTILE, "email": "x", "phone": "1"})
        else:
            response = client.get(url)
    assert response.status_code in (200, 400), response.status_code
    context = response.context[0].flatten() | {"old_field": _OLD}
    request = RequestFactory().get(url)
    with translation.override(language):
        old = engines["django"].from_string(_old_page(template, fields)).render(context, request)
    assert _same_token(response.content.decode()) == _same_token(str(old))
