"""Is this mail really from one of our agents? And what does the customer say on a resolved
ticket?

Input: the parsed mail, the agents' addresses and whether it replies to a mail we sent to
the agents. Output: (is an agent reply, reason). An agent reply must come from an agent
address, reply to a notification or relay we sent (so a forged From alone gets nowhere), and
not fail the receiving server's authentication (Authentication-Results: SPF/DKIM/DMARC fail →
not an agent; `agents.require_auth` asks for a pass). Pure.
"""

from __future__ import annotations

import re

from maild.message import ParsedMessage

_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*(\w+)", re.IGNORECASE)
NOT_FIXED = re.compile(
    r"(没有解决|沒有解決|还是不行|還是不行|仍然不行|依然不行|问题依旧|问题还在|还是报错|没解决|未解决|"
    r"not (fixed|solved|resolved)|still (broken|failing|not working|the same|happening)|"
    r"doesn'?t work|does not work|didn'?t (help|work)|same (problem|error))",
    re.IGNORECASE,
)
RATINGS = {
    "非常满意": "very satisfied", "满意": "satisfied", "一般": "neutral", "不满意": "unsatisfied",
    "very satisfied": "very satisfied", "satisfied": "satisfied", "neutral": "neutral",
    "unsatisfied": "unsatisfied", "dissatisfied": "unsatisfied", "1": "very satisfied",
    "2": "satisfied", "3": "neutral", "4": "unsatisfied",
}


def authentication(msg: ParsedMessage, authserv_id: str = "") -> dict[str, str]:
    """SPF/DKIM/DMARC results of the topmost Authentication-Results header (the one our MX
    added); with `authserv_id`, only a header that names our MX counts (RFC 8601)."""
    header = msg.header("authentication-results") or ""
    if authserv_id and header.split(";")[0].strip().lower() != authserv_id.lower():
        return {}
    return {k.lower(): v.lower() for k, v in _RESULT.findall(header)}


def agent_check(msg: ParsedMessage, agents: tuple[str, ...], replies_to_agent_mail: bool,
                require_auth: bool, authserv_id: str = "") -> tuple[bool, str]:
    if msg.sender.address not in agents:
        return False, ""
    results = authentication(msg, authserv_id)
    failed = [k for k, v in results.items() if v in ("fail", "softfail")]
    if failed:
        return False, f"From an agent address but {', '.join(failed)} failed: treated as a " \
                      "customer mail"
    if require_auth and not any(v == "pass" for v in results.values()):
        return False, "From an agent address without a passing SPF/DKIM/DMARC result"
    if not replies_to_agent_mail:
        return False, "From an agent address but not a reply to a notification we sent"
    return True, "agent reply to a notification we sent"


def rating(text: str) -> str | None:
    """A one-word satisfaction answer (非常满意 / satisfied / 1–4), or None."""
    word = re.sub(r"[\s。.!！,，]+$", "", text.strip().split("\n")[0].strip()).lower()
    if len(text.strip()) > 40:
        return None
    return RATINGS.get(word)


def not_fixed(text: str) -> bool:
    return bool(NOT_FIXED.search(text))
