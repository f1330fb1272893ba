"""Detect a text's language and check it against what the source declares; disagreements are reported."""

from __future__ import annotations

import threading

from langdetect import DetectorFactory, LangDetectException, detect_langs

MIN_CHARS = 200  # below this langdetect is unreliable; the declared language stands
MIN_PROBABILITY = 0.90

_lock = threading.Lock()


def _iso639_1(code: str) -> str:
    return code.split("-")[0].lower()  # langdetect says zh-cn / zh-tw


def detect(text: str) -> tuple[str, float] | None:
    """(language, probability) for `text`, or None when it is too short or undecidable."""
    text = text.strip()
    if len(text) < MIN_CHARS:
        return None
    with _lock:  # the factory is module-global in langdetect; seed it for repeatable results
        DetectorFactory.seed = 0
        try:
            best = detect_langs(text[:5000])[0]
        except LangDetectException:
            return None
    return _iso639_1(best.lang), float(best.prob)


def check_language(text: str, declared: str | None) -> tuple[str | None, str | None]:
    """The language to record and a note when detection disagrees with the declaration.

    The declared language wins a disagreement (sources know their own language better than a
    statistical guess on a sample), but the disagreement is reported instead of silently chosen.
    """
    found = detect(text)
    if found is None:
        return declared, None
    language, probability = found
    if declared is None:
        return (language if probability >= MIN_PROBABILITY else None), None
    if language != declared and probability >= MIN_PROBABILITY:
        return declared, f"declared language {declared} but the text reads as {language} ({probability:.2f})"
    return declared, None
