"""The language of a mail, for the reply template: "zh", "en", "other", or the fallback.

Place: parse stage, after the quote split. Input: subject and new text (quoted history and
signature are not the customer's words now). Output: "zh" when Han characters make up a real
share of the letters (Chinese mail quotes English error messages all the time), "en" for
Latin-script mail that reads as English, "other" for Japanese, Korean, Cyrillic and other
scripts or clearly non-English Latin text, and the configured fallback when there is nothing
to go on. Pure.
"""

from __future__ import annotations

import re

_EN_WORDS = frozenset(
    "the and is are to of in it not on for with we i you this that can cannot please have has "
    "error when from our my be at an was get does do login log export report help thanks hi "
    "hello dear issue problem users system since after work working".split()
)
_WORD = re.compile(r"[A-Za-z']+")
_NOISE = re.compile(r"https?://\S+|\S+@\S+|\b[A-Z_0-9]{2,}[-_]\w+\b|\b\w+(?:Exception|Error)\b")


def detect(text: str, fallback: str) -> str:
    sample = _NOISE.sub(" ", text[:20_000])
    han = latin = kana = hangul = other = 0
    for c in sample:
        o = ord(c)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF:
            han += 1
        elif 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF:
            hangul += 1
        elif c.isascii():
            if c.isalpha():
                latin += 1
        elif c.isalpha() and not (0xC0 <= o <= 0x24F):
            other += 1  # Cyrillic, Greek, Arabic, Thai …
        elif c.isalpha():
            latin += 1
    if kana > 3 and kana * 5 >= han:
        return "other"
    if hangul > 3 and hangul * 2 >= han:
        return "other"
    # one Han character stands for a word; about eight Latin letters (with spaces) do too
    if han >= 2 and han * 8 >= latin * 0.5:
        return "zh"
    if other > latin and other > 5:
        return "other"
    if latin:
        words = [w.lower() for w in _WORD.findall(sample)[:400]]
        if len(words) >= 8:
            common = sum(w in _EN_WORDS for w in words)
            if common / len(words) < 0.08:
                return "other"
        return "en"
    if han:
        return "zh"
    return fallback
