"""vip-sender: a sender matching rules.vip_senders raises one step."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["vip-sender"](mail(subject, body, sender), context(**kw))


def test_vip_glob_raises() -> None:
    hit = run("x", "y", sender="Dana@BigCustomer.com")
    assert hit and hit.effect == "priority+1" and "bigcustomer" in hit.reason


def test_other_senders_do_not() -> None:
    assert run("x", "y", sender="dana@bigcustomer.com.evil.example") is None
