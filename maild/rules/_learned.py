"""What the learned rules share: the model's judgement of one mail, worked out once for both
questions, put as a rule hit with its reason."""

from __future__ import annotations

from maild.message import ParsedMessage, RuleHit
from maild.rules import Context
from maild.rules._model import judge, model_text, vector
from maild.rules._text import _remembered, quote


def judged(msg: ParsedMessage, ctx: Context, question: str) -> RuleHit | None:
    model = ctx.model
    if model is None:
        return None
    vec = _remembered(msg, ctx, "model-vector",
                      lambda: vector(model, model_text(msg.subject, msg.text)))
    if not vec:
        return None  # not one term the model knows: nothing learned applies
    j = judge(model, question, vec)
    why = f"read as {j.label} ({j.sure:.0%} sure) by the model learned from " \
          f"{model.trained_on} labelled mails"
    if j.because:
        why += f"; weighed most: {quote(list(j.because))}"
    return RuleHit(f"learned-{question}", f"{question}={j.label}", why)
