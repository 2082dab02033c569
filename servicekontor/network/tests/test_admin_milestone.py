import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from servicekontor.network.models import Milestone, Offering, Office
from servicekontor.network.tests.admin_forms import form_data, log_in_network_admin
from tests.factories import make_offering, make_office, make_service

pytestmark = pytest.mark.django_db


def _translated(response, message: str) -> str:
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return translation.gettext(message)


@pytest.fixture
def takeover() -> Milestone:
    return Milestone.objects.create(
        code="takeover", name_sv="Takeover of the offices", date=dt.date(2019, 1, 1)
    )


def _post_date(client: Client, milestone: Milestone, new_date: str):
    url = reverse("admin:network_milestone_change", args=[milestone.pk])
    data = form_data(client.get(url).content.decode())
    data["date"] = new_date
    return client.post(url, data, follow=True)


def test_milestone_admin__change_date__moves_offices_and_offerings(
    client: Client, takeover: Milestone
) -> None:
    log_in_network_admin(client)
    office = make_office(opened_on=takeover.date)
    Office.objects.filter(pk=office.pk).update(opened_with=takeover)
    service = make_service()
    offering = make_offering(office=office, service=service, valid_from=takeover.date)
    Offering.objects.filter(pk=offering.pk).update(starts_with=takeover)

    response = _post_date(client, takeover, "2019-06-01")

    assert response.status_code == 200
    moved = _translated(
        response, "Moved the milestone to %(date)s and %(count)d dated rows with it."
    ) % {"date": "2019-06-01", "count": 2}
    assert moved in [str(m) for m in response.context["messages"]]
    takeover.refresh_from_db()
    office.refresh_from_db()
    offering.refresh_from_db()
    assert takeover.date == office.opened_on == offering.valid_from == dt.date(2019, 6, 1)


def test_milestone_admin__change_date_breaking_a_rule__form_error_and_nothing_moved(
    client: Client, takeover: Milestone
) -> None:
    log_in_network_admin(client)
    # The office closes with the milestone; moving it before the opening day would close the
    # office before it opened (a database check constraint).
    office = make_office(opened_on=dt.date(2018, 6, 1), closed_on=takeover.date)
    Office.objects.filter(pk=office.pk).update(closed_with=takeover)

    response = _post_date(client, takeover, "2018-01-01")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"]
    takeover.refresh_from_db()
    office.refresh_from_db()
    assert takeover.date == office.closed_on == dt.date(2019, 1, 1)


def test_milestone_admin__change_name_only__date_untouched(
    client: Client, takeover: Milestone
) -> None:
    log_in_network_admin(client)
    url = reverse("admin:network_milestone_change", args=[takeover.pk])
    data = form_data(client.get(url).content.decode())
    data["name_sv"] = "Övertagandet"
    assert client.post(url, data).status_code == 302
    takeover.refresh_from_db()
    assert (takeover.name_sv, takeover.date) == ("Övertagandet", dt.date(2019, 1, 1))


def test_milestone_admin__changelist__counts_followers(client: Client, takeover: Milestone) -> None:
    log_in_network_admin(client)
    office = make_office(opened_on=takeover.date)
    Office.objects.filter(pk=office.pk).update(opened_with=takeover)
    response = client.get(reverse("admin:network_milestone_changelist"))
    assert response.status_code == 200
    assert [row.followers for row in response.context["cl"].result_list] == [1]
