"""Human labels of tag values (crime types, convention articles, cross-cutting issues) from the vocabulary."""

from __future__ import annotations

from sherloc.vocab.loader import Vocabulary

DEFAULT_LANGUAGE = "en"


class TagLabels:
    """Labels in any of the six UN languages (English when a label is missing); without a vocabulary,
    or for a value it does not know, the value itself."""

    def __init__(self, vocabulary: Vocabulary | None) -> None:
        self._labels: dict[tuple[str, str], dict[str, str]] = {}
        self._articles: dict[str, str] = {}
        if vocabulary is None:
            return
        for crime_type in vocabulary.crime_types:
            self._labels[("crime_type", crime_type.id)] = crime_type.labels
        for issue in vocabulary.cross_cutting:
            self._labels[("cross_cutting", issue.id)] = issue.labels
        for instrument in vocabulary.instruments:
            for article in instrument.articles:
                self._articles[article.ref] = article.title

    def label(self, scheme: str, value: str, language: str | None = DEFAULT_LANGUAGE) -> str:
        """ "Money laundering"; for an article, its reference and title: "UNTOC 6: Criminalization of ..."."""
        if scheme == "instrument_article":
            title = self._articles.get(value)
            return f"{value}: {title}" if title else value
        labels = self._labels.get((scheme, value))
        if not labels:
            return value
        return labels.get(language or DEFAULT_LANGUAGE) or labels.get(DEFAULT_LANGUAGE) or value
