"""CSV and Excel files of a report table.

CSV: UTF-8 with a byte-order mark (so Excel opens å, ä, ö correctly), and every text cell
that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return; OWASP "CSV injection") is prefixed with an apostrophe. Numbers are written as
numbers. Excel: XlsxWriter in `constant_memory` mode (rows are flushed as they are written,
so a large sheet does not sit in memory); text is written with `write_string`, never as a
formula.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value safe for a spreadsheet cell: numbers as they are, None as empty, text that
    could start a formula prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """One worksheet per (name, header, rows)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    bold = book.add_format({"bold": True})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        for c, h in enumerate(header):
            sheet.write_string(0, c, str(h), bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, bool):
                    sheet.write_number(r, c, int(value))
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, str(value))  # text stays text, never a formula
    book.close()
    return out.getvalue()
