"""admin-thanks: thanks and paperwork with nothing broken are P4, other."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover, evaluate
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["admin-thanks"](mail(subject, body, sender), context(**kw))


def test_thanks_and_paperwork_are_p4_other() -> None:
    for subject, body in (
        ("Thank you!", "Just wanted to say thanks for sorting out our template. Great job!"),
        ("开票信息变更", "我司名称变更,请更新开票信息,下月起使用新的开票信息。"),
        ("Billing address", "Please use our new billing address from next month."),
    ):
        v = evaluate(mail(subject, body), context())
        assert (v.priority, v.category) == ("P4", "other"), subject


def test_not_when_something_is_broken_or_asked() -> None:
    assert run("Thanks", "Thanks for the help, but the export still fails with an error") is None
    assert run("发票抬头", "请问在哪里修改发票抬头?") is None
