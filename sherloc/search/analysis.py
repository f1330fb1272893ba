"""Language analysis as one table: how each language's text is tokenised, normalised and stemmed.

Every engine builds its analyzers from this table (tantivy in search.embedded, Elasticsearch mappings
under mappings/), so a language is added here once. Chinese (and Japanese kanji) are indexed one
character per token and matched as phrases: any substring of characters can be found, stored text and
highlights stay intact, and no segmentation dictionary has to agree between index and query time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words: a run of letters, digits and combining marks that are not Han; or one Han character.
# (Rust regex syntax, used by tantivy's regex tokenizer; Python's `regex` module would accept it too.)
TOKEN_PATTERN = r"\p{Han}|[[\p{L}\p{N}\p{M}]--\p{Han}]+"  # noqa: S105 (a regex, not a secret)


@dataclass(frozen=True)
class LanguageAnalysis:
    code: str  # ISO 639-1
    name: str
    stemmer: str | None  # Snowball algorithm name, or None for no stemming
    fold_accents: bool = True  # fold accents after stemming (users type "reprime" for "réprimé")


LANGUAGES: dict[str, LanguageAnalysis] = {
    lang.code: lang
    for lang in (
        LanguageAnalysis("ar", "Arabic", "arabic", fold_accents=False),  # Snowball normalises hamza/alef
        LanguageAnalysis("en", "English", "english"),
        LanguageAnalysis("es", "Spanish", "spanish"),
        LanguageAnalysis("fr", "French", "french"),
        LanguageAnalysis("ru", "Russian", "russian", fold_accents=False),
        LanguageAnalysis("zh", "Chinese", None, fold_accents=False),
        LanguageAnalysis("pt", "Portuguese", "portuguese"),
        LanguageAnalysis("de", "German", "german"),
        LanguageAnalysis("it", "Italian", "italian"),
        LanguageAnalysis("nl", "Dutch", "dutch"),
    )
}

# Languages indexed one character per token (highlighted by search.highlight, not the engine).
CHARACTER_LANGUAGES = frozenset({"zh"})

# Text in any other language goes to a field analysed without stemming.
OTHER = "xx"
ANALYSED_LANGUAGES = (*LANGUAGES, OTHER)


def field_language(language: str | None) -> str:
    """The analysis a text in `language` is indexed with."""
    return language if language in LANGUAGES else OTHER


_SPACE = re.compile(r"[ \t\u00a0\u3000]+")
# NUL too: never text in a document, and PostgreSQL refuses it in text columns (SQLite stores it).
_INVISIBLE = dict.fromkeys(
    [0x00, 0x200B, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0xFEFF]
    + list(range(0x2066, 0x206A))
)


def clean_text(text: str) -> str:
    """NFC, no NUL, bidi controls or zero-width spaces (ZWJ/ZWNJ kept: they shape words), spaces folded."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
