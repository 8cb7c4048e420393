"""Fact extraction: error codes (and what is not one), environment, impact, frequency, time,
steps, what was tried, phone — each with where it was found."""

from __future__ import annotations

import pytest

from maild.message import Fact
from maild.parsers.codes import error_codes
from maild.parsers.extract import KINDS, extract


@pytest.mark.parametrize(
    ("line", "codes"),
    [
        ("导出时报错：错误码 ERR_EXPORT_100。", ["ERR_EXPORT_100"]),
        ("错误码ERR_EXPORT_100", ["ERR_EXPORT_100"]),
        ("エラーコード：E-4031", ["E-4031"]),
        ("错误代码：1002", ["1002"]),
        ("the error code was 1002", ["1002"]),
        ("报错ORA-00942: table or view does not exist", ["ORA-00942"]),
        ("HTTP/1.1 502 Bad Gateway", ["HTTP 502"]),
        ("Error 500 on login", ["HTTP 500"]),
        ("status code 503", ["HTTP 503"]),
        ("Error500:ConnectionTimeout", ["HTTP 500"]),
        ("接口返回码 404", ["HTTP 404"]),
        ("0x80070005 access denied", ["0x80070005"]),
        ("Stop code: CRITICAL_PROCESS_DIED (0x000000EF)", ["CRITICAL_PROCESS_DIED", "0x000000EF"]),
        ("SQLSTATE[23000]: Integrity constraint violation", ["SQLSTATE[23000]"]),
        ("ERROR 1045 (28000): Access denied for user", ["ERROR 1045 (28000)"]),
        ("Msg 208, Level 16, State 1, Line 1", ["Msg 208"]),
        ("[Errno 111] Connection refused", ["errno 111"]),
        ("connect ECONNREFUSED 10.0.0.5:5432", ["ECONNREFUSED"]),
        ("java.lang.NullPointerException at x.Y.z(Y.java:3)", ["java.lang.NullPointerException"]),
        ("System.IO.IOException: disk full", ["System.IO.IOException"]),
        ("ValueError: invalid literal for int()", ["ValueError"]),
        ("pod api-1 is in CrashLoopBackOff", ["CrashLoopBackOff"]),
        ("AADSTS50011: redirect URI mismatch", ["AADSTS50011"]),
        ("error CS0246: type not found", ["CS0246"]),
    ],
)
def test_error_codes(line: str, codes: list[str]) -> None:
    assert error_codes(line) == codes


@pytest.mark.parametrize(
    "line",
    [
        "订单号 SO-2026112300123 导出",
        "订单号 ORD_2026_001",
        "发票 INV-2026-0042 金额 1,299.00 元",
        "tracking number SF1234567890123",
        "PO_2026_0042 was not invoiced",
        "my phone is 13800138000, order 2026112300123",
        "下单时间 2026-11-20 10:00，价格 199.00",
        "error code is missing from the screen",
        "we have 500 users and 404 licences",
        "Invoice INV-2026-0042 and ticket #4711",
        "version 3.4.2 build 20261123",
    ],
)
def test_data_is_not_an_error_code(line: str) -> None:
    assert error_codes(line) == []


def _facts(text: str, name: str = "body") -> list[Fact]:
    return list(extract([(name, text, 1)]))


def _get(facts: list[Fact], kind: str) -> list[tuple[str, str]]:
    return [(f.value, f.source) for f in facts if f.kind == kind]


def test_seed_example_every_fact_with_its_line() -> None:
    text = (
        "现象：客户在使用“订单管理”模块时，“批量导出”按钮提示“接口异常，请联系管理员”。\n"
        "影响范围：客户3名财务人员无法导出近30天订单数据，影响月度对账。\n"
        "复现步骤：1.登录系统；2.进入“订单管理”页面；3.选择日期范围；4.“批量导出”。\n"
        "客户已尝试操作：清除浏览器缓存、更换Chrome浏览器，问题依旧。\n"
        "登录系统时提示‘token失效’，每天上午9点必现。\n"
        "环境：Windows 10 专业版 22H2，Chrome 120.0.6099.110，客户端版本 3.4.2，"
        "联系电话 13912345678\n"
    )
    facts = _facts(text)
    assert _get(facts, "impact") == [("3名财务人员", "body:2")]
    assert _get(facts, "steps")[0][1] == "body:3"
    assert "清除浏览器缓存" in _get(facts, "tried")[0][0]
    assert _get(facts, "frequency") == [("每天上午9点必现", "body:5")]
    assert ("Windows 10 专业版 22H2", "body:6") in _get(facts, "os")
    assert ("Chrome 120.0.6099.110", "body:6") in _get(facts, "browser")
    assert ("3.4.2", "body:6") in _get(facts, "app_version")
    assert ("13912345678", "body:6") in _get(facts, "phone")
    assert {f.kind for f in facts} <= set(KINDS)


def test_english_situation() -> None:
    text = (
        "Since 8:50 all users get a blank page.\n"
        "It happens intermittently, a few times a day.\n"
        "Steps to reproduce:\n1. Log in\n2. Open Reports\n3. Click Export\n\n"
        "We already tried restarting the server and clearing the cache.\n"
        "Call me at +44 20 7946 0958.\n"
    )
    facts = _facts(text)
    assert ("all users", "body:1") in _get(facts, "impact")
    assert ("Since 8:50", "body:1") in _get(facts, "time")
    assert ("intermittently", "body:2") in _get(facts, "frequency")
    assert _get(facts, "steps") == [("1. Log in; 2. Open Reports; 3. Click Export", "body:3")]
    assert _get(facts, "tried")[0][1] == "body:8"
    assert _get(facts, "phone") == [("+44 20 7946 0958", "body:9")]


@pytest.mark.parametrize(
    ("line", "kind", "value"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.6099.110 Safari/537.36 Edg/120.0.2210.91",
            "browser",
            "Edge 120.0.2210.91",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            "os",
            "iOS 17.1.2",
        ),
        ("Win10 + IE11", "browser", "IE 11"),
        ("Win10 + IE11", "os", "Windows 10"),
        ("macOS Sonoma 14.2.1, Safari 17.2", "os", "macOS Sonoma 14.2.1"),
        ("用的是华为 Mate 60 Pro，鸿蒙 4.0", "device", "华为 Mate 60 Pro"),
        ("设备型号：SM-S9180", "device", "SM-S9180"),
        ("客户端版本：5.2.1 (build 1234)", "app_version", "5.2.1"),
        ("our app v3.4.2 on Java version 17.0.2", "app_version", "3.4.2"),
    ],
)
def test_environment(line: str, kind: str, value: str) -> None:
    assert (value, "body:1") in _get(_facts(line), kind)


def test_browser_version_is_not_the_app_version() -> None:
    assert _get(_facts("Chrome version 120.0.1 on Windows 10 version 22H2"), "app_version") == []


def test_logs_give_codes_and_environment_but_not_the_customers_situation() -> None:
    log = "2026-11-23 10:00 retry every time\nERROR ORA-01017 for all users\n"
    facts = _facts(log, "app.log")
    assert _get(facts, "error_code") == [("ORA-01017", "app.log:2")]
    assert _get(facts, "frequency") == [] and _get(facts, "impact") == []


def test_source_names_and_first_line_numbers() -> None:
    facts = list(extract([("subject", "ERR_A_1", 1), ("tail.log", "x\nERR_B_2", 901)]))
    found = [(f.value, f.source) for f in facts]
    assert found == [("ERR_A_1", "subject"), ("ERR_B_2", "tail.log:902")]


def test_facts_are_bounded_per_source() -> None:
    log = "\n".join(f"ERR_CODE_{i}" for i in range(5000))
    assert len(_facts(log, "big.log")) <= 40
