"""Triage rules: small pure named functions that read a parsed mail and decide.

Each module in this package holds one rule, registered with `@rule("kebab-name")`; the
package is scanned, so adding a rule is one new file plus its test (modules whose name starts
with "_" are helpers, not scanned). A rule reads the ParsedMessage and a read-only `Context`
and returns a `RuleHit` (effect + reason) or None. No I/O in rules. `evaluate` runs the
enabled ones and folds their effects into a category, a priority and the hits that explain
them.

Effects, and how they fold:
- "priority=P2": a level the mail's impact calls for; the most urgent one is the base
  (P3 when no rule sets one);
- "priority-1 min P3": one step lower (a workaround, "not urgent"), never below the minimum;
  applied once however many rules ask;
- "priority+1", "priority+1 max P2": one step higher (VIP sender, business peak, the
  customer's urgency), never above the maximum; the raises do not add up: the most urgent
  of them wins, so a VIP writing "紧急" on a question is P2, not P1;
- "category=data": the first category hit wins (rules run in name order).

With a learned model (`rules.model`, on by default), the rules `learned-priority` and
`learned-category` give the model's judgement, and it decides: the priority is the learned
level with only the steps of `rules.after_model` on top (VIP sender, business peak — what
labelled mail cannot know), the category is the learned one. The word rules still run; the
hits that agree with the outcome stay as its further reasons, the ones it overrules are left
out. A disabled learned rule hands its question back to the word rules.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from maild.message import ParsedMessage, RuleHit
from maild.peaks import Peak, parse_peak
from maild.rules._model import Model
from maild.rules.queue import queue_for
from maild.rules.words import Words, defaults, merged
from maild.settings import PRIORITIES, RulesSettings, Settings

Rule = Callable[[ParsedMessage, "Context"], RuleHit | None]
REGISTRY: dict[str, Rule] = {}
DEFAULT_PRIORITY = "P3"
DEFAULT_CATEGORY = "other"
_STEP = re.compile(r"^priority([+-])1(?: (max|min) (P[1-4]))?$")


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may read besides the mail: settings, the arrival time, word lists, the
    support time zone, business-peak windows and the category → queue map."""

    rules: RulesSettings
    now: datetime
    words: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    timezone: str = "UTC"
    peaks: tuple[Peak, ...] = ()
    queues: Mapping[str, str] = field(default_factory=dict)
    product: str = ""
    model: Model | None = None


def context_for(
    settings: Settings, now: datetime, words: Words | None = None, model: Model | None = None
) -> Context:
    """The Context for one mail: settings' rules, word lists (defaults plus `rules.words`
    overrides), support time zone, business peaks (`rules.business_peaks`), queues
    (`rules.queues`) and the learned model (loaded beforehand, see `_model.configured`).
    Settings fields not defined yet are read as empty."""
    rules = settings.rules
    lists = words if words is not None else defaults()
    overrides = getattr(rules, "words", None)
    if overrides:
        lists = merged(lists, overrides)
    return Context(
        rules,
        now,
        lists,
        settings.support.timezone,
        _peaks(tuple(getattr(rules, "business_peaks", ()) or ())),
        dict(getattr(rules, "queues", None) or {}),
        model=model,
    )


@cache
def _peaks(texts: tuple[str, ...]) -> tuple[Peak, ...]:
    return tuple(parse_peak(t) for t in texts)


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        if name in REGISTRY and REGISTRY[name] is not fn:
            raise ValueError(f"rule name {name!r} is taken")
        REGISTRY[name] = fn
        return fn

    return register


def discover() -> dict[str, Rule]:
    """Every rule module of the package, imported once (the scan is not repeated per mail)."""
    if not _SCANNED:
        for info in pkgutil.iter_modules(__path__):
            if not info.name.startswith("_"):
                importlib.import_module(f"{__name__}.{info.name}")
        _SCANNED.append(True)
    return REGISTRY


_SCANNED: list[bool] = []


@dataclass(frozen=True, slots=True)
class Verdict:
    category: str
    priority: str
    hits: tuple[RuleHit, ...]
    queue: str = ""


def fold_priority(hits: tuple[RuleHit, ...]) -> str:
    """The priority the hits' effects call for (see the module docstring)."""
    levels = [h.effect.split("=", 1)[1] for h in hits if h.effect.startswith("priority=")]
    index = min((PRIORITIES.index(p) for p in levels), default=PRIORITIES.index(DEFAULT_PRIORITY))
    steps = [m.groups() for h in hits if (m := _STEP.match(h.effect))]
    lower = [
        PRIORITIES.index(limit) if limit else len(PRIORITIES) - 1
        for s, _, limit in steps
        if s == "-"
    ]
    if lower and index < min(lower):
        index += 1
    raised = index
    for sign, _, limit in steps:
        if sign == "+":
            ceiling = PRIORITIES.index(limit) if limit else 0
            raised = min(raised, max(index - 1, ceiling))
    return PRIORITIES[max(0, raised)]


LEARNED = {"priority": "learned-priority", "category": "learned-category"}


def evaluate(msg: ParsedMessage, ctx: Context) -> Verdict:
    """Run every enabled rule and fold their effects into category, priority and queue."""
    hits = tuple(
        hit
        for name, fn in sorted(discover().items())
        if name not in ctx.rules.disabled and (hit := fn(msg, ctx)) is not None
    )
    learned = {h.rule: h for h in hits if h.rule in LEARNED.values()}
    after = frozenset(getattr(ctx.rules, "after_model", ()))
    if (by_model := learned.get(LEARNED["priority"])) is not None:
        priority = fold_priority((by_model, *(h for h in hits if h.rule in after)))
    else:
        priority = fold_priority(tuple(h for h in hits if h.rule not in LEARNED.values()))
    if (by_model := learned.get(LEARNED["category"])) is not None:
        category = _value(by_model)
    else:
        categories = [_value(h) for h in hits if h.effect.startswith("category=")]
        category = categories[0] if categories else DEFAULT_CATEGORY
    if learned:
        hits = tuple(h for h in hits if _agrees(h, priority, category, learned, after))
    queue = queue_for(category, ctx.product, ctx.queues) if ctx.queues else ""
    return Verdict(category, priority, hits, queue)


def _value(hit: RuleHit) -> str:
    return hit.effect.split("=", 1)[1]


def _agrees(
    hit: RuleHit, priority: str, category: str, learned: Mapping[str, RuleHit],
    after: frozenset[str],
) -> bool:
    """Whether a hit is a reason for the outcome the learned rules decided: theirs are, so is
    a word rule that calls for the same level or category; a step counts when it was
    applied (after_model) or the question was left to the word rules."""
    if hit.rule in learned:
        return True
    if hit.effect.startswith("category="):
        return LEARNED["category"] not in learned or _value(hit) == category
    if hit.effect.startswith("priority="):
        return LEARNED["priority"] not in learned or _value(hit) == priority
    if hit.effect.startswith("priority"):
        return LEARNED["priority"] not in learned or hit.rule in after
    return True
