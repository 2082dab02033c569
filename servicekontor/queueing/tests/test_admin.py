from django.urls import reverse

from servicekontor.queueing import services
from tests.factories import make_user


def test_admin__visit_list__read_only_without_contact(client, world):
    visit = services.issue_ticket(
        office=world.office, service=world.tax, notify_contact="anna@example.org"
    )
    client.force_login(make_user(role="network_admin", is_superuser=True))

    listing = client.get(reverse("admin:queueing_visit_changelist"))
    detail = client.get(reverse("admin:queueing_visit_change", args=[visit.pk]))

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert b"anna@example.org" not in detail.content
    assert client.get(reverse("admin:queueing_visit_add")).status_code == 403
