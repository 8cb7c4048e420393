"""Word lists: the matcher (whole Latin words, prefixes, gaps) and admin overrides."""

from __future__ import annotations

from maild.rules.queue import queue_for
from maild.rules.words import defaults, found, merged, strip


def test_latin_words_match_whole_words() -> None:
    assert found("the flag is set", ("lag",)) == []
    assert found("some lag today", ("lag",)) == ["lag"]
    assert found("it crashed", ("crash*",)) == ["crash*"]
    assert found("err_export_100", ("export",)) == []


def test_chinese_words_and_gaps() -> None:
    assert found("无法正常登录", ("无法…登录",)) == ["无法…登录"]
    assert found("无法导出。后来登录", ("无法…登录",)) == []
    assert found("cannot  log in", ("cannot log in",)) == ["cannot log in"]


def test_strip_blanks_denials() -> None:
    assert "报错" not in strip("没有报错,但是保存不了", ("没有报错",))


def test_overrides_add_remove_replace() -> None:
    base = {"signal": {"urgency": ("urgent", "asap")}}
    out = merged(base, {"signal": {"urgency": {"add": ["Pronto"], "remove": ["asap"]}}})
    assert out["signal"]["urgency"] == ("urgent", "pronto")
    assert merged(base, {"signal": {"urgency": {"words": ["jetzt"]}}})["signal"]["urgency"] == (
        "jetzt",
    )
    assert base["signal"]["urgency"] == ("urgent", "asap")


def test_shipped_lists_load() -> None:
    words = defaults()
    assert {"signal", "scope", "category"} <= set(words)
    assert "宕机" in words["signal"]["outage"]


def test_queue_for_most_specific_key_wins() -> None:
    table = {"crm/data": "crm-data", "data": "data-team", "crm/*": "crm", "*": "l1"}
    assert queue_for("data", "crm", table) == "crm-data"
    assert queue_for("permission", "crm", table) == "crm"
    assert queue_for("data", "", table) == "data-team"
    assert queue_for("other", "", table) == "l1"
    assert queue_for("other") == "support"
