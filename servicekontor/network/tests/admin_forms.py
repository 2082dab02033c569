"""Read the values of an admin change form from its HTML, so tests post what a browser would."""

from html.parser import HTMLParser
from typing import Any


class _FormScraper(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._first_option: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._select_multiple = "multiple" in a
            self._first_option = None
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
            if "selected" in a:
                self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            # A single select with nothing marked selected submits its first option.
            if not self._select_multiple and not self.data[self._select]:
                self._add(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # Django renders a newline right after <textarea>; browsers drop it.
                self.data[self._textarea][-1] = self.data[self._textarea][-1].removeprefix("\n")
            self._textarea = None


def form_data(html: str) -> dict[str, Any]:
    """The name → value(s) a browser would submit, without the csrf token and templates."""
    scraper = _FormScraper()
    scraper.feed(html)
    data: dict[str, Any] = {}
    for name, values in scraper.data.items():
        if name == "csrfmiddlewaretoken" or "__prefix__" in name:
            continue
        data[name] = values if len(values) != 1 else values[0]
    return data


def log_in_network_admin(client: Any) -> Any:
    """Log the test client in as a network administrator (staff, not superuser)."""
    from servicekontor.accounts.models import Role
    from tests.factories import make_user

    user = make_user(role=Role.NETWORK_ADMIN)
    client.force_login(user)
    return user


def shows(response: Any, message: str) -> bool:
    """Whether the page shows `message` (an English source string) in the page's language.

    The admin is outside the language-prefixed URLs, so it always speaks LANGUAGE_CODE.
    """
    from django.utils import translation
    from django.utils.html import escape

    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        text = translation.gettext(message)
    return escape(text) in response.content.decode()
