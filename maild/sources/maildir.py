"""Maildir source: files in `new/` become mail; after the commit they move to `cur/`.

Input: a `[[maildirs]]` entry. Output: `Incoming` mails; `done()` moves a file to cur/ with
the Seen flag only once its mail is committed, so a crash re-reads it (and the identity
check makes that a duplicate). Never deletes a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from maild.pipeline import Incoming
from maild.settings import MaildirSettings

BATCH = 200


class MaildirSource:
    def __init__(self, settings: MaildirSettings) -> None:
        self.name = settings.name
        self.root = Path(settings.path)

    def fetch(self, limit: int = BATCH) -> list[tuple[Path, Incoming]]:
        new = self.root / "new"
        if not new.is_dir():
            return []
        entries = sorted(
            (e for e in os.scandir(new) if e.is_file() and not e.name.startswith(".")),
            key=lambda e: e.stat().st_mtime_ns,
        )[:limit]
        out = []
        for e in entries:
            path = Path(e.path)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # gone or unreadable now; the next sweep sees it again
            out.append(
                (
                    path,
                    Incoming(
                        data, "maildir", f"{self.name}/{e.name}", mailbox=f"maildir:{self.name}"
                    ),
                )
            )
        return out

    def done(self, path: Path) -> None:
        cur = self.root / "cur"
        cur.mkdir(exist_ok=True)
        name = path.name if ":2," in path.name else f"{path.name}:2,S"
        try:
            os.replace(path, cur / name)
        except FileNotFoundError:
            pass
