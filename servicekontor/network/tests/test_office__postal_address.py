"""An office's address leaves out the parts the registry does not have."""

import pytest

from servicekontor.network.models import Office


def office(street: str = "", code: str = "", town: str = "") -> Office:
    return Office(
        name="Kiruna servicekontor", street_address=street, postal_code=code, postal_town=town
    )


@pytest.mark.parametrize(
    ("street", "code", "town", "expected"),
    [
        ("Storgatan 1", "981 31", "Kiruna", "Storgatan 1, 981 31 Kiruna"),
        ("", "981 31", "Kiruna", "981 31 Kiruna"),
        ("", "", "Kiruna", "Kiruna"),
        ("Storgatan 1", "", "", "Storgatan 1"),
        ("", "", "", ""),
    ],
)
def test_office__postal_address__only_present_parts(street, code, town, expected):
    assert office(street, code, town).postal_address == expected


def test_office__name_and_address__no_dangling_comma_without_address():
    assert office().name_and_address == "Kiruna servicekontor"
    assert office("", "", "Kiruna").name_and_address == "Kiruna servicekontor, Kiruna"


@pytest.mark.parametrize(
    ("name", "town", "expected"),
    [
        # Walk finding (2026-12-01): the booking read "Var: Malmö, Malmö".
        ("Malmö", "Malmö", "Malmö"),
        ("Malmö", "MALMÖ", "Malmö"),
        ("Kiruna servicekontor", "Kiruna", "Kiruna servicekontor, Kiruna"),
        ("Rinkeby", "Spånga", "Rinkeby, Spånga"),
    ],
)
def test_office__name_and_address__town_only_when_it_differs_from_the_name(name, town, expected):
    assert Office(name=name, postal_town=town).name_and_address == expected


def test_office__name_and_address__a_full_address_is_kept_whole():
    malmo = Office(name="Malmö", street_address="Storgatan 1", postal_code="211 20")
    malmo.postal_town = "Malmö"
    assert malmo.name_and_address == "Malmö, Storgatan 1, 211 20 Malmö"
