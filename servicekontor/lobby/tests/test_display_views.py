from django.urls import reverse

from servicekontor.queueing import services
from servicekontor.queueing.models import QueueSettings


def test_display__page__no_login_and_no_personal_data(client, world):
    services.issue_ticket(office=world.office, service=world.tax, notify_contact="anna@example.org")
    services.call_next(officer=world.alice)

    response = client.get(reverse("lobby:display", kwargs={"office_code": world.office.code}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "S-001" in html
    assert "anna@" not in html
    assert world.tax.name not in html  # not even the service: ticket and desk only


def test_display__board__304_until_something_changes(client, world):
    url = reverse("lobby:board", kwargs={"office_code": world.office.code})
    first = client.get(url)
    etag = first["ETag"]

    assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    services.issue_ticket(office=world.office, service=world.tax)
    services.call_next(officer=world.alice)
    changed = client.get(url, headers={"if-none-match": etag})

    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "S-001" in changed.content.decode()


def test_display__board__locked_office_refuses_unpaired(client, world):
    QueueSettings.objects.create(office=world.office, require_device_token=True)

    url = reverse("lobby:board", kwargs={"office_code": world.office.code})
    assert client.get(url).status_code == 403
