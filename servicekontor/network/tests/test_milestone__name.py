"""A milestone's name in the page's language, as an agency's (walk finding 2026-12-01: the
English change-plan page listed "Utbyggnad fas 1")."""

import datetime as dt

import pytest
from django.utils import translation

from servicekontor.network.models import Milestone


@pytest.mark.parametrize(
    ("language", "name_en", "shown"),
    [
        ("sv", "Expansion phase 1", "Utbyggnad fas 1"),
        ("en", "Expansion phase 1", "Expansion phase 1"),
        ("en", "", "Utbyggnad fas 1"),  # no English name: the Swedish one
    ],
)
def test_milestone_name__in_the_active_language(language: str, name_en: str, shown: str) -> None:
    milestone = Milestone(
        code="expansion-2022", name_sv="Utbyggnad fas 1", name_en=name_en, date=dt.date(2022, 1, 1)
    )
    with translation.override(language):
        assert milestone.name == shown
        assert str(milestone) == f"{shown} (2022-01-01)"
