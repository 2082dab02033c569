"""Every free-text field the admin edits has a length cap: a TextField (no max_length in the
model) took 10 MB of pasted text (walk finding, 2026-11-30)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

from servicekontor.core.admin_access import ADMIN_TEXT_MAX


def _admins():
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("servicekontor."):
            continue  # vendor apps' admins (task results, axes) are read-only here
        yield model, model_admin
        for inline in model_admin.inlines:
            yield inline.model, inline(model, admin.site)


@pytest.mark.django_db
def test_every_admin_text_field_is_capped(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    uncapped = []
    for model, model_admin in _admins():
        for field in model._meta.get_fields():
            if not isinstance(field, models.TextField) or field.max_length:
                continue
            form_field = model_admin.formfield_for_dbfield(field, request)
            if form_field is not None and getattr(form_field, "max_length", None) is None:
                uncapped.append(f"{type(model_admin).__name__}.{field.name}")
    assert uncapped == [], uncapped


@pytest.mark.django_db
def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_a_longer_text_is_refused_with_the_fields_error(admin_user, client):
    client.force_login(admin_user)
    from tests.factories import make_office

    office = make_office()
    page = client.get(f"/admin/network/office/{office.pk}/change/").content.decode()
    assert f'maxlength="{ADMIN_TEXT_MAX}"' in page  # the notes field
    data = {"notes": "x" * (ADMIN_TEXT_MAX + 1)}
    form_class = admin.site._registry[type(office)].get_form(_request(admin_user), office)
    form = form_class(data=data, instance=office)
    assert not form.is_valid()
    assert str(ADMIN_TEXT_MAX) in " ".join(str(e) for e in form.errors["notes"])
