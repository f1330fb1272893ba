"""Load corpus/vocab/directory_mandates.yaml: the mandates of the Directory of Competent National
Authorities (instrument and article designating each), and the channels an authority accepts requests by."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sherloc.vocab.loader import UN_LANGUAGES, VocabularyError

MANDATES_FILE = "directory_mandates.yaml"


def _pick(labels: Mapping[str, str], language: str | None) -> str:
    return labels.get(language or "en") or labels["en"]


@dataclass(frozen=True)
class Mandate:
    id: str
    instrument: str  # an id of `instruments` in the file: UNTOC, SOM, FP, C1988, UNCAC
    article: str  # "18(13)", "17", or "" when no text at hand designates one
    labels: dict[str, str]
    source: str

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)

    def as_json(self) -> dict[str, str]:
        """As an entry's `mandates` keeps it."""
        return {"mandate": self.id, "instrument": self.instrument, "article": self.article}


@dataclass(frozen=True)
class Channel:
    id: str
    labels: dict[str, str]

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)


@dataclass(frozen=True)
class DirectoryVocabulary:
    instruments: dict[str, dict[str, str]]  # id -> short name by language
    mandates: tuple[Mandate, ...]
    channels: tuple[Channel, ...]

    def mandate(self, mandate_id: str) -> Mandate | None:
        return next((m for m in self.mandates if m.id == mandate_id), None)

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def instrument_name(self, instrument: str, language: str | None = "en") -> str:
        names = self.instruments.get(instrument)
        return _pick(names, language) if names else instrument

    def mandate_order(self) -> dict[str, int]:
        return {m.id: n for n, m in enumerate(self.mandates)}


def load_directory_vocabulary(vocab_dir: Path) -> DirectoryVocabulary:
    path = Path(vocab_dir) / MANDATES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise VocabularyError(f"{path}: expected a mapping with 'version: 1'")
    instruments = {
        str(k): _labels(path, v, f"instrument {k}") for k, v in (data.get("instruments") or {}).items()
    }
    mandates = []
    seen: set[str] = set()
    for item in data.get("mandates") or ():
        mandate_id = _text(path, item, "id")
        if mandate_id in seen:
            raise VocabularyError(f"{path}: mandate {mandate_id!r} twice")
        seen.add(mandate_id)
        instrument = _text(path, item, "instrument")
        if instrument not in instruments:
            raise VocabularyError(f"{path}: mandate {mandate_id}: unknown instrument {instrument!r}")
        article = item.get("article")
        if not isinstance(article, str):
            raise VocabularyError(
                f"{path}: mandate {mandate_id}: 'article' must be a string (empty when unknown)"
            )
        mandates.append(
            Mandate(
                id=mandate_id,
                instrument=instrument,
                article=article,
                labels=_labels(path, item.get("labels"), f"mandate {mandate_id}"),
                source=_text(path, item, "source"),
            )
        )
    channels = tuple(
        Channel(
            id=_text(path, item, "id"), labels=_labels(path, item.get("labels"), f"channel {item.get('id')}")
        )
        for item in data.get("channels") or ()
    )
    if not mandates:
        raise VocabularyError(f"{path}: no mandates")
    return DirectoryVocabulary(instruments=instruments, mandates=tuple(mandates), channels=channels)


@functools.cache
def _default() -> DirectoryVocabulary:
    from sherloc.vocab.loader import default_vocab_dir

    return load_directory_vocabulary(default_vocab_dir())


def directory_vocabulary() -> DirectoryVocabulary:
    """The vocabulary of the portal's settings, read once."""
    return _default()


def _text(path: Path, item: Any, key: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise VocabularyError(f"{path}: {key!r} missing or empty in {item!r}")
    return value.strip()


def _labels(path: Path, value: Any, what: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise VocabularyError(f"{path}: {what}: labels must be a mapping of language to text")
    missing = [
        lang for lang in UN_LANGUAGES if not isinstance(value.get(lang), str) or not value[lang].strip()
    ]
    if missing:
        raise VocabularyError(f"{path}: {what}: no label in {', '.join(missing)}")
    return {lang: str(value[lang]).strip() for lang in UN_LANGUAGES}
