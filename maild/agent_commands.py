"""Commands in an agent's reply: `#status resolved`, `#priority P1`, `#assign bob`, …

Input: the agent's new text (quotes and signature already split off). Output: the commands
found on their own lines at the top or the bottom of the text, the text without them, and
the errors (unknown command, bad value) — when there is any error nothing is applied and the
agent is told. Chinese aliases: #状态 #优先级 #指派 #分类 #备注 #升级 #合并. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from maild.settings import PRIORITIES

CATEGORIES = ("configuration", "functional", "environment", "data", "permission",
              "performance", "consultation", "other")
STATUSES = {
    "open": "open", "waiting": "waiting", "resolved": "resolved", "closed": "closed",
    "处理中": "open", "等待": "waiting", "等待客户": "waiting", "已解决": "resolved",
    "解决": "resolved", "已关闭": "closed", "关闭": "closed", "归档": "closed",
}
NAMES = {
    "status": "status", "状态": "status", "priority": "priority", "优先级": "priority",
    "assign": "assign", "指派": "assign", "分配": "assign", "category": "category",
    "分类": "category", "note": "note", "备注": "note", "escalate": "escalate",
    "升级": "escalate", "merge": "merge", "合并": "merge",
}
_LINE = re.compile(r"^\s*[#＃]\s*([A-Za-z\u4e00-\u9fff]+)\s*[:：]?\s*(.*?)\s*$")


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # status | priority | assign | category | note | escalate | merge
    value: str


@dataclass(frozen=True, slots=True)
class Parsed:
    commands: tuple[Command, ...]
    text: str  # what remains for the customer (empty for an internal note)
    errors: tuple[str, ...]

    @property
    def internal(self) -> bool:
        return any(c.name == "note" for c in self.commands)


def parse(text: str) -> Parsed:
    lines = text.split("\n")
    top = _command_block(lines)
    bottom = _command_block(list(reversed(lines[top:])))
    found = lines[:top] + lines[len(lines) - bottom:] if bottom else lines[:top]
    rest = lines[top:len(lines) - bottom] if bottom else lines[top:]
    commands: list[Command] = []
    errors: list[str] = []
    for line in found:
        m = _LINE.match(line)
        if not m:
            continue
        command, error = _command(m.group(1), m.group(2))
        if error:
            errors.append(error)
        elif command:
            commands.append(command)
    body = "\n".join(rest).strip()
    note = next((c for c in commands if c.name == "note"), None)
    if note is not None and note.value:
        body = f"{note.value}\n{body}".strip()
    return Parsed(tuple(commands), body, tuple(errors))


def _command_block(lines: list[str]) -> int:
    """How many lines at the start are commands (blank lines between them allowed)."""
    n = seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _LINE.match(line) and not line.strip().startswith("#" * 2):
            seen, n = seen + 1, i + 1
        else:
            break
    return n if seen else 0


def _command(word: str, value: str) -> tuple[Command | None, str]:
    name = NAMES.get(word.lower())
    if name is None:
        return None, f"unknown command #{word} (use #status, #priority, #assign, #category, " \
                     "#note, #escalate, #merge)"
    if name == "status":
        status = STATUSES.get(value.lower())
        if status is None:
            return None, f"#status {value!r}: use open, waiting, resolved or closed"
        return Command(name, status), ""
    if name == "priority":
        if value.upper() not in PRIORITIES:
            return None, f"#priority {value!r}: use P1, P2, P3 or P4"
        return Command(name, value.upper()), ""
    if name == "category":
        if value.lower() not in CATEGORIES:
            return None, f"#category {value!r}: use one of {', '.join(CATEGORIES)}"
        return Command(name, value.lower()), ""
    if name == "assign" and not re.fullmatch(r"[\w.@+-]{1,100}", value):
        return None, f"#assign {value!r}: give an agent name or address"
    if name == "merge" and not re.fullmatch(r"#?\d{1,12}", value):
        return None, f"#merge {value!r}: give a ticket number"
    return Command(name, value.lstrip("#")), ""
