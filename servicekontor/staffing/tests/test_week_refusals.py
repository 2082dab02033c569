"""Walk findings (session 14): the week a manager asks for. A week too far ahead is the week
field's error on the staffing page (not another screen's period error headed "Statistik"); a
past week says that plans are for the weeks to come, and never that the office has had no
visits "in the last 104 weeks" when it has had them since; every refusal of a staffing page
is headed with the staffing screen."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The clock: Wednesday 25 November 2026 (2026-W48); a year ahead is 2027-W47.


def _h1(body: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", body, re.S)
    assert match
    return match[1]


@pytest.mark.parametrize("week", ["2027-W48", "2030-W10", "2099-W01"])
def test_week_beyond_a_year__the_week_fields_error_on_the_staffing_page(
    client, world, people, week
):
    client.force_login(people.manager)
    response = client.get(reverse("staffing:office", args=[world.office.code]), {"week": week})
    body = response.content.decode()

    assert response.status_code == 400
    assert _h1(body).strip() == f"Bemanning: {world.office.name}"
    assert 'id="week-error"' in body
    assert "Välj en vecka högst 52 veckor fram, senast 2027-W47." in body
    assert "period" not in body.lower()
    assert f'value="{week}"' in body  # the form kept, with what was typed


def test_week_beyond_a_year__files_name_the_week_field(client, world, people):
    client.force_login(people.manager)
    for name in ("staffing:office_csv", "staffing:office_xlsx"):
        url = reverse(name, args=[world.office.code])
        response = client.get(url, {"week": "2030-W10"})
        assert response.status_code == 400
        assert "52 veckor fram" in response.content.decode()


def test_last_week_of_the_year_ahead__planned(client, world, people):
    client.force_login(people.manager)
    url = reverse("staffing:office", args=[world.office.code])
    assert client.get(url, {"week": "2027-W47"}).status_code == 200


def test_past_week_without_visits_before_it__says_plans_are_for_weeks_to_come(
    client, world, people
):
    client.force_login(people.manager)
    url = reverse("staffing:office", args=[world.office.code])
    body = client.get(url, {"week": "2020-W01"}).content.decode()

    assert "de 104 veckorna före vecka 2020-W01" in body
    assert "senaste" not in body
    assert "Veckoplaner görs för kommande veckor" in body
    assert reverse("reports:office", args=[world.office.code]) in body


def test_coming_week_without_visits__the_last_weeks(client, world, people):
    client.force_login(people.manager)
    url = reverse("staffing:office", args=[world.office.code])
    body = client.get(url, {"week": "2026-W49"}).content.decode()
    assert "de senaste 104 veckorna" in body and "Veckoplaner görs" not in body


def test_past_week_with_history__the_plan_says_it_is_not_what_happened(
    client,
    history,
    people,
):
    client.force_login(people.manager)
    url = reverse("staffing:office", args=[history.office.code])
    past = client.get(url, {"week": "2026-W47"}).content.decode()
    coming = client.get(url, {"week": "2026-W49"}).content.decode()

    assert "Vecka 2026-W47 har redan varit" in past
    assert "har redan varit" not in coming


def test_a_staffing_refusal_is_headed_staffing_not_statistics(client, world, people):
    client.force_login(people.manager)
    url = reverse("staffing:office_roster", args=[world.office.code])
    response = client.post(url)  # no file
    assert response.status_code == 400
    assert _h1(response.content.decode()).strip() == "Bemanning"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_need_and_roster_columns__two_measures_two_names(language):
    """Walk finding: "Schemalagda handläggare 16" beside "På schemat 0" read as the same
    thing; the plan's need (with breaks) and the real roster are named apart."""
    from django.utils import translation

    from servicekontor.staffing import exports

    with translation.override(language):
        header = [str(h) for h in exports.week_header()]
    need, roster = header[4], header[5]
    assert need != roster
    assert ("behövs" if language == "sv" else "needed") in need
    assert ("schemat" if language == "sv" else "roster") in roster
    assert ("schemat" if language == "sv" else "roster") not in need
