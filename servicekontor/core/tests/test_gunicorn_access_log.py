"""gunicorn's access log (written by gunicorn, not Django's logging) holds no working link."""

from __future__ import annotations

import datetime as dt
import io
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from servicekontor.core.gunicorn_logging import RedactingLogger

SECRETS = {
    "/book/manage/TopSecretToken1/": ("", "TopSecretToken1"),
    "/queue/kiruna/ticket/MTIz:1tX:abc/": ("", "MTIz:1tX:abc"),
    "/queue/kiruna/pair/": ("token=PairS3cret&kind=kiosk", "PairS3cret"),
    "/push/office/12/": ("t=MTI:1tX:streamsig", "MTI:1tX:streamsig"),
}


def _access_line(path: str, query: str, referer: str) -> str:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %(q)s {%({query_string}e)s} {%({referer}i)s}',
    )
    logger = RedactingLogger(cfg)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.access_log.handlers = [handler]
    uri = path + (f"?{query}" if query else "")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
    }
    resp = SimpleNamespace(status="200 OK", sent=10, headers=[("Content-Type", "text/html")])
    req = SimpleNamespace(headers=[("REFERER", referer), ("HOST", "example.org")])
    logger.access(resp, req, environ, dt.timedelta(milliseconds=5))
    return stream.getvalue()


@pytest.mark.parametrize("path", list(SECRETS))
def test_gunicorn_access_log__no_secret_in_any_atom(path: str) -> None:
    query, secret = SECRETS[path]
    # the referer carries a manage link too (the next request from a confirmation page)
    line = _access_line(path, query, referer="https://example.org/book/manage/RefererTok/")
    assert line.strip(), "the access line was written"
    assert secret not in line
    assert "RefererTok" not in line
    assert "[redacted]" in line
    assert "GET" in line and "200" in line  # the rest of the line is kept


def test_gunicorn_conf__uses_the_redacting_logger() -> None:
    from pathlib import Path

    cfg = Config()
    namespace: dict[str, object] = {}
    source = Path(__file__).resolve().parents[3] / "config" / "gunicorn.conf.py"
    exec(compile(source.read_text(), str(source), "exec"), namespace)
    cfg.set("logger_class", namespace["logger_class"])
    assert cfg.logger_class is RedactingLogger


def test_push_server_access_log__stream_token_redacted() -> None:
    import config.push_asgi  # noqa: F401  (attaches the filter to uvicorn's access logger)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    try:
        # uvicorn's own call: '%s - "%s %s HTTP/%s" %d'
        logger.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/push/office/12/?t=MTI:1tX:streamsig",
            "1.1",
            200,
        )
    finally:
        logger.removeHandler(handler)
    assert "streamsig" not in stream.getvalue()
    assert "/push/office/12/" in stream.getvalue()
