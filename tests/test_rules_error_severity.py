"""error-severity: HTTP 5xx on log in / payment / checkout is P1; elsewhere P2."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["error-severity"](mail(subject, body, sender), context(**kw))


def test_server_error_on_login_is_p1() -> None:
    hit = run("login", "We get HTTP 500 Internal Server Error on the login page")
    assert hit and hit.effect == "priority=P1" and "HTTP 500" in hit.reason


def test_server_error_elsewhere_is_p2() -> None:
    hit = run("report", "Opening the report gives Error 502 Bad Gateway")
    assert hit and hit.effect == "priority=P2"


def test_server_error_on_login_for_some_users_is_p2() -> None:
    hit = run("login", "Three users get Error 500 at login")
    assert hit and hit.effect == "priority=P2"


def test_client_errors_are_not_server_errors() -> None:
    assert run("x", "status 404 Not Found on the help link") is None
