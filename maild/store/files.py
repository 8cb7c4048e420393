"""Content-addressed, fsynced files under `storage.path`.

Input: bytes. Output: the path they are durably stored at, named by their sha256, so a name
from a mail can never choose where anything is written. Layout:

    raw/ab/abcdef….eml          every inbound mail, exactly as received (0600)
    attachments/ab/abcdef…      attachment contents (0600)
    incoming/abcdef….eml        journal: a hard link to a raw file not yet committed

Never deletes a raw file; `done()` only removes the journal link after the commit.
Raises StorageUnavailable when the disk refuses (full, read-only): the caller exits 75.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from maild.errors import StorageUnavailable


class FileStore:
    """`put_*` fsync each file; the directory entries are made durable by `sync()`, once per
    batch (the caller syncs before it commits anything that refers to the files)."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()
        self._dirty: set[Path] = set()
        self._made: set[Path] = set()

    def _dir(self, *parts: str) -> Path:
        d = self.root.joinpath(*parts)
        if d not in self._made:
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._made.add(d)
        return d

    def raw_path(self, sha: str) -> Path:
        return self.root / "raw" / sha[:2] / f"{sha}.eml"

    def put_raw(self, data: bytes, sha: str | None = None) -> tuple[str, Path]:
        """Store a raw mail durably and journal it as incoming; return (sha256, path)."""
        sha = sha or hashlib.sha256(data).hexdigest()
        try:
            path = self._write(self._dir("raw", sha[:2]), f"{sha}.eml", data)
            journal = self._dir("incoming") / f"{sha}.eml"
            if not journal.exists():
                os.link(path, journal)
                self._dirty.add(journal.parent)
        except OSError as e:
            raise StorageUnavailable(f"cannot store raw mail: {e.strerror or e}") from e
        return sha, path

    def put_attachment(self, data: bytes, sha: str) -> Path:
        try:
            return self._write(self._dir("attachments", sha[:2]), sha, data)
        except OSError as e:
            raise StorageUnavailable(f"cannot store attachment: {e.strerror or e}") from e

    def sync(self) -> None:
        """Make every file written since the last sync durable by name (directory fsync)."""
        try:
            for d in sorted(self._dirty):
                _fsync_dir(d)
        except OSError as e:
            raise StorageUnavailable(f"cannot sync the raw store: {e.strerror or e}") from e
        self._dirty.clear()

    def read_raw(self, sha: str) -> bytes:
        return self.raw_path(sha).read_bytes()

    def read_attachment(self, sha: str) -> bytes:
        if not sha.isalnum():
            raise ValueError(f"not a content hash: {sha!r}")
        return (self.root / "attachments" / sha[:2] / sha).read_bytes()

    def done(self, sha: str) -> None:
        """The mail is committed (ticket or quarantine): drop its journal link."""
        try:
            (self.root / "incoming" / f"{sha}.eml").unlink()
        except FileNotFoundError:
            pass

    def pending(self) -> Iterator[str]:
        """sha256 of raw mails stored but never committed (a crash between the two)."""
        d = self.root / "incoming"
        if d.is_dir():
            for p in sorted(d.iterdir(), key=lambda p: p.stat().st_mtime):
                if p.suffix == ".eml":
                    yield p.stem

    def _write(self, directory: Path, name: str, data: bytes) -> Path:
        path = directory / name
        if path.exists() and path.stat().st_size == len(data):
            return path  # content-addressed: same name, same bytes
        tmp = directory / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        self._dirty.add(directory)
        return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
