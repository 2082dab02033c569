"""Walk finding: /book/service/<id>/<office>/?day=2026-02-30 showed "Felaktig förfrågan" with
a link to the office finder. A day that is not one now shows the times of that service and
office (from today), the reason above them, status 400; the links do not carry it on."""

import pytest
from django.urls import reverse

from servicekontor.appointments.tests.test_page_says_what_was_sent import _book

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen", "no_rate_limit")]


@pytest.mark.parametrize(
    "params", [{"day": "2026-02-30"}, {"from": "2025-13-01"}, {"day": "x", "from": "2025-03-11"}]
)
def test_choose_time__bad_day_is_the_times_page_with_the_error(client, office, service, params):
    url = reverse("appointments:times", args=[service.pk, office.code])
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert"' in body
    assert response.context["service"] == service and response.context["office"] == office
    assert response.context["days"]  # the times from today
    days = body.split('class="days"', 1)[1].split("</nav>", 1)[0]
    assert "2026-02-30" not in days and "2025-13-01" not in days  # links do not carry it on
    good = client.get(url, {"day": "2025-03-11"})
    assert good.status_code == 200 and good.context["date_error"] is None


def test_reschedule__bad_day_is_the_times_page_with_the_error(
    client, office, service, django_capture_on_commit_callbacks
):
    token = _book(client, office, service, django_capture_on_commit_callbacks, email="a@x.se")
    response = client.get(reverse("appointments:reschedule", args=[token]), {"day": "2026-02-30"})
    assert response.status_code == 400
    assert response.context["date_error"]
    assert response.context["days"]
