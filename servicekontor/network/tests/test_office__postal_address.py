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
