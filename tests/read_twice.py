"""Names a screen reader reads twice in a row: a table whose caption or region label repeats
the heading just above it (walk finding F2: "Opening hours this week" as the H2 and again as
the table's caption).
"""

from __future__ import annotations

from html.parser import HTMLParser

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.last_heading = ""
        self.text_since_heading = ""
        self.capture: str | None = None  # "heading" or "caption" while inside one
        self.buffer = ""
        self.region_label = ""
        self.repeated: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag in HEADINGS:
            self.capture, self.buffer = "heading", ""
        elif tag == "caption":
            self.capture, self.buffer = "caption", ""
        elif named.get("role") == "region":
            self.region_label = named.get("aria-label") or ""
        elif tag == "table":
            self._check(self.region_label)
            self.region_label = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS and self.capture == "heading":
            self.last_heading, self.text_since_heading = _words(self.buffer), ""
            self.capture = None
        elif tag == "caption" and self.capture == "caption":
            self._check(self.buffer)
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.capture:
            self.buffer += data
        else:
            self.text_since_heading += data

    def _check(self, name: str) -> None:
        # Only a name read right after the heading, with no text between, is read twice.
        if name and not self.text_since_heading.strip() and _words(name) == self.last_heading:
            self.repeated.append(_words(name))


def names_read_twice(html: str) -> list[str]:
    """The table names (caption or region label) that repeat the heading right above them."""
    reader = _Reader()
    reader.feed(html)
    return reader.repeated
