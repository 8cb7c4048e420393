"""The language of the new text, for the reply template."""

from __future__ import annotations

import pytest

from maild.parsers.language import detect

LOG = "\n".join(
    f"2026-11-23 10:{i:02d}:00 ERROR java.lang.NullPointerException at x" for i in range(40)
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("订单导出失败，错误码 ERR_EXPORT_100", "zh"),
        ("收銀系統無法登入", "zh"),
        ("The export fails with ERR_EXPORT_100 for all users.", "en"),
        ("请看日志，导出一直失败，谢谢！\n" + LOG, "zh"),  # a Chinese writer pasting a log
        ("請求書の出力でエラーが発生します", "other"),
        ("로그인 시 오류가 발생합니다", "other"),
        ("Здравствуйте, отчёт не выгружается", "other"),
        ("Danke, funktioniert jetzt nicht mehr. Bitte helfen Sie mir.", "other"),
        ("Bonjour, merci pour votre aide, mais le rapport ne fonctionne pas.", "other"),
        ("HTTP 500", "en"),
        ("", "zh"),
        ("12345 !!!", "zh"),
    ],
)
def test_detect(text: str, expected: str) -> None:
    assert detect(text, "zh") == expected


def test_fallback_is_used_only_when_there_is_nothing_to_go_on() -> None:
    assert detect("   ", "en") == "en"
