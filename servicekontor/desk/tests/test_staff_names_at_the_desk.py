"""Walk finding (2026-12-01): the desk chooser said "desk 2 — taken by bob" (the user name)
where the person's name belongs; the live view already showed names."""

from django.urls import reverse

from tests.factories import make_user


def _named(user, first: str, last: str) -> None:
    user.first_name, user.last_name = first, last
    user.save()


def test_desk_chooser__taken_by_the_officers_name(client, world):
    _named(world.bob, "Bo", "Ek")
    client.force_login(world.charlie)
    world.charlie.assignments.create(office=world.office)
    html = client.get(reverse("desk:choose")).content.decode()
    assert "upptagen av Bo Ek" in html  # "taken by", the page in Swedish (the default)
    assert "upptagen av bob" not in html
    assert "upptagen av alice" in html  # no name set: the user name


def test_live_view__the_officers_name(client, world):
    _named(world.bob, "Bo", "Ek")
    manager = make_user(role="office_manager", offices=[world.office])
    client.force_login(manager)
    html = client.get(reverse("desk:live", args=[world.office.code])).content.decode()
    assert "Bo Ek" in html and ">bob<" not in html
