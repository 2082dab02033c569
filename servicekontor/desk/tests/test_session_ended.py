"""Walk finding (2026-12-01): signed out in another tab, "Call next" in the first went to the
sign-in page with next=/desk/kista/act/ (a POST-only URL); after signing in the officer landed
on the desk chooser, the action lost, nothing said. Now every signed-out POST (and htmx
request) is sent to sign in with `next` the page the form is on, and the sign-in page says the
session ended and that the action was not carried out (accounts.middleware)."""

import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

pytestmark = pytest.mark.django_db


def _login_query(response) -> dict[str, str]:
    location = response["Location"] if response.has_header("Location") else response["HX-Redirect"]
    parts = urlsplit(location)
    assert parts.path == reverse("accounts:login"), location
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_signed_out_action__sign_in_says_so_and_leads_back_to_the_desk(client, world):
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    client.force_login(world.alice)
    client.post(reverse("accounts:logout"))  # "another tab"

    response = client.post(act, {"action": "call_next"})

    assert response.status_code == 302
    query = _login_query(response)
    assert query == {"next": desk, "ended": "action"}
    page = client.get(response["Location"]).content.decode()
    assert "Din session har tagit slut" in page  # the sign-in page in Swedish (the default)
    assert "Det du nyss gjorde blev inte utfört" in page
    assert f'name="next" value="{desk}"' in page
    # Signing in: back to the desk page, which (the desk was left at sign-out) offers this
    # office's desk to sign in at again, saying why.
    world.alice.set_password("pw-for-the-test")
    world.alice.save()
    signed_in = client.post(
        response["Location"], {"username": "alice", "password": "pw-for-the-test", "next": desk}
    )
    assert signed_in["Location"] == desk
    chooser = client.get(desk, follow=True)
    html = chooser.content.decode()
    assert chooser.redirect_chain[-1][0].endswith(f"?office={world.office.code}")
    assert "Du är inte inloggad i någon disk nu" in html
    assert f'<option value="{world.desk1.pk}" selected>' in html


def test_signed_out_desk_fetch__the_same(client, world):
    # desk.js sends actions with fetch (X-Desk-Fragment) and loads the address it ends on.
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    response = client.post(act, {"action": "call_next"}, headers={"X-Desk-Fragment": "1"})
    assert _login_query(response)["next"] == reverse("desk:desk", args=[world.office.code])


def test_signed_out_htmx_check_in__htmx_sent_to_sign_in_back_to_the_page(client, world):
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    url = reverse("appointments:desk_check_in", args=[world.office.code, 1])
    response = client.post(
        url, headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{desk}"}
    )
    # Not a redirect htmx would follow and swap the sign-in page into the list.
    assert response.status_code == 200 and response.content == b""
    assert _login_query(response) == {"next": desk, "ended": "action"}


def test_signed_out_htmx_poll__whole_page_to_sign_in(client, world):
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    response = client.get(
        reverse("appointments:desk_today", args=[world.office.code]),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{desk}"},
    )
    assert response.status_code == 200 and response.content == b""
    assert _login_query(response) == {"next": desk, "ended": "1"}
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "Din session har tagit slut" in page and "inte utfört" not in page


def test_signed_out_form_of_a_get_post_page__back_to_the_page_it_was_sent_from(client, world):
    book = reverse("appointments:desk_book", args=[world.office.code])
    response = client.post(
        book, {"service": "1"}, headers={"Referer": f"http://testserver{book}?service=1"}
    )
    assert _login_query(response) == {"next": f"{book}?service=1", "ended": "action"}
    # another site's Referer is not followed
    response = client.post(book, {"service": "1"}, headers={"Referer": "https://evil.example/x"})
    assert _login_query(response)["next"] == book


def test_signed_out_get__next_unchanged_and_no_message(client, world):
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})
    response = client.get(desk)
    assert _login_query(response) == {"next": desk}


def _post_only_urls() -> list[tuple[str, str]]:
    """Every view made with `post_or_redirect`, its URL filled with sample arguments."""
    samples = {
        "int": "1",
        "id": "1",
        "slug": "x",
        "string": "x",
        "uuid": str(uuid.uuid4()),
        "path": "x",
    }
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                walk(entry.url_patterns, namespace)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "page_for_get"):
                kwargs = {
                    name: samples[type(conv).__name__.replace("Converter", "").lower()]
                    for name, conv in entry.pattern.converters.items()
                }
                found.append(
                    (f"{prefix}{entry.name}", reverse(f"{prefix}{entry.name}", kwargs=kwargs))
                )

    walk(get_resolver().url_patterns, "")
    return found


def test_every_post_only_staff_view__signed_out__next_is_a_page_not_the_action(client, db):
    urls = _post_only_urls()
    names = {name for name, _url in urls}
    assert {"desk:act", "desk:sign_out", "appointments:desk_check_in"} <= names
    assert len(urls) >= 15  # desk, appointments, planning, staffing, costs, change plans
    for name, url in urls:
        response = client.post(url)
        assert response.status_code == 302, name
        query = _login_query(response)
        assert query["next"] != url and query["ended"] == "action", (name, query)
        # a page a GET shows, not another POST-only view
        assert not hasattr(resolve(urlsplit(query["next"]).path).func, "page_for_get"), name


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-Current-URL": "x" * 20_000},
        {"HX-Request": "true", "HX-Current-URL": "https://evil.example/desk/"},
        {"HX-Request": "true", "HX-Current-URL": "javascript:alert(1)"},
        {"HX-Request": "true", "HX-Current-URL": "//evil.example/"},
        {"HX-Request": "true", "HX-Current-URL": "http://[::1"},  # not a URL at all
        {"Referer": "http://[::1"},
        {"Referer": "https://evil.example/desk/"},
        {"Referer": "/" + "x" * 20_000},
        {"HX-Request": "yes", "HX-Current-URL": "/desk/"},
    ],
)
def test_signed_out_action__forged_or_broken_headers__still_leads_to_sign_in(
    client, world, headers
):
    act = reverse("desk:act", kwargs={"office_code": world.office.code})
    desk = reverse("desk:desk", kwargs={"office_code": world.office.code})

    response = client.post(act, {"action": "call_next"}, headers=headers)

    assert response.status_code in (200, 302)
    query = _login_query(response)
    assert query["ended"] == "action"
    assert query["next"] == desk  # the form's page; never another site's
