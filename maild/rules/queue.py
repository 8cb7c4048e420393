"""Assignment queue: which team's queue a ticket goes to, from its category (and product).

The map is data (`rules.queues` in maild.toml): keys are "product/category", "category",
"product/*" or "*"; the most specific key present wins. Without a match the ticket goes to
DEFAULT_QUEUE. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_QUEUE = "support"


def queue_for(category: str, product: str = "", queues: Mapping[str, str] | None = None) -> str:
    table = queues or {}
    keys = [f"{product}/{category}", category, f"{product}/*", "*"] if product else [category, "*"]
    for key in keys:
        if key in table:
            return table[key]
    return DEFAULT_QUEUE
