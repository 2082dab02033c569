"""manage.py import_offices: every bad row reported with its line, nothing written on errors."""

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from servicekontor.network.models import CoordinateSource, Offering, Office
from tests.factories import make_agency, make_offering, make_office, make_service

pytestmark = pytest.mark.django_db

CSV = Path(__file__).parent / "csv"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are checked in their source language, whatever LANGUAGE_CODE is.
    with translation.override("en"):
        yield


@pytest.fixture
def registry() -> dict:
    skv = make_agency(code="skatteverket", letter="S")
    mig = make_agency(code="migrationsverket", letter="M")
    personbevis = make_service(agency=skv, code="personbevis")
    make_service(agency=skv, code="id-kort")
    make_service(agency=mig, code="lamna-in-handlingar")
    kiruna = make_office(code="kiruna", name="Kiruna", opened_on=dt.date(2019, 6, 1))
    make_offering(office=kiruna, service=personbevis, valid_from=dt.date(2019, 6, 1))
    return {"kiruna": kiruna}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("import_offices", *args, stdout=out, stderr=out)
    return out.getvalue()


def _fails(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_offices", *args, stdout=out, stderr=err)
    return err.getvalue(), str(failure.value)


def _snapshot() -> tuple[list, list]:
    return (
        list(Office.objects.order_by("code").values()),
        list(Offering.objects.order_by("pk").values()),
    )


def test_import_offices__good_files__upserts_and_counts(registry: dict) -> None:
    # offerings_ok.csv and one for boden, new here (an open office offers something, 0101)
    offerings = str(CSV / "offerings_ok_and_new_office.csv")
    output = _run("--offices", str(CSV / "offices_ok.csv"), "--offerings", offerings)

    assert "Offices: 2 created, 1 updated, 0 unchanged" in output
    assert "Offerings: 4 created, 1 updated, 0 unchanged" in output
    kiruna = Office.objects.get(code="kiruna")
    assert kiruna.street_address == "Lars Janssonsgatan 17"
    assert kiruna.coordinate_source == CoordinateSource.IMPORTED
    boden = Office.objects.get(code="boden")
    assert (boden.opened_on, boden.opened_precision) == (dt.date(2022, 1, 1), "year")
    assert "only the year known" in boden.source
    personbevis = Offering.objects.get(office=kiruna, service__code="personbevis")
    assert personbevis.valid_to == dt.date(2024, 12, 31)

    again = _run("--offices", str(CSV / "offices_ok.csv"), "--offerings", offerings)
    assert "Offices: 0 created, 0 updated, 3 unchanged" in again
    assert "Offerings: 0 created, 0 updated, 5 unchanged" in again


def test_import_offices__end_and_restart__shortens_before_creating(registry: dict) -> None:
    output = _run("--offerings", str(CSV / "offerings_end_and_restart.csv"))
    assert "Offerings: 1 created, 1 updated, 0 unchanged" in output
    periods = list(
        Offering.objects.filter(service__code="personbevis")
        .order_by("valid_from")
        .values_list("valid_from", "valid_to")
    )
    assert periods == [(dt.date(2019, 6, 1), dt.date(2021, 12, 31)), (dt.date(2022, 1, 1), None)]


def test_import_offices__offering_for_office_in_the_same_import(registry: dict) -> None:
    _run(
        "--offices",
        str(CSV / "offices_ok.csv"),
        "--offerings",
        str(CSV / "offerings_for_new_office.csv"),
    )
    assert Offering.objects.filter(office__code="boden").count() == 1


def test_import_offices__offering_for_office_only_in_an_unimported_file__unknown(
    registry: dict,
) -> None:
    errors, _message = _fails("--offerings", str(CSV / "offerings_for_new_office.csv"))
    assert "line 2: unknown office “boden”" in errors


def test_import_offices__dry_run__writes_nothing(registry: dict) -> None:
    before = _snapshot()
    # with offerings for the new offices: an open office offers something (decision 0101)
    output = _run(
        "--dry-run",
        "--offices",
        str(CSV / "offices_ok.csv"),
        "--offerings",
        str(CSV / "offerings_ok_and_new_office.csv"),
    )
    assert "All rows are good: 3 offices" in output
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "offices_missing_column.csv",
            ["offices_missing_column.csv, line 1: missing column(s): longitude"],
        ),
        (
            "offices_bad_date.csv",
            [
                "line 3: opened_on “2022-02-30” is not a date",
                "line 4: opened_on “1 juni 2019” is not a date",
            ],
        ),
        (
            "offices_closed_before_opened.csv",
            [
                "line 2: closed_on 2019-06-01 is not after opened_on 2019-06-01",
                "line 3: closed_on 2018-12-31 is not after opened_on 2019-06-01",
            ],
        ),
        (
            "offices_coordinates_out_of_range.csv",
            [
                "line 2: latitude 97.85572 is out of range (−90 to 90)",
                "line 3: longitude -218.29 is out of range (−180 to 180)",
                "line 4: latitude “north” is not a number",
            ],
        ),
        (
            "offices_duplicate_code.csv",
            ["line 4: duplicate code “lulea” (first on line 2)"],
        ),
        (
            "offices_malformed_rows.csv",
            [
                "line 2: name is empty",
                "line 2: opened_on is empty",
                "line 3: expected 12 fields, found 10",
                "line 4: code “umeå kontor” may only have letters, digits, - and _",
            ],
        ),
    ],
)
def test_import_offices__bad_offices_file__every_bad_row_reported_nothing_written(
    registry: dict, file: str, expected: list[str]
) -> None:
    before = _snapshot()
    errors, message = _fails("--offices", str(CSV / file))
    for line in expected:
        assert line in errors
    assert len(errors.strip().splitlines()) == len(expected), errors
    assert "nothing was written" in message
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            "offerings_unknown_codes.csv",
            [
                "line 2: unknown office “haparanda”",
                "line 3: unknown agency “kronofogden”",
                "line 4: agency “skatteverket” has no service “pass”",
            ],
        ),
        (
            "offerings_overlap_in_file.csv",
            [
                "line 4: overlaps the offering on line 2 (2020-01-01–2021-12-31)",
                "line 5: same office, service and valid_from as line 3",
            ],
        ),
        (
            "offerings_overlap_with_database.csv",
            ["line 2: overlaps an offering in the database (2019-06-01–…)"],
        ),
        (
            "offerings_bad_dates.csv",
            [
                "line 2: valid_to 2019-12-31 is before valid_from 2020-01-01",
                "line 3: valid_from must be an exact day (YYYY-MM-DD)",
                "line 4: office “kiruna” is not operating on valid_from 2019-01-01",
            ],
        ),
    ],
)
def test_import_offices__bad_offerings_file__every_bad_row_reported_nothing_written(
    registry: dict, file: str, expected: list[str]
) -> None:
    before = _snapshot()
    errors, _message = _fails(
        "--offices", str(CSV / "offices_ok.csv"), "--offerings", str(CSV / file)
    )
    for line in expected:
        assert line in errors
    assert len(errors.strip().splitlines()) == len(expected), errors
    assert _snapshot() == before


def test_import_offices__bad_office_row__good_offerings_not_written_nor_blamed(
    registry: dict,
) -> None:
    before = _snapshot()
    errors, _message = _fails(
        "--offices",
        str(CSV / "offices_malformed_rows.csv"),
        "--offerings",
        str(CSV / "offerings_ok.csv"),
    )
    # lulea's row is bad; its offering (offerings_ok.csv line 5) is not reported as unknown.
    assert "offerings_ok.csv" not in errors
    assert _snapshot() == before


def test_import_offices__not_utf8__clear_error(registry: dict, tmp_path: Path) -> None:
    latin1 = tmp_path / "offices.csv"
    latin1.write_bytes((CSV / "offices_ok.csv").read_text().encode("latin-1"))
    _errors, message = _fails("--offices", str(latin1))
    assert "is not UTF-8" in message


def test_import_offices__no_file_given__error(registry: dict) -> None:
    _errors, message = _fails()
    assert "--offices" in message
