"""htmx is loaded only with its error handling (core/htmx_errors.js, decision 0063): a page
that loaded `{% htmx_script %}` alone lost every refusal's reason with JavaScript on (htmx 2
swaps no 4xx/5xx answer)."""

from pathlib import Path

from django.conf import settings

_TEMPLATES = Path(settings.BASE_DIR) / "templates"
_INCLUDE = '{% include "core/_htmx.html" %}'


def _templates() -> dict[str, str]:
    roots = [_TEMPLATES, *(Path(settings.BASE_DIR) / "servicekontor").glob("*/templates")]
    return {
        str(path): path.read_text(encoding="utf-8")
        for root in roots
        for path in root.rglob("*.html")
    }


def test_htmx_script__only_in_the_include_with_the_error_handling():
    found = _templates()
    bare = [p for p, text in found.items() if "htmx_script" in text and "core/_htmx.html" not in p]
    assert bare == []
    include = (_TEMPLATES / "core" / "_htmx.html").read_text(encoding="utf-8")
    assert "core/htmx_errors.js" in include


def test_pages_with_htmx_attributes__load_htmx_through_the_include():
    found = _templates()
    users = [p for p, text in found.items() if _INCLUDE in text]
    assert len(users) >= 3  # the desk, the live view, a planning run
    assert not any("htmx_script" in found[p] for p in users)
