"""The lanes (decisions 0031 and 0045): every named route is in the lane it belongs to, and
the proxy example routes by the same patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.utils import translation

from config import lanes
from config.lanes import (
    ACTIONS,
    PUBLIC,
    PUBLIC_PATH,
    SCREEN_PATH,
    SCREENS,
    cpu_weight,
    is_screen_request,
    lane,
)
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


LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_lanes__the_languages_are_the_site_s() -> None:
    """config.lanes reads no Django settings: its language codes are settings.LANGUAGES'."""
    assert list(lanes.LANGUAGE_CODES) == LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(SCREEN_ROUTES))
def test_lanes__each_screen_fragment_is_in_the_screens_lane(name: str, language: str) -> None:
    with translation.override(language):
        path = reverse(name, kwargs={"office_code": "kista-1"})
    assert path.startswith("/en/") == (language == "en"), path
    assert is_screen_request("GET", path)
    assert is_screen_request("HEAD", path)
    assert lane("GET", path) == SCREENS
    assert lane("POST", path) == ACTIONS, "a POST is an action, whatever its path"


@pytest.mark.parametrize("language", LANGUAGES)
def test_lanes__every_named_route_is_in_its_lane(language: str) -> None:
    """Every route the URLconf names, reversed with sample arguments in each of the site's
    languages (/en/…): the four fragments are screens (GET), the citizens' pages public (any
    method), everything else an action — the kiosk, the desk's pages and actions, the desk's
    booking under /book/, staff and admin."""
    with translation.override(language):
        paths = _paths()
    assert any(p.startswith("/en/") for _n, p in paths) == (language == "en")
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


def test_lanes__the_proxy_s_map_routes_each_language_s_routes_as_the_app() -> None:
    """The conf's lane map itself (read as nginx reads it, first matching regex), for every
    named route in every language and method: the lane config.lanes gives."""
    maps = _nginx_maps()
    upstreams = {
        "servicekontor_screens": SCREENS,
        "servicekontor_public": PUBLIC,
        "servicekontor_actions": ACTIONS,
    }
    checked = 0
    for language in LANGUAGES:
        with translation.override(language):
            paths = _paths()
        for _name, path in paths:
            for method in ("GET", "HEAD", "POST"):
                variables = {"request_method": method, "uri": path}
                chosen = _map("servicekontor_lane", variables, maps)
                assert upstreams[chosen] == lane(method, path), (method, path)
                checked += 1
    assert checked > 300


# --- the lanes' CPU priorities (decision 0081) ---------------------------------------------

SYSTEMD = NGINX.parent / "systemd"
UNITS = {  # the lane of each unit, and the port nginx-lanes.conf names for it
    "servicekontor-actions.service": (ACTIONS, "127.0.0.1:8000"),
    "servicekontor-screens.service": (SCREENS, "127.0.0.1:8002"),
    "servicekontor-public.service": (PUBLIC, "127.0.0.1:8003"),
    "servicekontor-push.service": (lanes.PUSH, "127.0.0.1:8001"),
    "servicekontor-tasks.service": (lanes.TASKS, None),
    "servicekontor-planning.service": (lanes.PLANNING, None),
}


def _setting(text: str, key: str) -> list[str]:
    return re.findall(rf"^{key}=(.*)$", text, flags=re.MULTILINE)


@pytest.mark.parametrize("unit", sorted(UNITS))
def test_systemd__each_lane_s_service__its_cpu_weight_and_port(unit: str) -> None:
    """Each lane's priority is its cgroup's CPUWeight= from config.lanes.NICE, never Nice=
    (which orders only the processes inside the service); its port is the proxy's."""
    lane_name, bind = UNITS[unit]
    text = (SYSTEMD / unit).read_text()
    assert _setting(text, "CPUWeight") == [str(cpu_weight(lanes.NICE[lane_name]))]
    assert not _setting(text, "Nice")
    assert _setting(text, "Restart") == ["always"]
    if bind is not None:
        host, port = bind.split(":")
        assert f"GUNICORN_BIND={bind}" in text or f"--host {host} --port {port}" in text
        upstream = {ACTIONS: "actions", SCREENS: "screens", PUBLIC: "public"}.get(
            lane_name, lane_name
        )
        assert f"upstream servicekontor_{upstream} {{ server {bind}; }}" in NGINX.read_text()


def test_systemd__the_database_s_drop_in__its_cpu_weight() -> None:
    text = (SYSTEMD / "postgresql@.service.d" / "servicekontor-cpu.conf").read_text()
    assert _setting(text, "CPUWeight") == [str(cpu_weight(lanes.NICE[lanes.POSTGRES]))]


def test_systemd__every_unit_in_the_directory_is_checked() -> None:
    assert {p.name for p in SYSTEMD.glob("*.service")} == set(UNITS)


def test_systemd__the_push_server_asks_the_screens_lane() -> None:
    text = (SYSTEMD / "servicekontor-push.service").read_text()
    assert "PUSH_APP_URL=http://127.0.0.1:8002" in text
    assert UNITS["servicekontor-screens.service"][1] == "127.0.0.1:8002"


def test_lanes__priorities__actions_first_planning_last() -> None:
    nice = lanes.NICE
    assert nice[ACTIONS] < nice[lanes.PUSH] < nice[PUBLIC] < nice[SCREENS] <= nice[lanes.TASKS]
    assert nice[lanes.TASKS] < nice[lanes.PLANNING]


@pytest.mark.parametrize(
    ("nice", "weight"), [(0, 100), (-10, 932), (5, 33), (10, 11), (-20, 8668), (19, 1)]
)
def test_cpu_weight__the_kernel_s_weights_on_systemd_s_scale(nice: int, weight: int) -> None:
    assert cpu_weight(nice) == weight


@pytest.mark.parametrize("nice", [-21, 20, 100])
def test_cpu_weight__outside_the_nice_range__refused(nice: int) -> None:
    with pytest.raises(ValueError, match="nice level"):
        cpu_weight(nice)


# --- the access log's redaction ------------------------------------------------------------

REDACTED = "[redacted]"
# The routes with a secret in their path; the pairing page takes its token in the query.
SECRET_IN_PATH = {
    "appointments:manage",
    "appointments:cancel",
    "appointments:reschedule",
    "appointments:calendar",
    "queueing:ticket",
}
SECRET_ROUTES = SECRET_IN_PATH | {"queueing:pair"}
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|([{};])|([^\s"{};]+)')


def _nginx_maps() -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    """The conf's maps: variable -> (source, default, [(regex, value)]), regexes in order."""
    text = "\n".join(
        line for line in NGINX.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    # a quoted string as nginx reads it: \" and \\ unescaped, other backslashes kept
    tokens = [
        re.sub(r'\\(["\\])', r"\1", m.group(1)) if m.group(1) is not None else m.group(0)
        for m in _TOKEN.finditer(text)
    ]
    maps: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
    i = 0
    while i < len(tokens):
        if tokens[i] != "map":
            i += 1
            continue
        source, variable = tokens[i + 1], tokens[i + 2]
        assert tokens[i + 3] == "{"
        i += 4
        default, rules = "", []
        while tokens[i] != "}":
            key, value = tokens[i], tokens[i + 1]
            assert tokens[i + 2] == ";", (key, value)
            if key == "default":
                default = value
            elif key.startswith("~*"):  # case-insensitive
                rules.append(("(?i)" + key[2:], value))
            elif key.startswith("~"):
                rules.append((key[1:], value))
            i += 3
        maps[variable.lstrip("$")] = (source, default, rules)
    return maps


def _expand(value: str, variables: dict[str, str], maps: dict) -> str:
    """nginx's complex value: $name and ${name} from ``variables`` or another map."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        if name in variables:
            return variables[name]
        return _map(name, variables, maps)

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", one, value)


def _map(name: str, variables: dict[str, str], maps: dict) -> str:
    source, default, rules = maps[name]
    text = _expand(source, variables, maps)
    for pattern, value in rules:
        # PCRE's named group (?<name>…) is Python's (?P<name>…); the conf has no lookbehind
        m = re.search(pattern.replace("(?<", "(?P<"), text)
        if m:
            return _expand(value, {**variables, **m.groupdict(default="")}, maps)
    return _expand(default, variables, maps)


def _logged(path: str, referer: str = "") -> tuple[str, str]:
    """(the request's URI, the Referer) as the access log writes them for a request of
    ``path`` (nginx's $uri is the decoded path)."""
    from urllib.parse import unquote

    maps = _nginx_maps()
    uri, _, args = path.partition("?")
    variables = {
        "uri": unquote(uri),
        "is_args": "?" if "?" in path else "",
        "args": args,
        "http_referer": referer,
    }
    return _map("servicekontor_log_uri", variables, maps), _map(
        "servicekontor_log_referer", variables, maps
    )


def _secret_urls() -> list[tuple[str, str]]:
    """(URL, its secret) for every kind of secret the app puts in a URL, made as the app
    makes them."""
    from django.core import signing
    from django.test import override_settings

    from servicekontor.appointments.tokens import manage_token, new_link_key
    from servicekontor.core.secret_tokens import new_token
    from servicekontor.queueing import push

    token = manage_token(new_link_key())
    urls = [
        (reverse(name, kwargs={"token": token}), token)
        for name in (
            "appointments:manage",
            "appointments:cancel",
            "appointments:reschedule",
            "appointments:calendar",
        )
    ]
    key = signing.dumps(4711, salt="servicekontor.queueing.ticket")
    urls.append((reverse("queueing:ticket", kwargs={"office_code": "kista", "key": key}), key))
    pairing = new_token()
    pair = reverse("queueing:pair", kwargs={"office_code": "kista"})
    urls.append((f"{pair}?kind=kiosk&token={pairing}", pairing))
    urls.append((f"{pair}?token={pairing}&kind=display", pairing))
    # push on (both settings; no connection is made to build a URL), as in production
    with override_settings(PUSH_URL="/push", PUSH_REDIS_URL="redis://127.0.0.1:6379/0"):
        for url in (
            push.stream_url(7),
            push.board_stream_url(7, "sv", 3),
            push.desk_stream_url(7, 12, "en"),
        ):
            urls.append((url, url.split("?t=", 1)[1]))
    return urls


def test_access_log__the_app_s_secret_urls__logged_without_their_secret() -> None:
    """deploy/nginx-lanes.conf's log format, by its own maps (no nginx needed): no manage
    token, ticket key, pairing token or push stream token survives, in the request line or
    in the Referer; the rest of the URL stays readable. The app's own log filter agrees."""
    from servicekontor.core.log_filters import redact

    text = NGINX.read_text()
    assert re.search(r"^\s*access_log \S+ servicekontor_redacted;", text, re.M)
    fmt = re.search(r"log_format servicekontor_redacted (.*?);\n", text, re.S)
    assert fmt and "$servicekontor_log_uri " in fmt.group(1)
    assert "$servicekontor_log_referer" in fmt.group(1)
    for raw in ("$request ", "$request_uri", "$uri", "$args", "$query_string", "$http_referer"):
        assert raw not in fmt.group(1), raw
    urls = _secret_urls()
    assert len(urls) == 10
    for url, secret in urls:
        assert len(secret) >= 20, url
        uri, referer = _logged(url, referer="https://example.se" + url)
        for logged in (uri, referer):
            assert secret not in logged, (url, logged)
            assert REDACTED in logged, (url, logged)
        assert uri == redact(url), "nginx and the app's log filter redact alike"
        assert referer == "https://example.se" + redact(url)
        # readable: the path up to the secret, and the other parameters
        assert uri.split(REDACTED)[0] == url.split(secret)[0]
        assert "kind=" in uri if "kind=" in url else True


@pytest.mark.parametrize(
    ("url", "in_referer"),
    [
        # encoded, twice, or as another parameter's neighbour: still no secret
        # (an encoded path survives in the Referer, which nginx does not decode; a browser
        # sends the address as the page had it, and the app's links are not encoded)
        ("/book/m%61nage/{s}/", True),
        ("/book/manage/{s}/../manage/{s}/", False),
        ("/book/manage/{s}/cancel/?next=/book/manage/{s}/", False),
        ("/accounts/login/?next=/book/manage/{s}/", False),
        ("/accounts/login/?next=%2Fbook%2Fmanage%2F{s}%2F", False),
        ("/push/office/7/?t={s}&t={s}", False),
        ("/push/office/7/?lang=sv&t={s}", False),
        ("/push/office/7/?%74={s}", False),
        ("/queue/kista/pair/?kind=kiosk&token={s}&token={s}", False),
    ],
)
def test_access_log__a_client_s_variants__no_secret_survives(url: str, in_referer: bool) -> None:
    secret = "S3cr3tT0k3nS3cr3tT0k3n"
    uri, referer = _logged(url.format(s=secret), referer=url.format(s=secret))
    assert secret not in uri
    assert (secret in referer) == in_referer


def test_access_log__ordinary_paths__logged_as_they_are() -> None:
    """Every other route, reversed with sample arguments (the lanes' test's), with and
    without an ordinary query and Referer: unchanged."""
    paths = [(n, p) for n, p in _paths() if n not in SECRET_IN_PATH]
    assert len(paths) > 50
    for name, path in paths:
        for url in (path, f"{path}?lang=sv&format=csv", f"{path}?day=2026-12-02&table=steps"):
            assert _logged(url, referer="https://example.se" + url) == (
                url,
                "https://example.se" + url,
            ), name


def test_proxy_example__body_limit_is_the_apps() -> None:
    """nginx's default (1 MB) refused the planning page's 5 MB files before the app saw them;
    the example lets through exactly what the app reads (UPLOAD_MAX_REQUEST_BYTES), and the
    app answers a larger body 413 with the limit (core.middleware.RequestBodyLimitMiddleware)."""

    sizes = re.findall(r"^\s*client_max_body_size\s+(\d+);", NGINX.read_text(), re.MULTILINE)
    assert sizes == [str(settings.UPLOAD_MAX_REQUEST_BYTES)]


# --- the error log: no secret-bearing location writes its upstream failures ----------------


@dataclass
class Block:
    """A directive of the conf: its name, arguments and, for a block, what it holds."""

    name: str
    args: list[str]
    children: list[Block] = field(default_factory=list)

    def first(self, name: str) -> Block | None:
        return next((c for c in self.children if c.name == name), None)

    def all(self, name: str) -> list[Block]:
        return [c for c in self.children if c.name == name]


def _nginx_tree() -> Block:
    text = "\n".join(
        line.split(" #")[0] if not line.lstrip().startswith("#") else ""
        for line in NGINX.read_text().splitlines()
    )
    root = Block("", [])
    stack: list[Block] = [root]
    words: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group(2) == ";":
            stack[-1].children.append(Block(words[0], words[1:]))
            words = []
        elif m.group(2) == "{":
            block = Block(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif m.group(2) == "}":
            assert not words, words
            stack.pop()
        else:
            words.append(m.group(1) if m.group(1) is not None else m.group(0))
    assert stack == [root] and not words
    return root


def _location(server: Block, uri: str) -> list[Block]:
    """The blocks nginx uses for `uri` (the decoded path), outermost first: the longest
    matching prefix location, then the first matching regex location nested in it, else the
    first matching regex location of the server (the conf has no "=", "^~" or "~*")."""
    prefixes = [b for b in server.all("location") if len(b.args) == 1]
    regexes = [b for b in server.all("location") if b.args[0] == "~"]
    assert len(prefixes) + len(regexes) == len(server.all("location"))
    best = max((b for b in prefixes if uri.startswith(b.args[0])), key=lambda b: len(b.args[0]))
    nested = [b for b in best.all("location") if b.args[0] == "~"]
    assert len(nested) == len(best.all("location")), "only regex locations are nested"
    for regex in nested:
        if re.search(regex.args[1], uri):
            return [server, best, regex]
    for regex in regexes:
        if re.search(regex.args[1], uri):
            return [server, regex]
    return [server, best]


def _error_log_level(blocks: list[Block]) -> str:
    """The level of the innermost error_log among `blocks` (nginx inherits it inwards)."""
    for block in reversed(blocks):
        if (directive := block.first("error_log")) is not None:
            return directive.args[1] if len(directive.args) > 1 else "error"
    raise AssertionError("no error_log in the server block")


def _decoded(url: str) -> str:
    """nginx's $uri of `url`: the path, percent-decoded, dot segments resolved."""
    import posixpath
    from urllib.parse import unquote

    path = unquote(url.partition("?")[0])
    normal = posixpath.normpath(path)
    return normal + "/" if path.endswith("/") and normal != "/" else normal


def test_error_log__secret_bearing_paths_log_at_crit_the_others_at_error() -> None:
    """nginx's error log has no format: an upstream failure ("error") writes the request line.
    Every URL the app puts a secret in — in each of the site's languages (/en/…) and encoded —
    is served by a location whose error log is at "crit"; every other route's at "error" (an
    upstream failure there is still written). Each location proxies (a nested location
    without proxy_pass would serve files)."""

    (server,) = _nginx_tree().all("server")
    files = {d.args[0] for d in _walk(server) if d.name == "error_log"}
    assert len(files) == 1, files
    secret = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            secret += [url for url, _s in _secret_urls()]
    assert any(url.startswith("/en/") for url in secret)
    secret += ["/book/m%61nage/t0k3n/", "/book/service/../manage/t0k3n/", "/queue/kista/pair/"]
    for url in secret:
        blocks = _location(server, _decoded(url))
        assert _error_log_level(blocks) == "crit", url
        assert blocks[-1].first("proxy_pass") is not None, url
    ordinary = [p for n, p in _paths() if n not in SECRET_ROUTES and not p.startswith("/push")]
    with translation.override("en"):
        ordinary += [p for n, p in _paths() if n not in SECRET_ROUTES]
    assert len(ordinary) > 100
    for url in ordinary:
        blocks = _location(server, _decoded(url))
        assert _error_log_level(blocks) == "error", url
        assert blocks[-1].first("proxy_pass") or blocks[-1].first("return"), url


def _walk(block: Block) -> list[Block]:
    return [block] + [d for child in block.children for d in _walk(child)]
