"""Crime-type pages: a crime type's labels and terms, its convention articles and what the store holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sherloc.services.records import tag_counts, tag_counts_by_country
from sherloc.vocab.loader import UN_LANGUAGES, Article, CrimeType, Vocabulary


class CrimeTypeNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CrimeTypeSummary:
    id: str
    records: int


@dataclass(frozen=True)
class CrimeTypePage:
    crime_type: CrimeType
    articles: tuple[Article, ...]
    # The vocabulary's own names of the offence, in the six UN languages (then any others).
    terms: list[tuple[str, tuple[str, ...]]]
    by_country: dict[str, dict[str, int]]  # country code -> kind -> tagged records

    @property
    def total(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.by_country.values())


def crime_type_index(session: Session, vocabulary: Vocabulary) -> list[CrimeTypeSummary]:
    """Every crime type in vocabulary order, with how many records are tagged with it."""
    counts = tag_counts(session, "crime_type")
    return [CrimeTypeSummary(ct.id, counts.get(ct.id, 0)) for ct in vocabulary.crime_types]


def crime_type_page(session: Session, vocabulary: Vocabulary, crime_type_id: str) -> CrimeTypePage:
    try:
        crime_type = vocabulary.crime_type(crime_type_id)
    except KeyError:
        raise CrimeTypeNotFound(crime_type_id) from None
    languages = [*UN_LANGUAGES, *sorted(set(crime_type.terms) - set(UN_LANGUAGES))]
    terms = [(lang, crime_type.terms[lang]) for lang in languages if crime_type.terms.get(lang)]
    return CrimeTypePage(
        crime_type=crime_type,
        articles=vocabulary.criminalization_articles(crime_type.id),
        terms=terms,
        by_country=tag_counts_by_country(session, "crime_type", crime_type.id),
    )
