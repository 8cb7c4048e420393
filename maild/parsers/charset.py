"""Bytes to text for any charset a mail claims, or none.

Place: used by every parser module that turns bytes into text (bodies, headers, file names,
attachments scanned for facts). Input: bytes and the declared charset label (or None).
Output: the text and a defect note when the label was wrong, unknown or absent.

Order: a byte-order mark; ISO-2022 escapes in unlabelled 7-bit text; the declared charset's
superset (gb2312/gbk → gb18030, big5 → big5hkscs, ks_c_5601/euc-kr → cp949, iso-8859-1 →
cp1252 …); the declared charset itself; UTF-8; GB18030 (only when the result reads as
Chinese); and only then charset-normalizer, which guesses wrong on short Chinese text.
Valid multi-byte UTF-8 under a legacy label is taken as UTF-8: mislabelled mail is common,
valid UTF-8 by accident is not. Never raises.
"""

from __future__ import annotations

import codecs
import re

SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "x-mac-chinesesimp": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "big-5": "big5hkscs",
    "cp950": "big5hkscs",
    "ms950": "big5hkscs",
    "x-mac-chinesetrad": "big5hkscs",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "euc-jp": "euc_jis_2004",
    "x-euc-jp": "euc_jis_2004",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "_iso-2022-jp$esc": "iso2022_jp_ext",
    "iso-2022-jp-2": "iso2022_jp_2",
    "utf8": "utf-8",
    "utf8mb4": "utf-8",
    "x-utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
    "unicode-2-0-utf-8": "utf-8",
    "unicode-2-0-utf-7": "utf-7",
    "gb18030-2022": "gb18030",
    "gb-18030": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "x-unknown": "",
    "unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
    "charset": "",
}
_CP_DASH = re.compile(r"^cp[-_ ](\d{3,5})$")
_UNICODE = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-7")
_ISO2022 = re.compile(rb"\x1b(\$[@B]|\$\(D|\([BJI])")
_ISO2022_KR = b"\x1b$)C"
_WESTERN = ("cp1252", "iso-8859-15")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalise(label: str | None) -> str:
    label = (label or "").strip().strip("\"'").lower()
    label = _CP_DASH.sub(r"cp\1", label)  # "cp-850", "cp_1252"
    return SUPERSETS.get(label, label)


def known(name: str) -> bool:
    """A text encoding Python has: not rot13, hex, base64, quopri, idna… which a label may
    name but which do not turn bytes into text."""
    if not name or len(name) > 40:
        return False
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return False
    return getattr(info, "_is_text_encoding", True) and info.name not in _NOT_TEXT


# text encodings by the codec flag, but not for mail bodies: they raise on ordinary bytes
_NOT_TEXT = {"undefined", "idna", "punycode", "raw-unicode-escape", "unicode-escape",
             "raw_unicode_escape", "unicode_escape"}


def no_surrogates(text: str) -> str:
    """`text` with lone surrogates (UTF-7 "+2BY-", broken UTF-16) made U+FFFD: what is
    shown, stored or sent must be valid Unicode."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Decode `data`; the second value is a defect note, or None when all went to plan."""
    text, note = _decode(data, declared)
    return no_surrogates(text), note


def _decode(data: bytes, declared: str | None) -> tuple[str, str | None]:
    label = (declared or "").strip().strip("\"'").lower()[:60]
    wanted = normalise(label)
    if not known(wanted) and wanted.startswith("x-") and known(wanted[2:]):
        wanted = wanted[2:]
    if not data:
        return "", None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data.decode(codec, "replace")
            return text, None if not label or label.startswith("utf") else _note(label, codec)
    if data.isascii():
        return _ascii(data, label, wanted)
    if wanted not in _UNICODE and _multibyte_utf8(data):
        note = _note(label, "utf-8") if label and wanted not in ("", "utf-8") else None
        return data.decode("utf-8"), note
    gbk = _gbk_under_western_label(data, wanted)
    if gbk is not None:
        return gbk, _note(label or "missing", "gb18030")
    candidates: list[str] = []
    if known(wanted):
        candidates.append(wanted)
    if label and label != wanted and known(label):
        candidates.append(label)
    candidates += ["utf-8", "gb18030"]
    for i, name in enumerate(dict.fromkeys(candidates)):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
        if name == "gb18030" and i > 0 and not plausible_cjk(text):
            continue
        if i == 0 and known(wanted):
            return text, None
        if not label or not wanted:
            return text, f"charset {label or 'missing'}: decoded as {name}"
        if not known(wanted):
            return text, f"unknown charset {label!r}; decoded as {name}"
        return text, _note(label, name)
    mostly = _mostly_utf8(data) if wanted in ("", "utf-8") else None
    if mostly is not None:
        return mostly, f"charset {label or 'missing'}: invalid UTF-8 sequences replaced"
    # charset-normalizer needs text to go on; short Western text is far likelier than UTF-16
    guess = _guess(data) if len(data) >= 400 else data.decode("cp1252", "replace")
    if guess:
        return guess, f"charset {label or 'missing'} did not fit: guessed by content"
    if known(wanted):
        try:
            return data.decode(wanted, "replace"), f"charset {label}: undecodable bytes replaced"
        except (UnicodeError, LookupError, ValueError):
            pass
    return data.decode("utf-8", "replace"), f"charset {label or 'missing'}: bytes replaced"


def _ascii(data: bytes, label: str, wanted: str) -> tuple[str, str | None]:
    """7-bit data: plain ASCII unless a 7-bit encoding (ISO-2022, UTF-7, HZ) says otherwise."""
    if wanted in ("utf-7", "hz") or wanted.startswith("iso2022") or label.startswith("iso-2022"):
        codec = wanted if known(wanted) else "iso2022_jp_ext"
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, LookupError, ValueError):
            return data.decode(codec, "replace"), f"charset {label}: undecodable bytes replaced"
    if b"\x1b" in data:
        codec = "iso2022_kr" if _ISO2022_KR in data else "iso2022_jp_ext"
        if codec == "iso2022_kr" or _ISO2022.search(data):
            try:
                text = data.decode(codec)
            except (UnicodeDecodeError, ValueError):
                text = ""
            if text:
                return text, f"charset {label or 'missing'}: ISO-2022 escapes found, read as such"
    return data.decode("ascii"), None


def _multibyte_utf8(data: bytes) -> bool:
    """Strictly valid UTF-8 with two multi-byte characters, or one of three bytes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(data) - len(text) >= 2


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken sequences (cut quoted-printable, a stray byte): keep the rest."""
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 0x7F) - bad
    return text if good >= 1 and bad <= max(1, good // 5) else None


def _gbk_under_western_label(data: bytes, wanted: str) -> str | None:
    """GBK text labelled Latin-1 (old web forms and clients do it): high bytes in long runs."""
    if wanted not in _WESTERN:
        return None
    runs = _HIGH_RUN.findall(data[:20_000])
    high = sum(len(r) for r in runs)
    long_even = sum(len(r) for r in runs if len(r) >= 4 and len(r) % 2 == 0)
    if high < 8 or long_even < high * 0.8:
        return None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    return text if plausible_cjk(text) else None


def _note(label: str, used: str) -> str:
    return f"charset {label!r} did not fit; decoded as {used}"


def plausible_cjk(text: str) -> bool:
    """GB18030 decodes almost any bytes; accept it only if most non-ASCII is common Han."""
    wide = [c for c in text[:20_000] if ord(c) > 127]
    if not wide:
        return True
    han = sum(
        1
        for c in wide
        if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
    )
    return han / len(wide) > 0.8


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    try:
        best = from_bytes(data[:64_000]).best()
    except (ValueError, LookupError, MemoryError):
        return None
    if best is None or not known(str(best.encoding)):
        return None
    # the guess is made on a sample; the whole text is decoded with the guessed codec
    return data.decode(str(best.encoding), "replace")
