"""The Elasticsearch index as data: analysis built from the language table, a strict mapping, documents.

The mapping mirrors the embedded engine (sherloc.search.embedded): one analysed text, heading and context
field per language of the table in sherloc.search.analysis, an exact (unstemmed) copy of each, keyword
fields for filters and facets, and the two date-sort keys. Pure: no client, no I/O.

`python -m sherloc.search.elastic_mapping > mappings/records-v2.json` writes the versioned file (v1 is the
mapping before the verdict and sentence_range fields).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import regex

from sherloc.search import analysis, base
from sherloc.search.base import MAX_RESULT_WINDOW, IndexDocument

MAPPING_VERSION = 2  # bump on any change below; index names and the file under mappings/ carry it
MAPPING_NAME = f"records-v{MAPPING_VERSION}"

KEYWORD_FIELDS = (*base.KEYWORD_FIELDS, "number")  # the number is matched as a whole
STORED_ONLY = ("title", "parent_title", "label", "heading")  # shown on hits, never searched as such
TEXT_PARTS = ("text", "heading", "context")
MAX_TOKEN_CHARS = 63  # longer tokens are dropped (embedded: 64 bytes); Lucene refuses terms over 32 KB

# ---------------------------------------------------------------------------------------------------
# Analysis


def java_token_pattern(pattern: str = analysis.TOKEN_PATTERN) -> str:
    """The table's token pattern (Rust/`regex` V1 syntax) in Java syntax, for the pattern tokenizer.

    Java names scripts `\\p{IsHan}` and writes a set difference `[A--B]` as an intersection `[A&&[^B]]`.
    """
    java = pattern.replace(r"\p{Han}", r"\p{IsHan}")
    java = regex.sub(r"\[\[([^\[\]]*)\]--([^\[\]]*)\]", r"[\1&&[^\2]]", java)
    if "--" in java or "~~" in java or "||" in java:
        raise ValueError(f"no Java form known for the token pattern {pattern!r}")
    return java


_TOKEN = regex.compile(analysis.TOKEN_PATTERN, flags=regex.V1)


def exact_tokens(text: str) -> list[str]:
    """`text` as the "exact" analyzer indexes it: the table's tokens, too long ones dropped, lower-cased."""
    return [token.lower() for token in _TOKEN.findall(text) if len(token) <= MAX_TOKEN_CHARS]


def _stemmer_filter(stemmer: str) -> dict[str, Any]:
    # The table names Snowball algorithms. Lucene ships the same ones, Arabic included, under capitalised
    # names, so both engines stem alike (rather than Lucene's own light arabic_stem).
    return {"type": "snowball", "language": stemmer.capitalize()}


def build_analysis() -> dict[str, Any]:
    """Analyzers `lang_<code>` for every language of the table and `lang_xx`, plus `exact`."""
    filters: dict[str, Any] = {"token_length": {"type": "length", "max": MAX_TOKEN_CHARS}}
    analyzers: dict[str, Any] = {}
    for code in analysis.ANALYSED_LANGUAGES:
        lang = analysis.LANGUAGES.get(code)
        chain = ["token_length", "lowercase"]
        if lang and lang.stemmer:
            filters[f"stem_{code}"] = _stemmer_filter(lang.stemmer)
            chain.append(f"stem_{code}")
        if lang is None or lang.fold_accents:
            chain.append("asciifolding")  # after stemming, as the embedded engine does
        analyzers[f"lang_{code}"] = {"type": "custom", "tokenizer": "words", "filter": chain}
    analyzers["exact"] = {"type": "custom", "tokenizer": "words", "filter": ["token_length", "lowercase"]}
    return {
        "tokenizer": {"words": {"type": "pattern", "pattern": java_token_pattern(), "group": 0}},
        "filter": filters,
        "analyzer": analyzers,
    }


# ---------------------------------------------------------------------------------------------------
# Mapping


def _properties() -> dict[str, Any]:
    props: dict[str, Any] = {name: {"type": "keyword"} for name in KEYWORD_FIELDS}
    props.update({name: {"type": "text", "index": False} for name in STORED_ONLY})
    props["year"] = {"type": "integer"}
    props["date"] = {"type": "date", "format": "strict_date"}
    props["sort_asc"] = {"type": "long"}
    props["sort_desc"] = {"type": "long"}
    for code in analysis.ANALYSED_LANGUAGES:
        for part in TEXT_PARTS:
            spec: dict[str, Any] = {"type": "text", "analyzer": f"lang_{code}", "copy_to": f"{part}_exact"}
            if part == "text":
                spec["index_options"] = "offsets"  # snippets are cut from the body without re-analysis
            props[f"{part}_{code}"] = spec
    for part in TEXT_PARTS:
        props[f"{part}_exact"] = {"type": "text", "analyzer": "exact"}
    return props


def layout_settings(shards: int = 1, replicas: int = -1) -> dict[str, Any]:
    """Shards and replicas of an index: where it lives, not what it holds, so not part of the digest.

    One shard (the default) keeps term statistics exact, so scores do not depend on routing; it holds tens
    of GB. `replicas` -1 auto-expands to "0-1": none on a single node, one as soon as a second node joins.
    """
    if replicas < 0:
        return {"number_of_shards": shards, "auto_expand_replicas": "0-1"}
    return {"number_of_shards": shards, "number_of_replicas": replicas, "auto_expand_replicas": False}


def build_mapping(shards: int = 1, replicas: int = -1) -> dict[str, Any]:
    """Index settings and mappings, as sent to `indices.create` and kept in mappings/<MAPPING_NAME>.json
    (with the default layout).

    `_meta` names the mapping and carries a digest of the rest but the layout (shards, replicas), so an
    index built from another mapping (even one whose version was not bumped) is recognised as outdated,
    and one laid out otherwise is not.
    """
    settings: dict[str, Any] = {
        "max_result_window": MAX_RESULT_WINDOW,
        "analysis": build_analysis(),
    }
    mappings: dict[str, Any] = {"dynamic": "strict", "properties": _properties()}
    digest = hashlib.sha256(
        json.dumps({"settings": settings, "mappings": mappings}, sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]
    mappings["_meta"] = {"mapping": MAPPING_NAME, "digest": digest}
    return {"settings": {**layout_settings(shards, replicas), **settings}, "mappings": mappings}


# ---------------------------------------------------------------------------------------------------
# Documents


def to_source(doc: IndexDocument) -> dict[str, Any]:
    """The indexed document. Texts go to their language's fields; the mapping copies them to exact ones."""
    source = doc.fields(analysis.field_language(doc.language))
    source.pop("position", None)
    if doc.date:
        # Elasticsearch dates span any year 1-9999, so unlike the embedded engine no date is left out.
        source["date"] = doc.date.isoformat()
    return source


if __name__ == "__main__":
    print(json.dumps(build_mapping(), indent=2, ensure_ascii=False))
