"""category-words: category from words and facts, with the seed's categories."""

from __future__ import annotations

from maild.message import RuleHit
from maild.rules import discover
from tests.test_rules_common import context, mail


def run(subject: str, body: str, sender: str = "user@customer.cn", **kw: object) -> RuleHit | None:
    return discover()["category-words"](mail(subject, body, sender), context(**kw))


def effect(subject: str, body: str) -> str | None:
    hit = run(subject, body)
    return hit.effect if hit else None


def test_each_category() -> None:
    assert effect("没有权限", "打开报表提示没有权限") == "category=permission"
    assert effect("很慢", "页面加载很慢,要等30秒") == "category=performance"
    assert effect("乱码", "导入CSV后中文变成乱码") == "category=data"
    assert effect("IE11", "IE11浏览器不兼容,Chrome下正常") == "category=environment"
    assert effect("配置", "修改了配置后审批不生效") == "category=configuration"
    assert effect("按钮", "点击保存按钮没反应") == "category=functional"
    assert effect("请问", "请问如何导出PDF?") == "category=consultation"
    assert effect("Idea", "It would be nice to have a dark mode") == "category=other"


def test_error_code_alone_is_functional() -> None:
    hit = run("help", "ERR_EXPORT_100")
    assert hit and hit.effect == "category=functional" and "ERR_EXPORT_100" in hit.reason


def test_nothing_known_is_no_hit() -> None:
    assert effect("hello", "thanks for the call today") is None
