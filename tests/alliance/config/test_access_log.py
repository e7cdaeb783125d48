"""The access log and the service's own log never carry query strings (searched surnames,
filters) or one-time link tokens (issue 12, item 10)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import logging.config
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from alliance.common.logsafe import SafePathsFilter, safe_path, scrub
from alliance.config import gunicorn as served

TOKEN = "cz4kqp-7a1e0c9b3f5d2e8a6b4c0d1e2f3a4b5c"
LINK = f"/workplace/register/password/MTIz/{TOKEN}/"


def _access_line(raw_uri: str, referer: str = "-") -> str:
    """One request through gunicorn's own access logging, configured as `alliance serve` is."""
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", served.access_log_format)
    logger = served.SafeAccessLogger(cfg)
    out = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(out)]
    path, _, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", sent=123, headers=[("Set-Cookie", "sessionid=x")])
    request = SimpleNamespace(headers=[("COOKIE", "sessionid=secret-session")])
    logger.access(response, request, environ, dt.timedelta(milliseconds=12))
    return out.getvalue()


def test_alliance_serve_uses_the_safe_access_logger():
    assert served.logger_class == "alliance.config.gunicorn.SafeAccessLogger"
    assert "%(r)s" in served.access_log_format


def test_searched_surnames_and_filters_are_not_in_the_access_log():
    line = _access_line("/edge-of-care/cases/?q=Smithson&status=open", "https://x/a/?q=Jones")
    assert "GET /edge-of-care/cases/ HTTP/1.1" in line
    assert "Smithson" not in line
    assert "Jones" not in line
    assert "status=open" not in line


def test_one_time_link_tokens_are_masked_in_the_access_log():
    line = _access_line(LINK, referer=f"https://alliance.example{LINK}")
    assert TOKEN not in line
    assert "MTIz" not in line
    assert "/workplace/register/password/[hidden]/[hidden]/" in line


def test_a_custom_format_cannot_reach_headers_or_cookies():
    cfg_format = served.access_log_format
    try:
        served.access_log_format = "%({cookie}i)s %({referer}i)s %({query_string}e)s"
        line = _access_line("/x/?q=Smith", referer="https://x/?q=Smith")
    finally:
        served.access_log_format = cfg_format
    assert "secret-session" not in line
    assert "Smith" not in line


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("/workplace/young-people/?q=Smith&page=2", "/workplace/young-people/"),
        (LINK, "/workplace/register/password/[hidden]/[hidden]/"),
        (
            "/workplace/register/password/MTIz/set/",
            "/workplace/register/password/[hidden]/[hidden]/",
        ),
        ("/returns/uploads/12/rules/103/", "/returns/uploads/12/rules/103/"),
        (
            "/national-picture/councils/north-tyneside/",
            "/national-picture/councils/north-tyneside/",
        ),
        (f"/some/other/{TOKEN}/", "/some/other/[hidden]/"),
        ("-", "-"),
    ],
)
def test_safe_path(raw, safe):
    assert safe_path(raw) == safe


def test_the_service_log_filter_scrubs_djangos_not_found_lines():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "%s: %s", ("Not Found", LINK), None
    )
    assert SafePathsFilter().filter(record)
    assert TOKEN not in record.getMessage()
    assert scrub('"GET /audit/?who=jo.bloggs HTTP/1.1" 200') == '"GET /audit/ HTTP/1.1" 200'


def test_the_service_log_handler_carries_the_filter(settings):
    logging.config.dictConfig(settings.LOGGING)
    filters = [f for h in logging.getLogger().handlers for f in h.filters]
    assert any(isinstance(f, SafePathsFilter) for f in filters)
