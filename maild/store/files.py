"""Content-addressed, durable files under `storage.path`.

Input: bytes. Output: the path they are durably stored at, named by their sha256, so a name
from a mail can never choose where anything is written. Layout:

    raw/ab/abcdef….eml          every inbound mail, exactly as received (0600)
    attachments/ab/abcdef…      attachment contents (0600)
    incoming/abcdef….eml        journal: a hard link to a raw file not yet committed

Deletes only under the retention setting (`remove()`, see maild/retention.py); `done()`
only removes the journal link after the commit. A file reused by a new mail has its mtime
refreshed, so `remove()` can spare anything a batch still in flight may refer to.
Raises StorageUnavailable when the disk refuses (full, read-only): the caller exits 75.
Durability is a group commit: `put_*` write, `sync()` makes everything written since the
last sync durable — one syncfs(2) for a batch instead of an fsync per file — and the caller
syncs before it commits anything that refers to the files. A file found under its hash name
is trusted only if its content has that hash (a power cut can leave a name without data).
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from maild.errors import StorageUnavailable

SYNCFS_FROM = 4  # files in a sync from which one syncfs beats an fsync each
try:
    # the C library already loaded in this process (no ldconfig lookup at start)
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
except OSError:
    _LIBC = None


class FileStore:
    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()
        self._dirty: set[Path] = set()  # directories with new entries
        self._unsynced: list[Path] = []  # files written since the last sync
        self._made: set[Path] = set()

    def _dir(self, *parts: str) -> Path:
        d = self.root.joinpath(*parts)
        if d not in self._made:
            private_dirs(d)
            self._made.add(d)
        return d

    def raw_path(self, sha: str) -> Path:
        return self.root / "raw" / sha[:2] / f"{sha}.eml"

    def path(self, kind: str, sha: str) -> Path:
        """Where the raw mail (`kind` "raw") or attachment with this hash is kept."""
        if not sha.isalnum():
            raise ValueError(f"not a content hash: {sha!r}")
        return self.raw_path(sha) if kind == "raw" else self.root / "attachments" / sha[:2] / sha

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
        """Make every file written since the last sync durable, names and contents."""
        try:
            if len(self._unsynced) >= SYNCFS_FROM and _syncfs(self.root):
                pass
            else:
                for path in [*self._unsynced, *sorted(self._dirty)]:
                    _fsync_path(path)  # the files, then the directories naming them
        except OSError as e:
            raise StorageUnavailable(f"cannot sync the raw store: {e.strerror or e}") from e
        self._unsynced.clear()
        self._dirty.clear()

    def read_raw(self, sha: str) -> bytes:
        return self.raw_path(sha).read_bytes()

    def read_attachment(self, sha: str) -> bytes:
        return self.path("attachment", sha).read_bytes()

    def done(self, sha: str) -> None:
        """The mail is committed (ticket or quarantine): drop its journal link."""
        try:
            (self.root / "incoming" / f"{sha}.eml").unlink()
        except FileNotFoundError:
            pass

    def remove(self, kind: str, sha: str, untouched_for: float) -> int | None:
        """Delete the raw mail (`kind` "raw") or attachment with this hash and return the
        bytes freed (0: it was gone already); None when a mail stored it again within the
        last `untouched_for` seconds, so it stays."""
        path = self.path(kind, sha)
        try:
            st = path.stat()
            if time.time() - st.st_mtime < untouched_for:
                return None
            path.unlink()
        except FileNotFoundError:
            return 0
        except OSError as e:
            raise StorageUnavailable(f"cannot remove {kind} {sha[:12]}: {e.strerror}") from e
        return st.st_size

    def pending(self) -> Iterator[str]:
        """sha256 of raw mails stored but never committed (a crash between the two)."""
        d = self.root / "incoming"
        if d.is_dir():
            for p in sorted(d.iterdir(), key=lambda p: p.stat().st_mtime):
                if p.suffix == ".eml":
                    yield p.stem

    def _write(self, directory: Path, name: str, data: bytes) -> Path:
        path = directory / name
        if path.exists() and _holds(path, name.removesuffix(".eml"), len(data)):
            os.utime(path)  # in use again: retention must not remove it under this batch
            return path  # content-addressed: same name, same bytes
        tmp = directory / f".{name}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
        self._dirty.add(directory)
        self._unsynced.append(path)
        return path


def private_dirs(d: Path) -> None:
    """mkdir -p where every directory made is 0700 (mkdir's parents get the umask's mode)."""
    if d.is_dir():
        return
    private_dirs(d.parent)
    with contextlib.suppress(FileExistsError):
        d.mkdir(mode=0o700)


def _holds(path: Path, sha: str, size: int) -> bool:
    if path.stat().st_size != size:
        return False
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest() == sha


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(root: Path) -> bool:
    """syncfs(2) on the store's file system: one flush for a whole batch. False where the
    call does not exist (not Linux), so the caller fsyncs file by file."""
    if _LIBC is None or not hasattr(_LIBC, "syncfs"):
        return False
    fd = os.open(root, os.O_RDONLY)
    try:
        if _LIBC.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
    finally:
        os.close(fd)
    return True
