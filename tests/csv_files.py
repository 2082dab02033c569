"""Reading the product's CSV files as a spreadsheet would, asserting the file's form."""

from __future__ import annotations

import csv
import io
import re


def read_csv(content: bytes, *, language: str = "sv") -> list[list[str]]:
    """The rows of a CSV export; asserts the UTF-8 BOM, CRLF line ends and the separator of
    `language` (Swedish `;`, English `,`)."""
    assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    text = content.decode("utf-8-sig")
    outside_quotes = re.sub(r'"(?:[^"]|"")*"', "", text)
    assert "\n" not in outside_quotes.replace("\r\n", ""), "a line end that is not CRLF"
    delimiter = ";" if language == "sv" else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert (rows and len(rows[0]) > 1) or text.count(delimiter) == 0
    return rows
