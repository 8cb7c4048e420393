"""Where mail-parser gets a mail wrong and the stdlib-based parse stage gets it right.

Each test runs mail-parser on a corpus mail, asserts its wrong output, and shows ours right
beside it: the reasons maild does not read bodies with mail-parser.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

from maild.parsers import parse

CORPUS = Path(__file__).parent / "corpus"


def _mailparser(name: str) -> Any:
    mailparser = pytest.importorskip("mailparser")
    logging.getLogger("mailparser").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mailparser.parse_from_bytes((CORPUS / name).read_bytes())


def test_iso_2022_jp_7bit_body() -> None:
    # Given Japanese mail in its normal form: ISO-2022-JP, Content-Transfer-Encoding 7bit
    theirs = _mailparser("ja-iso2022jp-7bit.eml")
    ours = parse((CORPUS / "ja-iso2022jp-7bit.eml").read_bytes())
    # then mail-parser hands back the escape sequences undecoded
    assert "\x1b$B" in theirs.text_plain[0]
    assert "請求書" not in theirs.text_plain[0]
    # and we decode it
    assert "請求書の出力でエラーが発生します" in ours.text
    assert "\x1b" not in ours.text
    assert ours.error_codes == ("E-4031",)


def test_winmail_dat_left_alone() -> None:
    # Given an Outlook mail whose files travel inside winmail.dat (TNEF)
    theirs = _mailparser("en-tnef-winmail.eml")
    ours = parse((CORPUS / "en-tnef-winmail.eml").read_bytes())
    # then mail-parser lists only the opaque container
    assert [a["filename"] for a in theirs.attachments] == ["winmail.dat"]
    # and we open it: the files inside become attachments and the log is read for facts
    assert [a.safe_name for a in ours.attachments] == ["error.log", "screenshot.png"]
    assert "System.UnauthorizedAccessException" in ours.error_codes


def test_gbk_character_under_gb2312_label() -> None:
    # Given a body labelled gb2312 holding a character only GBK has (镕)
    theirs = _mailparser("zh-gb2312-label-gbk-char-qp.eml")
    ours = parse((CORPUS / "zh-gb2312-label-gbk-char-qp.eml").read_bytes())
    # then mail-parser's body is not the Chinese text
    assert "朱镕先生" not in theirs.text_plain[0]
    # and ours reads it as its superset GB18030
    assert "朱镕先生反馈" in ours.text


def test_unlabelled_gbk_body() -> None:
    # Given 8-bit GBK with no charset at all
    theirs = _mailparser("zh-unlabelled-gbk.eml")
    ours = parse((CORPUS / "zh-unlabelled-gbk.eml").read_bytes())
    assert "系统登录后白屏" not in theirs.text_plain[0]
    assert "系统登录后白屏" in ours.text
