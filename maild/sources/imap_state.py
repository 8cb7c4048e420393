"""The per-mailbox state of the IMAP source, and how it meets the server's folder.

Input: the state the caller stored (or none), the folder's UIDVALIDITY and UIDNEXT at SELECT
and the mailbox's `import_existing`. Output: the state to go on with, and what happened, in
words for the log. Pure: no I/O, no logging.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

ImportMode = Literal["silent", "skip", "normal"]


@dataclass(frozen=True, slots=True)
class ImapState:
    """What the caller persists per mailbox and hands back on restart.

    `last_uid`: every mail up to it is committed *and* flagged/moved. `silent_below`: mail
    under this UID was already in the folder when it was first seen (import_existing =
    silent). `last_fetch`: when the folder was last read successfully.
    """

    uidvalidity: int | None = None
    last_uid: int = 0
    silent_below: int = 0
    last_fetch: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "uidvalidity": self.uidvalidity,
            "last_uid": self.last_uid,
            "silent_below": self.silent_below,
            "last_fetch": self.last_fetch.isoformat() if self.last_fetch else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImapState:
        fetched = data.get("last_fetch")
        return cls(
            uidvalidity=data.get("uidvalidity"),
            last_uid=int(data.get("last_uid") or 0),
            silent_below=int(data.get("silent_below") or 0),
            last_fetch=datetime.fromisoformat(fetched) if fetched else None,
        )


def reconcile(
    state: ImapState, uidvalidity: int, uidnext: int, import_existing: ImportMode
) -> tuple[ImapState, str]:
    """The state for a folder just selected, and a note ("" when nothing changed).

    First sight (nothing stored): mail below UIDNEXT is imported silently, skipped or
    imported normally. A changed UIDVALIDITY means every stored UID names other mail now:
    rescan from the start; the pipeline's identity check makes known mail a duplicate.
    """
    if state.uidvalidity == uidvalidity:
        return state, ""
    if state.uidvalidity is not None:
        note = (
            f"UIDVALIDITY changed from {state.uidvalidity} to {uidvalidity}: rescanning "
            "(mail already taken in is recognised as a duplicate)"
        )
        return ImapState(uidvalidity, 0, 0, state.last_fetch), note
    if import_existing == "skip":
        new = ImapState(uidvalidity, uidnext - 1, 0, state.last_fetch)
    elif import_existing == "silent":
        new = ImapState(uidvalidity, 0, uidnext, state.last_fetch)
    else:
        new = ImapState(uidvalidity, 0, 0, state.last_fetch)
    what = {"silent": "imported silently", "skip": "skipped", "normal": "imported"}
    return new, f"first sight: mail below UID {uidnext} {what[import_existing]}"
