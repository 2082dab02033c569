"""One concept, one word (docs/glossary.md): the English texts call where an officer serves a
"desk", never a "counter" (the only counter is the day's ticket-number sequence,
`queueing.TicketCounter`). Checked over every translatable text, as the catalogue holds them."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[3] / "locale" / "sv" / "LC_MESSAGES" / "django.po"
TICKET_NUMBER_SEQUENCE = {
    "ticket counter",
    "ticket counters",
    "This office already has a counter for this day.",
}


def source_texts(po: str) -> list[str]:
    """The msgid of every entry (continued lines joined), header excluded."""
    texts = []
    for block in re.findall(r'^msgid ((?:".*"\n)+)', po, flags=re.MULTILINE):
        text = "".join(re.findall(r'"(.*)"', block))
        if text:
            texts.append(text)
    return texts


def test_source_texts__reads_continued_lines():
    po = 'msgid ""\nmsgstr ""\n\nmsgid ""\n"two "\n"lines"\nmsgstr "x"\n\nmsgid "one"\nmsgstr ""\n'
    assert source_texts(po) == ["two lines", "one"]


def test_no_english_text_calls_a_desk_a_counter():
    texts = source_texts(CATALOGUE.read_text(encoding="utf-8"))
    assert len(texts) > 1000  # the whole catalogue was read
    counters = [
        t
        for t in texts
        if re.search(r"\bcounters?\b", t, flags=re.IGNORECASE) and t not in TICKET_NUMBER_SEQUENCE
    ]
    assert counters == []
