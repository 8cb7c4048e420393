"""A generated corpus of mixed support mail for the benchmarks (deterministic by seed)."""

from __future__ import annotations

import base64
import random
from email.header import Header
from email.utils import formataddr
from pathlib import Path

ZH = [
    "导出报表时报错 ERR_EXPORT_{n}，财务部3名同事都遇到了。",
    "所有用户都无法登录系统，提示 HTTP 500。",
    "请问如何配置邮件通知？",
    "页面加载很慢，大约30秒才打开。",
    "建议增加批量导入功能。",
    "环境：Windows 10 21H2，Chrome 120.0.6099.110，版本 3.4.{n}。",
]
EN = [
    "Export fails with ERR_EXPORT_{n} for some users.",
    "Nobody can log in since 9:00, HTTP 502.",
    "How do I configure SSO?",
    "The dashboard is very slow today.",
    "Feature request: dark mode.",
    "Env: macOS 14.2, Firefox 121.0, app version 2.{n}.1.",
]


def make(i: int, rng: random.Random) -> bytes:
    zh = rng.random() < 0.5
    lines = rng.sample(ZH if zh else EN, 3)
    body = "\n".join(line.format(n=rng.randint(100, 999)) for line in lines)
    if rng.random() < 0.3:
        body += (
            "\n\n-----原始邮件-----\n发件人: support@example.com\n发送时间: 2026-11-20\n"
            "收件人: x@y\n主题: 旧邮件\n" + "旧的内容\n" * 20
        )
    name = "张经理" if zh else "Dana Smith"
    subject = ("订单导出失败 " if zh else "Export problem ") + str(i)
    head = [
        f"From: {formataddr((name, f'user{i % 300}@customer{i % 40}.example'), 'utf-8')}",
        "To: support@example.com",
        f"Subject: {Header(subject, 'utf-8').encode()}",
        f"Message-ID: <bench-{i}@customer.example>",
        "Date: Mon, 23 Nov 2026 10:00:00 +0800",
        "MIME-Version: 1.0",
    ]
    kind = rng.random()
    if kind < 0.6:
        head += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"]
        payload = base64.encodebytes(body.encode()).decode()
        return ("\r\n".join(head) + "\r\n\r\n" + payload).encode()
    if kind < 0.8:
        html = (
            "<html><body>"
            + "".join(f"<p>{line}</p>" for line in body.split("\n"))
            + "</body></html>"
        )
        head += ['Content-Type: multipart/alternative; boundary="alt"']
        parts = (
            f"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
            f"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--alt--\r\n"
        )
        return ("\r\n".join(head) + "\r\n\r\n" + parts).encode()
    log = "\n".join(
        f"2026-11-23 10:{m:02d}:00 ERROR java.lang.NullPointerException at x.y" for m in range(40)
    )
    head += ['Content-Type: multipart/mixed; boundary="mix"']
    parts = (
        f"--mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        "--mix\r\nContent-Type: text/plain; name=app.log\r\n"
        "Content-Disposition: attachment; filename=app.log\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n"
        f"{base64.encodebytes(log.encode()).decode()}\r\n--mix--\r\n"
    )
    return ("\r\n".join(head) + "\r\n\r\n" + parts).encode()


def write(directory: Path, count: int, seed: int = 7) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        p = directory / f"{i:05d}.eml"
        p.write_bytes(make(i, rng))
        paths.append(p)
    return paths
