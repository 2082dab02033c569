"""CSV and Excel files for people who open them in a spreadsheet: the one helper every export
of the product uses (statistics, costs, staffing, planning).

CSV, as Excel and LibreOffice open it by double-click:
- UTF-8 with a byte-order mark (without it Excel reads å, ä, ö as Windows-1252) and CRLF
  line ends (RFC 4180).
- The separator follows the page's language, a stated choice: Swedish (the default) writes
  `;` and a decimal comma ("12,5"), because Excel with Swedish regional settings splits
  columns on its list separator `;` and reads "12.5" as text; English writes `,` and a
  decimal point. Headers are written in the page's language by the callers.
- Text that a spreadsheet would run as a formula — starting with `=`, `+`, `-`, `@`, a tab
  or a carriage return (OWASP "CSV injection") — gets a leading apostrophe. Numbers are
  numbers (a negative number is not text and stays as it is).

Excel (XlsxWriter): text is written with `write_string`, never as a formula, numbers with
`write_number`; `constant_memory` flushes each row, so a large sheet does not sit in memory.

File names say what is in the file (`download_name`), so two different exports never share
one; `attachment` sends a response with an RFC 6266 Content-Disposition.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse

from servicekontor.core.i18n import current_language

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool)


def safe_text(value: Any) -> str:
    """Text that cannot start a formula: an apostrophe before = + - @ tab CR."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_cell(value: Any, *, decimal_comma: bool = False) -> Any:
    """A value for a CSV cell: None empty, booleans 0/1, numbers as numbers (with a decimal
    comma if asked), text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if _is_number(value):
        if isinstance(value, Fraction):
            value = float(value)
        if isinstance(value, int):
            return value
        text = str(value)
        return text.replace(".", ",") if decimal_comma else text
    return safe_text(value)


def csv_dialect(language: str | None = None) -> tuple[str, bool]:
    """(separator, decimal comma) for a language: Swedish `;` and comma, otherwise `,`."""
    return (";", True) if (language or current_language()) == "sv" else (",", False)


def read_csv_rows(text: str) -> list[list[str]]:
    """The rows of an uploaded CSV ``text`` as lists of cells, read the way the product
    writes them: a byte-order mark dropped, the separator `;` when the header line holds
    more `;` than `,` (Swedish Excel's list separator, what our Swedish exports write),
    otherwise `,`. Raises csv.Error (e.g. a NUL byte) for the caller to report."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def parse_decimal(text: str) -> float:
    """A number as people type it in a Swedish or English file: "12.5" or "12,5" (one
    decimal comma, no thousands separator), spaces around ignored. Raises ValueError for
    anything else, including "nan" and infinities."""
    value = float(text.strip().replace(",", ".", 1) if text.count(",") == 1 else text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def csv_bytes(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, language: str | None = None
) -> bytes:
    """A CSV file: BOM, CRLF, the separator of `language` (default: the active one),
    formula-safe text."""
    delimiter, decimal_comma = csv_dialect(language)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v, decimal_comma=decimal_comma) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_sections_bytes(
    sections: Sequence[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
    *,
    language: str | None = None,
) -> bytes:
    """Several tables in one CSV file, as `csv_bytes` writes one: each (title, header, rows)
    under a line with its title, a blank line between; one BOM at the start."""
    parts = []
    for i, (title, header, rows) in enumerate(sections):
        body = csv_bytes(header, rows, language=language).decode("utf-8").removeprefix("\ufeff")
        parts.append(("\r\n" if i else "") + safe_text(title) + "\r\n" + body)
    return ("\ufeff" + "".join(parts)).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> bytes:
    """An .xlsx with one worksheet per (name, header, rows)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "constant_memory": True,
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(_sheet_name(name))
        for c, h in enumerate(header):
            sheet.write_string(0, c, str(h), bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, bool):
                    sheet.write_number(r, c, int(value))
                elif _is_number(value):
                    sheet.write_number(r, c, float(value))
                elif value is not None:
                    sheet.write_string(r, c, str(value))  # text stays text, never a formula
    book.close()
    return out.getvalue()


def _sheet_name(name: str) -> str:
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "-", str(name))[:31] or "Sheet"


def download_name(*parts: Any, ext: str) -> str:
    """A file name made of what the file contains: "plan-cover-k5-50km-2026-03-01.csv".

    Each part is turned into lower-case ASCII words joined by "-" (å → a); empty parts are
    left out.
    """
    words = []
    for part in parts:
        if part is None or part == "":
            continue
        text = unicodedata.normalize("NFKD", str(part)).encode("ascii", "ignore").decode()
        text = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-.").lower()
        if text:
            words.append(text)
    return "-".join(words or ["export"]) + "." + ext


def attachment(body: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A download response; the name also as RFC 5987 `filename*` for non-ASCII names."""
    response = HttpResponse(body, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "") or "export"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def csv_response(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, filename: str
) -> HttpResponse:
    return attachment(csv_bytes(header, rows), filename=filename, content_type=CSV_TYPE)


def xlsx_response(
    sheets: Sequence[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]], *, filename: str
) -> HttpResponse:
    return attachment(xlsx_bytes(sheets), filename=filename, content_type=XLSX_TYPE)
