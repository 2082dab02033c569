"""The agency's service level target in the admin is entered in percent, as every page shows
service levels (walk finding, 2026-11-30: 0.80 in the admin, "80 %" on the pages)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory

from servicekontor.catalog.models import Agency
from tests.factories import make_agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def AgencyForm(admin_user):  # the admin's form class
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return admin.site._registry[Agency].get_form(request)


def _data(AgencyForm, agency, level: str) -> dict[str, object]:
    form = AgencyForm(instance=agency)
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()} | {"service_level_share": level}


def test_shown_and_entered_in_percent(AgencyForm):
    agency = make_agency()
    assert agency.service_level_share == Decimal("0.80")
    assert AgencyForm(instance=agency)["service_level_share"].value() == Decimal(80)
    form = AgencyForm(_data(AgencyForm, agency, "75"), instance=agency)
    assert form.is_valid(), form.errors
    assert form.save().service_level_share == Decimal("0.75")


@pytest.mark.parametrize("level", ["0.8", "0", "100", "abc"])
def test_a_share_or_a_value_outside_1_to_99__the_fields_error(AgencyForm, level):
    agency = make_agency()
    form = AgencyForm(_data(AgencyForm, agency, level), instance=agency)
    assert not form.is_valid()
    assert "service_level_share" in form.errors
