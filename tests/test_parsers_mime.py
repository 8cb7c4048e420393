"""MIME structure: which part is the body, what is an attachment, what is neither."""

from __future__ import annotations

import base64
import struct

from maild.parsers import parse, tnef
from maild.parsers.names import safe_name


def test_bare_text_with_a_colon_in_its_first_line_is_not_headers() -> None:
    msg = parse(b"Note: the export fails\nwith ERR_EXPORT_100 every time.\n", "en")
    assert msg.text == "Note: the export fails\nwith ERR_EXPORT_100 every time."
    assert "ERR_EXPORT_100" in msg.error_codes


def test_plain_alternative_wins_and_html_images_still_count() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
        b"--a\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
        b"--a\r\nContent-Type: multipart/related; boundary=r\r\n\r\n"
        b"--r\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n"
        b"--r\r\nContent-Type: image/png\r\nContent-ID: <i1>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n--a--\r\n"
    )
    msg = parse(data, "en")
    assert msg.text == "plain words"
    assert [(a.safe_name, a.inline) for a in msg.attachments] == [("attachment.png", True)]


def test_view_in_html_stub_gives_way_to_html() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n"
        b"--a\r\nContent-Type: text/plain\r\n\r\nPlease use an HTML capable mail client.\r\n"
        b"--a\r\nContent-Type: text/html\r\n\r\n<p>The real text.</p>\r\n--a--\r\n"
    )
    assert parse(data, "en").text == "The real text."


def test_text_attachment_with_a_name_is_not_body() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
        b"--m\r\nContent-Type: text/plain\r\n\r\nsee log\r\n"
        b"--m\r\nContent-Type: text/plain; name=app.log\r\nContent-Disposition: inline;"
        b" filename=app.log\r\n\r\nERROR ORA-00942\r\n--m--\r\n"
    )
    msg = parse(data, "en")
    assert msg.text == "see log"
    assert [a.safe_name for a in msg.attachments] == ["app.log"]
    assert [(f.value, f.source) for f in msg.facts] == [("ORA-00942", "app.log:1")]


def test_tnef_with_huge_object_count_is_kept_unopened() -> None:
    obj = struct.pack("<BHHI", 1, 0x9006, 8, 0) + b"\x00\x00"
    data = struct.pack("<IH", tnef.SIGNATURE, 1) + obj * (tnef.MAX_OBJECTS + 10)
    defects: list[str] = []
    assert tnef.extract(data, 10**7, defects) is None
    assert "kept unopened" in defects[0]


def test_tnef_truncated_is_kept() -> None:
    defects: list[str] = []
    truncated = struct.pack("<IH", tnef.SIGNATURE, 1) + b"\x02\x10\x80"
    assert tnef.extract(truncated, 10**7, defects) is None


def test_encrypted_mail_is_a_defect_and_its_blob_kept() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data;"
        b" name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"\x30\x82" + bytes(100))
    )
    msg = parse(data, "en")
    assert [a.safe_name for a in msg.attachments] == ["smime.p7m"]
    assert any("S/MIME" in d for d in msg.defects)


def test_rfc2231_name_in_gbk() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
        b"--m\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        b"--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;"
        b" filename*=gbk''%B1%A8%B8%E6.pdf\r\n\r\n%PDF\r\n--m--\r\n"
    )
    assert [a.safe_name for a in parse(data, "zh").attachments] == ["报告.pdf"]


def test_raw_utf8_file_name() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
        b"--m\r\nContent-Type: text/plain\r\n\r\nx\r\n"
        b"--m\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment;"
        b' filename="\xe6\x8a\xa5\xe5\x91\x8a.pdf"\r\n\r\n%PDF\r\n--m--\r\n'
    )
    assert [a.safe_name for a in parse(data, "zh").attachments] == ["报告.pdf"]


def test_safe_name_counts_bytes_for_long_chinese_names() -> None:
    name = safe_name("日" * 200 + ".log")
    assert name.endswith(".log") and len(name.encode()) <= 240


def test_cut_boundary_parameter_is_recovered_from_the_body() -> None:
    data = (
        b"From: MAILER-DAEMON@x.example\r\nContent-Type: multipart/report;"
        b" report-type=delivery-status;\r\n\tbo\r\n\r\nThis is a MIME-encapsulated message\r\n\r\n"
        b"--JAB03225.986577786/x.example\r\n\r\nThe original message was not delivered.\r\n"
        b"--JAB03225.986577786/x.example--\r\n"
    )
    msg = parse(data, "en")
    assert msg.text == "The original message was not delivered."


def test_nul_and_controls_never_reach_the_text() -> None:
    msg = parse(b"From: a@x.example\r\n\r\nhello\x00 world\x07\ttab\r\n", "en")
    assert msg.text == "hello world\ttab"


def test_inline_named_text_is_the_body_when_there_is_no_other() -> None:
    data = (
        b"From: a@x.example\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
        b"--m\r\nContent-Type: text/plain\r\nContent-Disposition: inline; filename=msg.txt\r\n\r\n"
        b"the words\r\n--m--\r\n"
    )
    msg = parse(data, "en")
    assert msg.text == "the words"
    assert [a.safe_name for a in msg.attachments] == ["msg.txt"]
