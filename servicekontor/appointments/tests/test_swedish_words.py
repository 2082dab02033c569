"""Swedish words that depend on where an English word is used."""

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from servicekontor.appointments.tests.conftest import MONDAY_MORNING
from servicekontor.queueing.models import VisitEvent

pytestmark = pytest.mark.django_db


def test_at__earliest_time_names_the_office_with_pa(client, office, service):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        response = client.get(
            reverse("appointments:offices", args=[service.pk]),
            {"q": "Kiruna"},
            HTTP_ACCEPT_LANGUAGE="sv",
        )
    earliest = response.content.decode().split('id="earliest-heading"')[1].split("</section>")[0]
    assert f"</strong> på {office.name}" in earliest


def test_at__visit_event_time_column_is_tidpunkt_not_pa():
    with translation.override("sv"):
        assert str(VisitEvent._meta.get_field("at").verbose_name) == "tidpunkt"
