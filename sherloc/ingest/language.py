"""Detect a text's language and check it against what the source declares; disagreements are reported.

Two detectors, each where it is right: langdetect (the library the project names) on passages of some
length, where it is accurate; lingua, restricted to the languages a legal portal meets, on short texts,
where langdetect guesses (it calls short Chinese Korean, and raises on some single words).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from langdetect import DetectorFactory, LangDetectException, detect_langs

LONG_TEXT = 200  # characters from which langdetect is trusted
MIN_PROBABILITY = 0.90
SAMPLE = 5000

# Languages lingua chooses among: the six UN languages, the vocabulary's others, and common neighbours
# whose texts would otherwise be forced into a wrong neighbour (Italian into Spanish...).
LINGUA_LANGUAGES = (
    "ARABIC", "CHINESE", "ENGLISH", "FRENCH", "RUSSIAN", "SPANISH", "PORTUGUESE", "GERMAN", "ITALIAN",
    "DUTCH", "JAPANESE", "KOREAN", "TURKISH", "PERSIAN", "UKRAINIAN", "POLISH", "INDONESIAN", "VIETNAMESE",
)  # fmt: skip

_HAN = re.compile(r"[\u3400-\u9fff]")
_langdetect_lock = threading.Lock()


def _iso639_1(code: str) -> str:
    return code.split("-")[0].lower()  # langdetect says zh-cn / zh-tw


def detect_langdetect(text: str) -> tuple[str, float] | None:
    """langdetect's best guess and its probability, or None when it cannot decide."""
    with _langdetect_lock:  # the factory is module-global; seed it for repeatable results
        DetectorFactory.seed = 0
        try:
            best = detect_langs(text[:SAMPLE])[0]
        except LangDetectException:
            return None
    return _iso639_1(best.lang), float(best.prob)


@lru_cache(maxsize=1)
def _lingua() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LINGUA_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_lingua(text: str) -> tuple[str, float] | None:
    """lingua's best guess among LINGUA_LANGUAGES and its confidence, or None."""
    values = _lingua().compute_language_confidence_values(text[:SAMPLE])
    if not values:
        return None
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), float(best.value)


def detect(text: str) -> tuple[str, float] | None:
    """(language, confidence) for `text`, or None when it has no letters to judge by."""
    text = text.strip()
    if not any(ch.isalpha() for ch in text):
        return None
    if len(text) >= LONG_TEXT and not _HAN.search(text[:SAMPLE]):
        found = detect_langdetect(text)
        if found is not None and found[1] >= MIN_PROBABILITY:
            return found
    return detect_lingua(text)


def check_language(
    text: str, declared: str | None, *, assumed: bool = False
) -> tuple[str | None, str | None]:
    """The language to record and a note when detection disagrees with the source.

    A language the source declares wins a disagreement (sources know their own language better than a
    statistical guess on a sample), but the disagreement is reported instead of silently chosen. A
    language a parser only assumes (every listing of a US court feed is "en", yet Puerto Rico's courts
    write in Spanish) yields to a confident detection, which is reported too.
    """
    found = detect(text)
    if found is None:
        return declared, None
    language, confidence = found
    if declared is None:
        return (language if confidence >= MIN_PROBABILITY else None), None
    if language == declared or confidence < MIN_PROBABILITY:
        return declared, None
    if assumed:
        return (
            language,
            f"assumed language {declared} but the text reads as {language}: recorded as {language}",
        )
    return declared, f"declared language {declared} but the text reads as {language}"
