"""Reply tokens: a plus-address that carries a signed ticket number.

Our mails carry `Reply-To: support+t1001.3f9a0c1b2d@example.com`; a reply to it names its
ticket even when the client dropped In-Reply-To, References and the subject tag. The token
is an HMAC of the number under a secret of this installation, so it cannot be made up for
another ticket by changing digits. Pure: the secret is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

MAC_LEN = 10


def _mac(secret: str, number: int) -> str:
    return hmac.new(secret.encode(), f"ticket:{number}".encode(), hashlib.sha256).hexdigest()[
        :MAC_LEN]


def address(support: str, secret: str, number: int) -> str:
    local, _, domain = support.partition("@")
    return f"{local}+t{number}.{_mac(secret, number)}@{domain}"


def find(addresses: Iterable[str], support: str, secret: str) -> int | None:
    """The ticket named by a valid token among `addresses`, or None (forged tokens too)."""
    local, _, domain = support.lower().partition("@")
    pattern = re.compile(rf"^{re.escape(local)}\+t(\d{{1,12}})\.([0-9a-f]{{{MAC_LEN}}})@"
                         rf"{re.escape(domain)}$")
    for a in addresses:
        m = pattern.match(a.lower())
        if m and hmac.compare_digest(m.group(2), _mac(secret, int(m.group(1)))):
            return int(m.group(1))
    return None
