"""Human labels, in the six UN languages, of search facets and their values, all from vocabulary data.

Crime types, cross-cutting issues and convention articles are labelled in their own vocabulary files;
countries in countries.json (sherloc.vocab.places); facet names, kinds of record, languages and world
regions in facets.yaml. A label missing in a language falls back to English, then to the value itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from sherloc.vocab.loader import UN_LANGUAGES, Vocabulary, VocabularyError
from sherloc.vocab.places import Countries, load_countries

DEFAULT_LANGUAGE = "en"
FACETS_FILE = "facets.yaml"
_GROUPS = {
    "facets": "facet",
    "kinds": "kind",
    "languages": "language",
    "regions": "region",
    "verdicts": "verdict",
    "sentence_ranges": "sentence_range",
}


class Labels:
    """Labels of facet names and values. Built without a vocabulary, every label is the value itself."""

    def __init__(
        self,
        vocabulary: Vocabulary | None,
        vocab_dir: Path | None = None,
    ) -> None:
        # (field, value) -> language -> label; field "facet" holds the facets' own names.
        self._labels: dict[tuple[str, str], Mapping[str, str]] = {}
        self._articles: dict[str, str] = {}
        self.countries: Countries | None = None
        if vocabulary is not None:
            for crime_type in vocabulary.crime_types:
                self._labels[("crime_type", crime_type.id)] = crime_type.labels
            for issue in vocabulary.cross_cutting:
                self._labels[("cross_cutting", issue.id)] = issue.labels
            for instrument in vocabulary.instruments:
                for article in instrument.articles:
                    self._articles[article.ref] = article.title
        if vocab_dir is not None:
            self._labels.update(load_facet_labels(Path(vocab_dir) / FACETS_FILE))
            self.countries = load_countries(vocab_dir)

    def facet(self, name: str, language: str | None = DEFAULT_LANGUAGE) -> str:
        """The facet's own name: "Crime type", "犯罪类型"."""
        return self._pick(("facet", name), language) or name.replace("_", " ").capitalize()

    def label(self, field: str, value: str, language: str | None = DEFAULT_LANGUAGE) -> str:
        """A value's label: "Money laundering"; a country's name; an article's reference and title
        ("UNTOC 6: Criminalization of ..."); court and year as they are."""
        if field == "instrument_article":
            title = self._articles.get(value)
            return f"{value}: {title}" if title else value
        if field == "country" and self.countries is not None:
            country = self.countries.get(value)
            if country is not None:
                return country.name(language)
        return self._pick((field, value), language) or value

    def _pick(self, key: tuple[str, str], language: str | None) -> str | None:
        labels = self._labels.get(key)
        if not labels:
            return None
        return labels.get(language or DEFAULT_LANGUAGE) or labels.get(DEFAULT_LANGUAGE)


def load_facet_labels(path: Path) -> dict[tuple[str, str], Mapping[str, str]]:
    """facets.yaml as (field, value) -> labels; VocabularyError naming the entry when it is malformed."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != 1:
        raise VocabularyError(f"{path.name}: expected a mapping with version: 1")
    out: dict[tuple[str, str], Mapping[str, str]] = {}
    for group, field in _GROUPS.items():
        entries = data.get(group)
        if not isinstance(entries, dict):
            raise VocabularyError(f"{path.name}: '{group}' must be a mapping of ids to labels")
        for value, labels in entries.items():
            if not isinstance(labels, dict) or set(labels) != set(UN_LANGUAGES):
                raise VocabularyError(
                    f"{path.name}: {group}.{value} needs a label in each of {', '.join(UN_LANGUAGES)}"
                )
            if not all(isinstance(v, str) and v.strip() for v in labels.values()):
                raise VocabularyError(f"{path.name}: {group}.{value} has an empty label")
            out[(field, str(value))] = {k: v.strip() for k, v in labels.items()}
    return out
