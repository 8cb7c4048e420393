"""Large base64 bodies are decoded from the raw mail, not through the stdlib's line lists."""

from __future__ import annotations

import base64
import hashlib
import random

from maild.parsers import bigparts, parse


def _mail(payload: bytes, forwarded: bool = False) -> bytes:
    part = (
        b"Content-Type: application/octet-stream; name=dump.bin\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename=dump.bin\r\n\r\n"
        + base64.encodebytes(payload).replace(b"\n", b"\r\n")
    )
    inner = (
        b"From: a@x.example\r\nSubject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
        b"--i\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--i\r\n" + part + b"\r\n--i--\r\n"
    )
    body = (
        b"--b\r\nContent-Type: message/rfc822\r\n\r\n" + inner
        if forwarded
        else b"--b\r\n" + part
    )
    return (
        b"From: Ops <ops@x.example>\r\nSubject: dump\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nDump attached, ERR_DUMP_1.\r\n"
        + body
        + b"\r\n--b--\r\n"
    )


def test_large_attachment_is_decoded_whole() -> None:
    payload = random.Random(1).randbytes(3 * 1024 * 1024)
    data = _mail(payload)
    shrunk, big = bigparts.shrink(data)
    assert len(big) == 1 and len(shrunk) < 10_000
    msg = parse(data, "en", max_attachment=10 * 1024 * 1024)
    assert [a.safe_name for a in msg.attachments] == ["dump.bin"]
    assert msg.attachments[0].sha256 == hashlib.sha256(payload).hexdigest()
    assert msg.text == "Dump attached, ERR_DUMP_1."


def test_forwarded_eml_keeps_its_large_attachment() -> None:
    payload = random.Random(2).randbytes(2 * 1024 * 1024)
    msg = parse(_mail(payload, forwarded=True), "en", max_attachment=10 * 1024 * 1024)
    eml = next(a for a in msg.attachments if a.content_type == "message/rfc822")
    assert bigparts.PREFIX not in eml.data
    inner = parse(eml.data, "en", max_attachment=10 * 1024 * 1024)
    assert inner.attachments[0].sha256 == hashlib.sha256(payload).hexdigest()


def test_small_mails_pass_through() -> None:
    data = _mail(b"small")
    assert bigparts.shrink(data) == (data, {})


def test_over_the_limit_is_a_defect_not_a_crash() -> None:
    msg = parse(_mail(random.Random(3).randbytes(2 * 1024 * 1024)), "en", max_attachment=1024)
    assert msg.attachments == ()
    assert any("over the limit" in d for d in msg.defects)
