"""The vocabulary as the API shows it: crime types with their articles, instruments, cross-cutting issues."""

from __future__ import annotations

from typing import Any

from sherloc.vocab.loader import UN_LANGUAGES, Article, CrimeType, CrossCuttingIssue, Vocabulary


class VocabularyEntryNotFound(LookupError):
    """No entry of the vocabulary has this id; args: (what, id)."""


def article_entry(article: Article) -> dict[str, Any]:
    return {
        "ref": article.ref,
        "instrument": article.instrument,
        "number": article.number,
        "title": article.title,
        "crime_type": article.crime_type,
    }


def _terms(terms: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    return {language: list(phrases) for language, phrases in terms.items()}


def crime_type_entry(vocabulary: Vocabulary, crime_type: CrimeType) -> dict[str, Any]:
    return {
        "id": crime_type.id,
        "labels": dict(crime_type.labels),
        "terms": _terms(crime_type.terms),
        "context": _terms(crime_type.context),
        "exclude": _terms(crime_type.exclude),
        "articles": [article_entry(a) for a in vocabulary.criminalization_articles(crime_type.id)],
    }


def cross_cutting_entry(issue: CrossCuttingIssue) -> dict[str, Any]:
    return {
        "id": issue.id,
        "labels": dict(issue.labels),
        "articles": list(issue.articles),
        "terms": _terms(issue.terms),
        "context": _terms(issue.context),
        "exclude": _terms(issue.exclude),
    }


def vocabulary_document(vocabulary: Vocabulary) -> dict[str, Any]:
    """The whole vocabulary, in file order."""
    return {
        "label_languages": list(UN_LANGUAGES),
        "term_languages": list(vocabulary.term_languages),
        "crime_types": [crime_type_entry(vocabulary, ct) for ct in vocabulary.crime_types],
        "instruments": [
            {"id": i.id, "title": i.title, "articles": [article_entry(a) for a in i.articles]}
            for i in vocabulary.instruments
        ],
        "cross_cutting": [cross_cutting_entry(issue) for issue in vocabulary.cross_cutting],
    }


def crime_type_document(vocabulary: Vocabulary, crime_type_id: str) -> dict[str, Any]:
    """One crime type; VocabularyEntryNotFound when there is none with this id."""
    try:
        crime_type = vocabulary.crime_type(crime_type_id)
    except KeyError:
        raise VocabularyEntryNotFound("crime type", crime_type_id) from None
    return crime_type_entry(vocabulary, crime_type)
