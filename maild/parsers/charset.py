"""Bytes to text for any charset a mail claims, or none.

Order: the declared charset's superset (gb2312/gbk → gb18030, big5 → big5hkscs, ks_c_5601 →
cp949, iso-8859-1 → cp1252 …), the declared charset itself, UTF-8, GB18030, and only then
charset-normalizer (it guesses wrong on short Chinese text). Returns the text and a defect
note when the declared charset was wrong, unknown or absent. Never raises.
"""

from __future__ import annotations

import codecs

SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "cp950": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "ks_c_5601": "cp949",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-jp": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "default": "",
}


def normalise(label: str | None) -> str:
    label = (label or "").strip().strip('"').lower()
    return SUPERSETS.get(label, label)


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def decode(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode `data`; the second value is a defect note, or None when all went to plan."""
    label = (declared or "").strip().strip('"').lower()
    wanted = normalise(label)
    candidates: list[str] = []
    if wanted and _known(wanted):
        candidates.append(wanted)
    if label and label != wanted and _known(label):
        candidates.append(label)
    candidates += ["utf-8", "gb18030"]
    for i, name in enumerate(dict.fromkeys(candidates)):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name == "gb18030" and i > 0 and not _plausible_cjk(text):
            continue
        note = None
        if label and wanted and i > 0:
            note = f"charset {label!r} did not fit; decoded as {name}"
        elif label and not _known(wanted or label):
            note = f"unknown charset {label!r}; decoded as {name}"
        return text, note
    guess = _guess(data)
    if guess:
        return guess, f"charset {label or 'missing'}: guessed by content"
    return data.decode(
        "utf-8", "replace"
    ), f"charset {label or 'missing'}: undecodable bytes replaced"


def _plausible_cjk(text: str) -> bool:
    """GB18030 decodes almost any bytes; accept it only if most non-ASCII is common Han."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return True
    han = sum(
        1
        for c in wide
        if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
    )
    return han / len(wide) > 0.8


def _guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    best = from_bytes(data[:200_000]).best()
    return str(best) if best is not None else None
