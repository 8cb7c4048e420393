"""Parsing a large batch on every core: the parse stage is pure, so `maild ingest` of many
files hands it to worker processes while the main process stores raw mail and writes the
database. Small batches (the daemon's usual case) are parsed in place.

Input: raw mails and the parse settings. Output: one ParsedMessage or StageError per mail,
in order. A worker never touches files or the database.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from maild import parsers
from maild.errors import StageError
from maild.message import ParsedMessage
from maild.stages import stage

POOL_FROM = 64  # mails in a batch from which worker processes pay for themselves


def _parse(job: tuple[bytes, str, int]) -> ParsedMessage | tuple[str, str]:
    try:
        return stage("parse", parsers.parse, *job)
    except StageError as e:  # exceptions with their causes do not all survive pickling
        return ("error", f"{type(e.cause).__name__}: {e.cause}")


class ParsePool:
    def __init__(self) -> None:
        self.workers = min(os.cpu_count() or 1, 8)
        self._pool: ProcessPoolExecutor | None = None

    def usable(self, count: int) -> bool:
        return self.workers > 1 and count >= POOL_FROM

    def submit(self, datas: list[bytes], language: str,
               max_attachment: int) -> Iterator[ParsedMessage | tuple[str, str]]:
        """Start parsing; the workers go on while the caller does other work (stores the
        raw mail) until `collect`."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context("fork"))
        jobs = [(d, language, max_attachment) for d in datas]
        return self._pool.map(_parse, jobs, chunksize=16)

    @staticmethod
    def collect(running: Iterator[ParsedMessage | tuple[str, str]]
                ) -> list[ParsedMessage | StageError]:
        return [r if isinstance(r, ParsedMessage) else StageError("parse", RuntimeError(r[1]))
                for r in running]

    def close(self, *_: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
