"""The lanes (decisions 0031 and 0045): every named route is in the lane it belongs to, and
the proxy example routes by the same patterns."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter

from config.lanes import ACTIONS, PUBLIC, PUBLIC_PATH, SCREEN_PATH, SCREENS, is_screen_request, lane
from servicekontor.core.url_converters import IdConverter

NGINX = Path(__file__).resolve().parent.parent / "deploy" / "nginx-lanes.conf"
SCREEN_ROUTES = {"desk:panel", "desk:current", "desk:live_panel", "lobby:board"}
# The citizens' own pages, away from any office (decision 0045).
PUBLIC_ROUTES = {
    "public:finder",
    "public:office",
    "public:stop_calendar",
    "appointments:services",
    "appointments:offices",
    "appointments:times",
    "appointments:contact",
    "appointments:manage",
    "appointments:cancel",
    "appointments:reschedule",
    "appointments:calendar",
}
SAMPLE = {
    IdConverter: 7,
    IntConverter: 7,
    SlugConverter: "kista-1",
    StringConverter: "t0k3n",
    PathConverter: "a/b",
}
OTHER = "?"  # a converter of its own (the API's format suffix): the route is left out


def _routes(resolver: URLResolver, namespace: str = "") -> list[tuple[str, dict[str, object]]]:
    """(name, sample kwargs) of every named route, the kwargs from the converters of the whole
    path (an including pattern's converters too)."""
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = _routes(entry, entry.namespace or namespace)
            converters = getattr(entry.pattern, "converters", {})
            outer = {k: SAMPLE.get(type(c), OTHER) for k, c in converters.items()}
            found += [(name, {**outer, **kwargs}) for name, kwargs in inner]
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            kwargs = {k: SAMPLE.get(type(c), OTHER) for k, c in converters.items()}
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, kwargs))
    return found


def _paths() -> list[tuple[str, str]]:
    paths = []
    for name, kwargs in _routes(get_resolver()):
        if OTHER in kwargs.values():
            continue
        try:
            paths.append((name, reverse(name, kwargs=kwargs)))
        except Exception:  # a regex route (admin, i18n) with arguments of its own
            continue
    return paths


@pytest.mark.parametrize("name", sorted(SCREEN_ROUTES))
def test_lanes__each_screen_fragment_is_in_the_screens_lane(name: str) -> None:
    path = reverse(name, kwargs={"office_code": "kista-1"})
    assert is_screen_request("GET", path)
    assert is_screen_request("HEAD", path)
    assert lane("GET", path) == SCREENS
    assert lane("POST", path) == ACTIONS, "a POST is an action, whatever its path"


def test_lanes__every_named_route_is_in_its_lane() -> None:
    """Every route the URLconf names, reversed with sample arguments: the four fragments are
    screens (GET), the citizens' pages public (any method), everything else an action — the
    kiosk, the desk's pages and actions, the desk's booking under /book/, staff and admin."""
    paths = _paths()
    names = {name for name, _ in paths}
    assert names >= SCREEN_ROUTES | PUBLIC_ROUTES, (SCREEN_ROUTES | PUBLIC_ROUTES) - names
    assert {"appointments:kiosk_check_in", "appointments:desk_book", "desk:act"} <= names
    for name, path in paths:
        expected = (
            SCREENS if name in SCREEN_ROUTES else PUBLIC if name in PUBLIC_ROUTES else ACTIONS
        )
        assert lane("GET", path) == expected, (name, path)
        assert lane("POST", path) == (ACTIONS if expected == SCREENS else expected), (name, path)
    assert len(paths) > 50


def test_lanes__the_proxy_example_routes_by_the_same_patterns() -> None:
    text = NGINX.read_text()
    screens = re.search(r'"~\^\(GET\|HEAD\) (\S+)" servicekontor_screens;', text)
    public = re.search(r'"~\^\\S\+ (\S+)" servicekontor_public;', text)
    assert screens, "deploy/nginx-lanes.conf has no screens rule"
    assert public, "deploy/nginx-lanes.conf has no public rule"
    assert "^" + screens.group(1) == SCREEN_PATH
    assert "^" + public.group(1) == PUBLIC_PATH
    # nginx's map takes the first regex that matches, in order: the screens' rule first.
    assert text.index("servicekontor_screens;") < text.index("servicekontor_public;")
