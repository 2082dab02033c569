"""The two lanes (decision 0031): the screens' paths are exactly the four fragment views,
and the proxy example routes by the same pattern."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from config.lanes import SCREEN_PATH, is_screen_request

NGINX = Path(__file__).resolve().parent.parent / "deploy" / "nginx-lanes.conf"
SCREENS = {"desk:panel", "desk:current", "desk:live_panel", "lobby:board"}


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_lanes__each_screen_fragment_is_in_the_screens_lane(name: str) -> None:
    path = reverse(name, kwargs={"office_code": "kista-1"})
    assert is_screen_request("GET", path)
    assert is_screen_request("HEAD", path)
    assert not is_screen_request("POST", path), "a POST is an action, whatever its path"


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            names += _routes(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_lanes__no_other_view_is_in_the_screens_lane() -> None:
    """Every named route with an office-code argument, reversed, is an action unless it is
    one of the four fragments (the desk page, its actions, the display page, the live page)."""
    checked = 0
    for name in _routes(get_resolver()):
        try:
            path = reverse(name, kwargs={"office_code": "kista-1"})
        except Exception:  # routes with other arguments cannot match the pattern
            continue
        checked += 1
        assert is_screen_request("GET", path) == (name in SCREENS), (name, path)
    assert checked > len(SCREENS)
    assert resolve("/desk/kista-1/act/").url_name == "act"
    assert not is_screen_request("POST", "/desk/kista-1/act/")


def test_lanes__the_proxy_example_routes_by_the_same_pattern() -> None:
    found = re.search(r'"~\^\(GET\|HEAD\) (\S+)" servicekontor_screens;', NGINX.read_text())
    assert found, "deploy/nginx-lanes.conf has no screens rule"
    assert "^" + found.group(1) == SCREEN_PATH
