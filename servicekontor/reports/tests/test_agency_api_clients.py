"""Agency API clients on the statistics API: scoped to their agency, rotated without downtime,
revoked at once, every use logged (accounts.api_clients)."""

import datetime as dt

from django.core.management import call_command
from django.urls import reverse

from servicekontor.accounts import api_clients
from servicekontor.accounts.models import ApiClientUse, ApiCredential

MONTH = "2026-11"


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _report(client, world, agency, token):
    url = reverse("statistics-agency-report", args=[agency.code, MONTH])
    return client.get(url, **_bearer(token))


def test_api_client__reads_its_agencys_report_not_another(client, served_world):
    _c, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    own = _report(client, served_world, served_world.fk, token)
    other = _report(client, served_world, served_world.skatteverket, token)

    assert own.status_code == 200
    assert own.json()["total"]["served_visits"] == 1
    assert other.status_code == 403


def test_api_client__figures_hold_only_its_agency(client, served_world):
    _c, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    response = client.get(
        reverse("statistics-figures"),
        {"from": "2026-11-01", "to": "2026-11-30", "by": "agency"},
        **_bearer(token),
    )

    assert response.status_code == 200
    assert [r["group"]["agency"] for r in response.json()["results"]] == [served_world.fk.code]


def test_api_client__every_use_is_logged_accepted_or_not(client, served_world):
    api_client, token = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    _report(client, served_world, served_world.fk, token)
    bad = _report(client, served_world, served_world.fk, token[:-3] + "xyz")

    assert bad.status_code == 401
    uses = list(ApiClientUse.objects.filter(client=api_client).order_by("at", "pk"))
    assert [u.result for u in uses] == ["accepted", "wrong_secret"]
    assert uses[0].path == reverse("statistics-agency-report", args=[served_world.fk.code, MONTH])
    assert uses[0].method == "GET"
    assert token not in str([u.__dict__ for u in uses])


def test_api_client__rotation_keeps_the_old_token_for_the_overlap(client, served_world, clock_at):
    api_client, old = api_clients.create_api_client(agency=served_world.fk, name="FK BI")

    new = api_clients.rotate_credentials(client=api_client, overlap=dt.timedelta(days=2))

    assert _report(client, served_world, served_world.fk, old).status_code == 200
    assert _report(client, served_world, served_world.fk, new).status_code == 200
    clock_at.shift(dt.timedelta(days=2, seconds=1))
    assert _report(client, served_world, served_world.fk, old).status_code == 401
    assert _report(client, served_world, served_world.fk, new).status_code == 200
    assert ApiClientUse.objects.filter(result="expired").count() == 1


def test_api_client__revoking_stops_every_credential_at_once(client, served_world):
    api_client, old = api_clients.create_api_client(agency=served_world.fk, name="FK BI")
    new = api_clients.rotate_credentials(client=api_client)

    api_clients.revoke_client(client=api_client)

    assert _report(client, served_world, served_world.fk, old).status_code == 401
    assert _report(client, served_world, served_world.fk, new).status_code == 401


def test_api_client__revoking_one_credential_leaves_the_other(client, served_world):
    api_client, old = api_clients.create_api_client(agency=served_world.fk, name="FK BI")
    new = api_clients.rotate_credentials(client=api_client)

    api_clients.revoke_credential(credential=ApiCredential.objects.get(key_id=old[4:16]))

    assert _report(client, served_world, served_world.fk, old).status_code == 401
    assert _report(client, served_world, served_world.fk, new).status_code == 200


def test_api_client__malformed_and_unknown_tokens_are_401(client, served_world):
    for token in ("skc_", "skc_short", "skc_0123456789ab_nope", "skc_0123456789abX"):
        assert _report(client, served_world, served_world.fk, token).status_code == 401, token


def test_api_client__command_creates_rotates_revokes(served_world, capsys):
    call_command("api_client", "create", served_world.fk.code, "FK BI")
    first = capsys.readouterr().out.split("shown once): ")[1].split()[0]
    call_command("api_client", "rotate", served_world.fk.code, "FK BI", "--overlap-days", "0")
    second = capsys.readouterr().out.split("shown once): ")[1].split()[0]
    call_command("api_client", "revoke", served_world.fk.code, "FK BI")

    assert first.startswith("skc_") and second.startswith("skc_") and first != second
    assert not ApiCredential.objects.filter(revoked_at__isnull=True).exists()


def test_api_client__admin_creates_and_shows_the_token_once(client, served_world, people):
    client.force_login(people.admin)
    people.admin.is_staff = True
    people.admin.save()

    response = client.post(
        reverse("admin:accounts_apiclient_add"),
        {
            "agency": served_world.fk.pk,
            "name": "FK BI",
            "credentials-TOTAL_FORMS": "0",
            "credentials-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "skc_" in response.content.decode()
    assert ApiCredential.objects.filter(client__agency=served_world.fk).count() == 1
