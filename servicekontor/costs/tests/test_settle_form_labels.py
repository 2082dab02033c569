"""Walk F2 (session 18): the costs page's "Avräkna en månad" form showed a raw English
checkbox label, "Accept partial:", made from the field's name. Every visible field of every
form of the project now has a label given through gettext (none made from its name)."""

import importlib
import pkgutil

from django import forms
from django.utils.functional import Promise

import servicekontor


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


def _is_test_module(name: str) -> bool:
    parts = name.split(".")
    return "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest"


def _import_project_modules() -> None:
    """Import every module of the project except tests and migrations, so that the check does
    not depend on which modules other tests happened to import first."""
    for info in pkgutil.walk_packages(servicekontor.__path__, "servicekontor."):
        if _is_test_module(info.name) or ".migrations" in info.name:
            continue
        importlib.import_module(info.name)


def test_every_visible_form_field_has_a_translated_label():
    _import_project_modules()
    ours = {
        c
        for c in _subclasses(forms.BaseForm)
        if c.__module__.startswith("servicekontor.") and not _is_test_module(c.__module__)
    }
    assert len(ours) > 10
    raw = [
        f"{c.__module__}.{c.__name__}.{name}"
        for c in ours
        for name, field in c.base_fields.items()
        if not field.widget.is_hidden and not isinstance(field.label, Promise)
    ]
    assert raw == [], "labels made from field names (or not translated)"
