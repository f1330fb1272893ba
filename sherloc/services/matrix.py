"""The implementation matrix: for each country, its provisions tagged with each convention criminalization
article (and each crime type no such article covers), how many and how confidently; and one cell's
provisions, the definitional ones first (what the side-by-side view and the API list)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from sherloc.models import Record, Tag
from sherloc.services.export import BOM, csv_cell
from sherloc.tagging.placement import Placement, best_placement
from sherloc.vocab.loader import Vocabulary

# The instruments whose criminalization articles are the matrix's columns: the Convention and its three
# Protocols. The articles themselves come from the vocabulary (those tied to a crime type).
MATRIX_INSTRUMENTS = ("UNTOC", "TIP", "SOM", "FP")
MATRIX_KIND = "provision"

# Where a tag's evidence places a provision, best first: its own heading (or a decision's charges) names
# the offence; a heading it sits under does; its law's title does; only its text mentions it.
OWN_HEADING, CHAPTER, LAW_TITLE, MENTION = (  # best first
    Placement.OWN_HEADING,
    Placement.CHAPTER,
    Placement.LAW_TITLE,
    Placement.MENTION,
)
PLACEMENTS = {OWN_HEADING: "heading", CHAPTER: "chapter", LAW_TITLE: "law_title", MENTION: "text"}


class UnknownColumn(LookupError):
    """Neither a convention article nor a crime type of the vocabulary."""


@dataclass(frozen=True)
class Column:
    """A matrix column: a convention article (scheme instrument_article, key "UNTOC 6") or a crime type
    that no convention article criminalizes (scheme crime_type, key "cybercrime")."""

    scheme: str
    key: str
    crime_type: str | None

    @property
    def filter(self) -> tuple[str, str]:
        """The search filter selecting its records: ("instrument_article", "UNTOC 6")."""
        return self.scheme, self.key


@dataclass(frozen=True)
class Cell:
    country: str
    column: str
    count: int = 0
    max_confidence: float | None = None
    mean_confidence: float | None = None


@dataclass
class Matrix:
    columns: list[Column]
    countries: list[str]  # country codes, in code order
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (country, column key) -> cell
    language: str | None = None

    def cell(self, country: str, column: str) -> Cell:
        return self.cells.get((country, column)) or Cell(country, column)


@dataclass(frozen=True)
class RankedProvision:
    record: Record
    confidence: float
    placement: Placement


def in_a_law() -> ColumnElement[bool]:
    """A provision of a law: a country's own legislation. A treaty's articles bind it too, but they are
    the treaty's (shown with the treaties), not how the country's law implements the convention."""
    law = aliased(Record)
    return exists().where(law.id == Record.parent_id, law.kind == "law")


def rank_key(provision: RankedProvision) -> tuple[int, float, str, int]:
    """Definitional provisions first (by placement), then by confidence, then in law order."""
    record = provision.record
    return provision.placement, -provision.confidence, record.parent_id or "", record.position


@dataclass(frozen=True)
class CellProvisions:
    column: Column
    country: str
    total: int
    provisions: list[RankedProvision]


def matrix_columns(vocabulary: Vocabulary) -> list[Column]:
    """The criminalization articles of the Convention and its Protocols, in vocabulary order, then the
    crime types none of them criminalizes."""
    columns = [
        Column("instrument_article", article.ref, article.crime_type)
        for instrument in vocabulary.instruments
        if instrument.id in MATRIX_INSTRUMENTS
        for article in instrument.articles
        if article.crime_type
    ]
    covered = {c.crime_type for c in columns}
    columns += [Column("crime_type", ct.id, ct.id) for ct in vocabulary.crime_types if ct.id not in covered]
    return columns


def find_column(
    vocabulary: Vocabulary, *, article: str | None = None, crime_type: str | None = None
) -> Column:
    """The column (or any convention article, or any crime type) named by `article` or `crime_type`."""
    if article is not None:
        for instrument in vocabulary.instruments:
            for candidate in instrument.articles:
                if candidate.ref == article.strip():
                    return Column("instrument_article", candidate.ref, candidate.crime_type)
        raise UnknownColumn(article)
    if crime_type is not None:
        try:
            return Column("crime_type", vocabulary.crime_type(crime_type).id, crime_type)
        except KeyError:
            raise UnknownColumn(crime_type) from None
    raise UnknownColumn("")


def _column_condition(columns: Iterable[Column]) -> Any:
    by_scheme: dict[str, list[str]] = {}
    for column in columns:
        by_scheme.setdefault(column.scheme, []).append(column.key)
    return or_(*(and_(Tag.scheme == scheme, Tag.value.in_(keys)) for scheme, keys in by_scheme.items()))


def build_matrix(session: Session, vocabulary: Vocabulary, language: str | None = None) -> Matrix:
    """Every country with records (in `language`, if given) against every column: the provisions tagged
    with it, their number and the highest and mean confidence of those tags."""
    columns = matrix_columns(vocabulary)
    countries_query = select(Record.country).where(Record.country.is_not(None)).distinct()
    if language:
        countries_query = countries_query.where(Record.language == language)
    countries = sorted(str(c).upper() for c in session.scalars(countries_query))
    query = (
        select(Record.country, Tag.value, func.count(), func.max(Tag.confidence), func.avg(Tag.confidence))
        .join(Tag, Tag.record_id == Record.id)
        .where(
            Record.kind == MATRIX_KIND, in_a_law(), Record.country.is_not(None), _column_condition(columns)
        )
        .group_by(Record.country, Tag.scheme, Tag.value)
    )
    if language:
        query = query.where(Record.language == language)
    matrix = Matrix(columns=columns, countries=countries, language=language)
    for country, value, count, top, mean in session.execute(query):
        code = str(country).upper()
        matrix.cells[(code, value)] = Cell(
            code, value, int(count), round(float(top), 3), round(float(mean), 3)
        )
    return matrix


def placement(record: Record, tag: Tag) -> Placement:
    """Where the evidence of `tag` (on `record`) places it, OWN_HEADING ... MENTION. An article's tag holds
    the crime types and issues it follows from; their own tags say where their terms were found (as
    sherloc.search.indexer reads them to rank records about a crime type first)."""
    if tag.origin == "editor":
        return OWN_HEADING
    evidence: list[Mapping[str, Any]] = [e for e in tag.evidence or [] if isinstance(e, Mapping)]
    if tag.scheme == "instrument_article":
        via = {(str(e.get("scheme")), str(e.get("value"))) for e in evidence if "term" not in e}
        sources = [t for t in record.tags if (t.scheme, t.value) in via]
        if any(t.origin == "editor" for t in sources):
            return OWN_HEADING
        evidence = [e for t in sources for e in t.evidence or [] if isinstance(e, Mapping)]
    law_title = record.parent.title if record.parent is not None else None
    return best_placement(evidence, law_title)


def cell_provisions(
    session: Session, column: Column, country: str, limit: int | None = 5, language: str | None = None
) -> CellProvisions:
    """The country's provisions tagged with the column, definitional ones first: by placement, then
    confidence, then law and position. `limit` None: all of them."""
    query = (
        select(Record, Tag)
        .join(Tag, Tag.record_id == Record.id)
        .where(
            Record.kind == MATRIX_KIND,
            in_a_law(),
            Record.country == country.upper(),
            Tag.scheme == column.scheme,
            Tag.value == column.key,
        )
        .options(selectinload(Record.tags), selectinload(Record.parent))
    )
    if language:
        query = query.where(Record.language == language)
    ranked = [
        RankedProvision(record, tag.confidence, placement(record, tag))
        for record, tag in session.execute(query)
    ]
    ranked.sort(key=rank_key)
    return CellProvisions(column, country.upper(), len(ranked), ranked if limit is None else ranked[:limit])


CSV_COLUMNS = (
    "country",
    "country_name",
    "column",
    "scheme",
    "label",
    "count",
    "max_confidence",
    "mean_confidence",
)


def matrix_rows(matrix: Matrix, labels: Any, language: str) -> list[dict[str, Any]]:
    """The matrix as one row per cell (every country by every column, empty cells with count 0), as the
    CSV export and the API's cells list give it."""
    return [
        {
            "country": country,
            "country_name": labels.label("country", country, language),
            "column": column.key,
            "scheme": column.scheme,
            "label": labels.label(column.scheme, column.key, language),
            "count": cell.count,
            "max_confidence": cell.max_confidence,
            "mean_confidence": cell.mean_confidence,
        }
        for country in matrix.countries
        for column in matrix.columns
        for cell in (matrix.cell(country, column.key),)
    ]


def matrix_csv(rows: list[dict[str, Any]], bom: bool = True) -> str:
    """The rows as CSV: a header, UTF-8 (with a byte order mark for spreadsheets), RFC 4180, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return (BOM if bom else "") + buffer.getvalue()
