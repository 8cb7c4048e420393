"""Triage rules: small pure named functions that read a parsed mail and decide.

Each module in this package holds one rule, registered with `@rule("kebab-name")`; the
package is scanned, so adding a rule is one new file plus its test. A rule reads the
ParsedMessage and a read-only `Context` and returns a `RuleHit` (effect + reason) or None.
No I/O in rules. `evaluate` runs the enabled ones and folds their effects into a category,
a priority and the list of hits that explain them.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from maild.message import ParsedMessage, RuleHit
from maild.settings import PRIORITIES, RulesSettings

Rule = Callable[[ParsedMessage, "Context"], RuleHit | None]
REGISTRY: dict[str, Rule] = {}
DEFAULT_PRIORITY = "P3"
DEFAULT_CATEGORY = "other"


@dataclass(frozen=True, slots=True)
class Context:
    rules: RulesSettings
    now: datetime
    words: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if name in REGISTRY and REGISTRY[name] is not fn:
            raise ValueError(f"rule name {name!r} is taken")
        REGISTRY[name] = fn
        return fn

    return register


def discover() -> dict[str, Rule]:
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY


@dataclass(frozen=True, slots=True)
class Verdict:
    category: str
    priority: str
    hits: tuple[RuleHit, ...]


def evaluate(msg: ParsedMessage, ctx: Context) -> Verdict:
    """Run every enabled rule; fold the effects: the most urgent priority wins, then
    "priority+1" steps raise it; the first category hit wins (rules run in name order)."""
    hits = tuple(
        hit
        for name, fn in sorted(discover().items())
        if name not in ctx.rules.disabled and (hit := fn(msg, ctx)) is not None
    )
    priority, category = DEFAULT_PRIORITY, DEFAULT_CATEGORY
    set_priorities = [h.effect.split("=", 1)[1] for h in hits if h.effect.startswith("priority=")]
    if set_priorities:
        priority = min(set_priorities, key=PRIORITIES.index)
    for h in hits:
        if h.effect == "priority+1":
            priority = PRIORITIES[max(0, PRIORITIES.index(priority) - 1)]
    categories = [h.effect.split("=", 1)[1] for h in hits if h.effect.startswith("category=")]
    if categories:
        category = categories[0]
    return Verdict(category, priority, hits)
