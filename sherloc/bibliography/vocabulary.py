"""CSL 1.0.2 vocabulary (item types and variable names) and helpers shared by the format modules."""

from __future__ import annotations

import re

from sherloc.bibliography.model import Name

# https://docs.citationstyles.org/en/stable/specification.html#appendix-iii-types (CSL 1.0.2)
CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)

CSL_NAME_VARIABLES = frozenset(
    [
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "executive-producer",
        "guest",
        "host",
        "illustrator",
        "interviewer",
        "narrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    ]
)
CSL_DATE_VARIABLES = frozenset(
    ["accessed", "available-date", "event-date", "issued", "original-date", "submitted"]
)
# Every top-level key of an item in the CSL-JSON 1.0.2 schema (csl-data.json).
CSL_ITEM_KEYS = (
    frozenset(
        [
            "id",
            "type",
            "categories",
            "citation-key",
            "language",
            "journalAbbreviation",
            "shortTitle",
            "abstract",
            "annote",
            "archive",
            "archive_collection",
            "archive_location",
            "archive-place",
            "authority",
            "call-number",
            "chapter-number",
            "citation-number",
            "citation-label",
            "collection-number",
            "collection-title",
            "container-title",
            "container-title-short",
            "dimensions",
            "division",
            "DOI",
            "edition",
            "event",
            "event-title",
            "event-place",
            "first-reference-note-number",
            "genre",
            "ISBN",
            "ISSN",
            "issue",
            "jurisdiction",
            "keyword",
            "locator",
            "medium",
            "note",
            "number",
            "number-of-pages",
            "number-of-volumes",
            "original-publisher",
            "original-publisher-place",
            "original-title",
            "page",
            "page-first",
            "part",
            "part-title",
            "PMCID",
            "PMID",
            "printing",
            "publisher",
            "publisher-place",
            "references",
            "reviewed-genre",
            "reviewed-title",
            "scale",
            "section",
            "source",
            "status",
            "supplement",
            "title",
            "title-short",
            "URL",
            "version",
            "volume",
            "volume-title",
            "volume-title-short",
            "year-suffix",
            "custom",
        ]
    )
    | CSL_NAME_VARIABLES
    | CSL_DATE_VARIABLES
)

_ISSN = re.compile(r"^\d{4}-?\d{3}[\dXx]$")

# Language names as BibTeX/biblatex files write them, to ISO 639-1.
LANGUAGE_NAMES = {
    "english": "en", "french": "fr", "francais": "fr", "spanish": "es", "russian": "ru", "chinese": "zh",
    "arabic": "ar", "german": "de", "ngerman": "de", "italian": "it", "portuguese": "pt", "japanese": "ja",
    "korean": "ko", "persian": "fa", "farsi": "fa", "turkish": "tr", "ukrainian": "uk", "polish": "pl",
    "dutch": "nl", "british": "en", "american": "en", "UKenglish": "en", "USenglish": "en",
}  # fmt: skip


def language_code(value: str) -> str:
    """A BCP 47 tag from a tag or a babel/biblatex language name ("russian" -> "ru")."""
    value = value.strip()
    return LANGUAGE_NAMES.get(value, LANGUAGE_NAMES.get(value.lower(), value))


def looks_like_issn(value: str) -> bool:
    return bool(_ISSN.match(value.strip()))


def year_prefix(text: str) -> tuple[int, ...]:
    """(year, month, day) from the start of an ISO-like date ("2005-03-14", "2005/03", "1865（…）")."""
    m = re.match(r"\s*(-?\d{1,4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", text)
    if not m:
        return ()
    return tuple(int(p) for p in m.groups() if p)


def iso_date(issued: tuple[int, ...]) -> str:
    return "-".join([f"{issued[0]:04d}", *(f"{p:02d}" for p in issued[1:])])


def validate_issued(issued: tuple[int, ...]) -> str | None:
    """An error message when the date tuple is impossible, else None."""
    if len(issued) > 3:
        return f"a date has at most year, month and day: {issued}"
    if len(issued) >= 2 and not 1 <= issued[1] <= 12:
        return f"month {issued[1]} is not 1-12"
    if len(issued) == 3 and not 1 <= issued[2] <= 31:
        return f"day {issued[2]} is not 1-31"
    return None


def person(family: str | None, given: str | None) -> Name:
    return Name(family=family or None, given=given or None)
