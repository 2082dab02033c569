"""The one CSV/Excel helper every export uses, read back as a spreadsheet would."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from openpyxl import load_workbook

from servicekontor.core.spreadsheets import (
    attachment,
    csv_bytes,
    download_name,
    parse_decimal,
    read_csv_rows,
    safe_cell,
    xlsx_bytes,
)
from tests.csv_files import read_csv

HOSTILE = ['=HYPERLINK("http://x")', "+46 70", "-2+3", "@SUM(A1)", "\tx", "\r=1", "Kista"]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_csv__bom_crlf_separator_of_the_language_and_formula_safe(language):
    with translation.override(language):
        content = csv_bytes(["Namn", "Värde"], [[name, 1.5] for name in HOSTILE] + [[-5, 0]])
    rows = read_csv(content, language=language)
    assert rows[0] == ["Namn", "Värde"]
    names = [r[0] for r in rows[1:-1]]
    assert names == ["'" + n for n in HOSTILE[:-1]] + ["Kista"]
    assert rows[1][1] == ("1,5" if language == "sv" else "1.5")
    assert rows[-1] == ["-5", "0"]  # a negative number is a number, not a formula


def test_csv__a_cell_with_the_separator_or_a_line_break_stays_one_cell():
    with translation.override("sv"):
        rows = read_csv(csv_bytes(["a", "b"], [["x;y", "rad 1\nrad 2"]]))
    assert rows[1] == ["x;y", "rad 1\nrad 2"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (True, 1), (3, 3), ("=1", "'=1"), ("å", "å")],
)
def test_csv__safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_xlsx__text_that_looks_like_a_formula_stays_text():
    content = xlsx_bytes([("Blad: 1/2", ["Namn", "Antal"], [["=1+1", 2], ["@x", 2.5]])])
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet.title == "Blad- 1-2"  # characters Excel forbids in sheet names replaced
    assert sheet["A2"].value == "=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B3"].value == 2.5 and sheet["B3"].data_type == "n"


def test_download_name__says_what_is_in_the_file():
    assert download_name("costs", "FK", "2025-03", "", None, ext="csv") == "costs-fk-2025-03.csv"
    assert download_name("scenario-3", "Stäng två", ext="csv") == "scenario-3-stang-tva.csv"
    assert download_name("", ext="xlsx") == "export.xlsx"


def test_attachment__ascii_name_and_utf8_name():
    response = attachment(b"x", filename="plan-å.csv", content_type="text/csv")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"plan-.csv\"; filename*=UTF-8''plan-%C3%A5.csv"
    )


def test_every_csv_export_goes_through_the_helper():
    """No module of the product writes CSV itself (csv.writer) or builds a workbook outside
    core.spreadsheets: a new export must use the shared helper."""
    root = Path(settings.BASE_DIR) / "servicekontor"
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or path.name == "spreadsheets.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"csv\.(writer|DictWriter)\(|xlsxwriter\.Workbook\(", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_read_csv_rows__separator_from_the_header_and_bom_dropped():
    assert read_csv_rows("\ufeffa;b\r\n1,5;x\r\n") == [["a", "b"], ["1,5", "x"]]
    assert read_csv_rows('a,b\n"1;2",x\n') == [["a", "b"], ["1;2", "x"]]
    assert read_csv_rows("") == []


@pytest.mark.parametrize(
    ("text", "value"), [("12,5", 12.5), ("12.5", 12.5), (" -3 ", -3.0), ("59,4028", 59.4028)]
)
def test_parse_decimal__point_or_one_comma(text, value):
    assert parse_decimal(text) == value


@pytest.mark.parametrize("text", ["1,000,5", "nan", "inf", "-Infinity", "", "12 kr", "1.2.3"])
def test_parse_decimal__anything_else__value_error(text):
    with pytest.raises(ValueError):
        parse_decimal(text)
