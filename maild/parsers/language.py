"""The language of a mail, for the reply template: "zh", "en", or the configured fallback.

Input: subject and new text. Output: a language code. Chinese wins when Han characters make up
a real share of the letters (a Chinese mail quotes English error messages all the time).
"""

from __future__ import annotations


def detect(text: str, fallback: str) -> str:
    han = latin = kana = hangul = 0
    for c in text[:20_000]:
        o = ord(c)
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            han += 1
        elif 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF:
            hangul += 1
        elif c.isascii() and c.isalpha():
            latin += 1
    if kana > 5 and kana * 4 > han:
        return "ja"
    if hangul > 5:
        return "ko"
    # one Han character stands for a word; four Latin letters roughly do
    if han and han * 4 >= latin * 0.5:
        return "zh"
    if latin:
        return "en"
    return fallback
