"""Walk F2 (session 18): the costs page's "Avräkna en månad" form showed a raw English
checkbox label, "Accept partial:", made from the field's name. Every visible field of every
form of the project now has a label given through gettext (none made from its name)."""

from django import forms
from django.urls import get_resolver
from django.utils.functional import Promise


def test_settle_form__partial_usage_checkbox_is_labelled_in_swedish(world, client):
    client.force_login(world.admin)
    body = client.get("/costs/").content.decode()
    assert 'name="accept_partial"' in body  # the form is on the page
    assert "Accept partial" not in body
    assert "Godkänn ofullständig användning" in body
    assert "Avräkna även om månadens användning är ofullständig eller pågår" in body


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_visible_form_field_has_a_translated_label():
    assert get_resolver().url_patterns  # every view (and the forms it imports) loaded
    ours = {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith("servicekontor.")}
    assert len(ours) > 10
    raw = [
        f"{c.__module__}.{c.__name__}.{name}"
        for c in ours
        for name, field in c.base_fields.items()
        if not field.widget.is_hidden and not isinstance(field.label, Promise)
    ]
    assert raw == [], "labels made from field names (or not translated)"
