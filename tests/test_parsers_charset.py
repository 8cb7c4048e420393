"""Charsets, headers, file names and HTML: the text a mail means, whatever it claims."""

from __future__ import annotations

import time

import pytest

from maild.parsers import headers as hdr
from maild.parsers.charset import decode
from maild.parsers.html import to_text
from maild.parsers.names import safe_name


@pytest.mark.parametrize(
    ("text", "encoding", "label"),
    [
        ("镕基 订单导出失败", "gbk", "gb2312"),  # a GBK-only character under a GB2312 label
        ("订单导出失败，错误码", "gbk", "gbk"),
        ("臺灣 香港 邨", "big5hkscs", "big5"),
        ("日本語のテスト", "iso2022_jp", "iso-2022-jp"),
        ("Привет мир", "koi8-r", "koi8-r"),
        ("Привет мир", "cp1251", "windows-1251"),
        ("안녕하세요", "euc-kr", "euc-kr"),
        ("“smart” quotes – dash", "cp1252", "iso-8859-1"),
        ("Größe", "utf-8", "iso-8859-1"),  # UTF-8 under a Latin-1 label
        ("您好，世界", "utf-8", "gb2312"),  # UTF-8 under a GB2312 label
        ("订单导出失败，错误码", "gbk", "iso-8859-1"),  # GBK under a Latin-1 label
        ("订单导出失败", "gbk", None),  # unlabelled GBK
        ("日本語のテスト", "iso2022_jp", None),  # unlabelled 7-bit ISO-2022-JP
        ("sync", "utf-8", "x-unknown"),
    ],
)
def test_decode(text: str, encoding: str, label: str | None) -> None:
    assert decode(text.encode(encoding), label)[0] == text


def test_decode_never_raises_and_flags_what_it_guessed() -> None:
    for data in (b"\xff\xfe\xfd", b"caf\xe9", bytes(range(256)), b"\x1b$B\x1b(B"):
        for label in (None, "utf-8", "nonsense", "x-" + "a" * 100, "utf-16"):
            text, _ = decode(data, label)
            assert isinstance(text, str)
    assert decode(b"caf\xe9 ok", None)[0] == "café ok"
    assert decode(b"plain", "us-ascii") == ("plain", None)


def test_utf16_with_bom() -> None:
    assert decode(b"\xff\xfe" + "日志".encode("utf-16-le"), None)[0] == "日志"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=?utf-8?B?6K6i5Y2V5a+85Ye65aSx6LSl?=", "订单导出失败"),
        ("=?gb2312?B?yOe6zsXk1sPTys/kzajWqg==?=", "如何配置邮箱通知"),
        ("=?utf-8?Q?Caf=C3=A9_cr=C3=A8me?=", "Café crème"),
        ("Re: =?utf-8?B?5Lit?= =?utf-8?B?5paH?= ok", "Re: 中文 ok"),
        ("=?utf-8?B?broken", "=?utf-8?B?broken"),
        ("line\r\n folded\r\nInjected: x", "line folded Injected: x"),
    ],
)
def test_header_text(raw: str, expected: str) -> None:
    assert hdr.text(raw, []) == expected


def test_raw_8bit_header_uses_the_charset_fallbacks() -> None:
    raw = "无法上传".encode("gbk").decode("ascii", "surrogateescape")
    defects: list[str] = []
    assert hdr.text(raw, defects) == "无法上传"
    assert defects


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\System32\\evil.exe", "evil.exe"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ("tab\there\x07bell.txt", "tab_here_bell.txt"),
        ("CON.txt", "attachment_CON.txt"),
        (".htaccess", "htaccess"),
        ("..", "attachment"),
        ("", "attachment"),
        ('a<b>c:d|e?f*g"h.txt', "a_b_c_d_e_f_g_h.txt"),
        ("日志 2026.log", "日志 2026.log"),
    ],
)
def test_safe_name(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_safe_name_is_short_and_keeps_the_extension() -> None:
    out = safe_name("x" * 1000 + ".pdf")
    assert len(out) == 150 and out.endswith(".pdf")


def test_html_to_text_drops_scripts_and_marks_quotes() -> None:
    html = (
        "<html><head><style>p{}</style></head><body><p>Hello <b>there</b></p>"
        "<script>alert(1)</script><blockquote>old</blockquote></body></html>"
    )
    text = to_text(html, [])
    assert "Hello there" in text and "alert" not in text and "> old" in text


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 5000 + "deep text" + "</div>" * 5000,
        "".join(f"<a href='https://x.example/{i}'>link {i}</a>" for i in range(40_000)),
        "<table>" + "<tr><td>a</td><td>b</td></tr>" * 20_000 + "</table>",
        "<blockquote>" * 3000 + "x",
        "<div class='" + "a" * 300_000 + "'>x</div>",
        "<" * 500_000,
    ],
)
def test_pathological_html_is_bounded(html: str) -> None:
    # CPU time, not wall time: the bound is about the work done, on a busy machine too
    start = time.process_time()
    text = to_text(html, [])
    assert time.process_time() - start < 2.0
    assert isinstance(text, str)


def test_deep_nesting_keeps_its_text() -> None:
    assert "deep text" in to_text("<div>" * 400 + "deep text" + "</div>" * 400, [])
