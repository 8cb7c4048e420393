"""Missing facts: what the acknowledgement still asks for, by stable key, in zh and en."""

from __future__ import annotations

from dataclasses import replace

from maild.message import Fact
from maild.missing import KEYS, missing
from tests.test_rules_common import mail

COMPLETE = (
    "今天上午开始,财务部3名同事导出订单报表时都报错:错误码 ERR_EXPORT_100。\n"
    "环境:Windows 10 21H2,Chrome 120.0.6099.110,系统版本 3.4.2。\n"
    "已经尝试清除浏览器缓存,问题依旧。"
)


def keys(subject: str, body: str, category: str = "functional", priority: str = "P2") -> list[str]:
    return [m.key for m in missing(mail(subject, body), category, priority)]


def test_complete_record_asks_nothing() -> None:
    assert keys("订单导出失败", COMPLETE) == []


def test_bare_complaint_asks_everything_in_stable_order() -> None:
    assert keys("导出不行", "导出不行,请处理。") == list(KEYS)


def test_each_fact_is_recognised() -> None:
    assert "error" not in keys("x", "点击导出后提示“接口异常,请联系管理员”")
    assert "error" not in keys("x", "点击导出后没有报错,但文件是空的")
    assert "environment" not in keys("x", "We use Chrome on Windows 11.")
    assert "time" not in keys("x", "It started yesterday after the update.")
    assert "impact" not in keys("x", "The whole team is blocked.")
    assert "tried" not in keys("x", "I tried another browser, same result.")


def test_extracted_facts_count() -> None:
    msg = mail("x", "doesn't work")
    facts = (Fact("impact", "all users", "body:1"), Fact("frequency", "every time", "body:1"))
    msg = replace(msg, facts=facts)
    got = [m.key for m in missing(msg, "functional")]
    assert "impact" not in got and "time" not in got


def test_consultations_and_suggestions_ask_nothing() -> None:
    assert keys("如何配置邮件通知", "请问如何配置?", "consultation", "P3") == []
    assert keys("建议增加深色模式", "建议增加", "other", "P4") == []


def test_questions_are_polite_in_both_languages() -> None:
    (first, *_) = missing(mail("x", "broken"), "functional")
    assert first.key == "error"
    assert first.question("zh").startswith("请") and first.question("en").endswith("helps.")
    assert first.question("en") != first.question("zh")
