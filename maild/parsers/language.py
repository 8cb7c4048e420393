"""The language of a mail, for the reply template: "zh", "en", "other", or the fallback.

Place: parse stage, after the quote split. Input: subject and new text (quoted history and
signature are not the customer's words now). Output: "zh" when Han characters make up a real
share of the letters (Chinese mail quotes English error messages all the time); "other" for
Japanese, Korean, Cyrillic and other scripts, and for Latin text whose common words are
German, French, Spanish, Portuguese, Italian or Dutch rather than English; "en" for other
Latin text; the configured fallback when there is nothing to go on. Pure.
"""

from __future__ import annotations

import re

_STOPWORDS = {
    "en": "the and is are to of in it not on for with we i you this that can cannot please "
    "have has error when from our my be at was does do help thanks hi hello dear since after",
    "de": "der die das und ist nicht ich wir sie mit bitte danke jetzt funktioniert auf den "
    "dem ein eine es zu von hallo fehler mein unser wird",
    "fr": "le la les et est pas je nous vous avec merci bonjour une des du pour sur ne que "
    "qui dans mon notre erreur fonctionne",
    "es": "el la los las y es no yo nosotros con gracias hola una por para que del en mi "
    "nuestro error funciona está",
    "pt": "o a os as e é não eu nós com obrigado olá uma por para que do da em meu erro",
    "it": "il lo la gli e è non io noi con grazie ciao una per che del della mio errore",
    "nl": "de het een en is niet ik wij met bedankt hallo voor van op mijn fout werkt",
}
_WORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")
# bounded quantifiers: an unbounded \S+ before "@" is quadratic on one long "word"
_NOISE = re.compile(
    r"https?://\S{1,2000}|(?<!\S)\S{1,64}@\S{1,255}|\b[A-Z_0-9]{2,40}[-_]\w{1,60}\b"
    r"|\b\w{1,80}(?:Exception|Error)\b"
)


def detect(text: str, fallback: str) -> str:
    sample = _NOISE.sub(" ", text[:20_000])
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    hangul = len(_HANGUL.findall(sample))
    latin = len(_LATIN.findall(sample))
    other = len(_LETTER.findall(sample)) - han - kana - hangul - latin  # Cyrillic, Greek …
    if kana > 3 and kana * 5 >= han:
        return "other"
    if hangul > 3 and hangul * 2 >= han:
        return "other"
    # one Han character stands for a word; about eight Latin letters (with spaces) do too.
    # Ten Han characters are a Chinese writer whatever English log they pasted below.
    if han >= 10 or (han >= 2 and han * 8 >= latin * 0.5):
        return "zh"
    if other > latin and other > 5:
        return "other"
    if latin:
        return "other" if _other_latin(sample) else "en"
    if han:
        return "zh"
    return fallback


def _other_latin(sample: str) -> bool:
    words = [w.lower() for w in _WORD.findall(sample)[:500]]
    counts = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    best = max(counts, key=lambda lang: counts[lang])
    return best != "en" and counts[best] >= 2 and counts[best] > counts["en"] * 1.5
