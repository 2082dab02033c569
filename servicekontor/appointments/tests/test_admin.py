import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(role="network_admin"))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/appointments/appointmentallocation/",
        "/admin/appointments/appointmentallocation/add/",
        "/admin/appointments/bookingrule/add/",
        "/admin/appointments/booking/",
    ],
)
def test_admin__network_admin__appointment_pages(admin_client: Client, path: str) -> None:
    assert admin_client.get(path).status_code == 200


def test_admin__bookings__cannot_be_added_by_hand(admin_client: Client) -> None:
    assert admin_client.get("/admin/appointments/booking/add/").status_code == 403
