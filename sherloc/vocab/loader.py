"""Load and validate corpus/vocab/{crime_types,instruments,cross_cutting}.yaml into frozen dataclasses.

Every error is a VocabularyError naming the file and, where there is one, the entry at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import yaml

UN_LANGUAGES: tuple[str, ...] = ("ar", "en", "es", "fr", "ru", "zh")
TERM_LANGUAGES: tuple[str, ...] = (*UN_LANGUAGES, "pt")

CRIME_TYPES_FILE = "crime_types.yaml"
INSTRUMENTS_FILE = "instruments.yaml"
CROSS_CUTTING_FILE = "cross_cutting.yaml"
TERMS_DIR = "terms"  # one <language>.yaml per further language: adding a language is a data change
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


class VocabularyError(ValueError):
    """A vocabulary file is missing, malformed or inconsistent."""


TermMap = dict[str, tuple[str, ...]]  # language -> phrases


@dataclass(frozen=True)
class CrimeType:
    id: str
    labels: dict[str, str]
    terms: TermMap  # names of the offence: one is evidence on its own
    context: TermMap = field(default_factory=dict)  # words that only support (drugs, firearms ...)
    exclude: TermMap = field(default_factory=dict)  # phrases that contain a term but mean something else


@dataclass(frozen=True)
class Article:
    instrument: str
    number: int
    title: str
    crime_type: str | None = None

    @property
    def ref(self) -> str:
        """Reference as used in cross_cutting.yaml, e.g. "UNTOC 18"."""
        return f"{self.instrument} {self.number}"


@dataclass(frozen=True)
class Instrument:
    id: str
    title: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class CrossCuttingIssue:
    id: str
    labels: dict[str, str]
    articles: tuple[str, ...]
    terms: TermMap
    context: TermMap = field(default_factory=dict)
    exclude: TermMap = field(default_factory=dict)


@dataclass(frozen=True)
class Vocabulary:
    crime_types: tuple[CrimeType, ...]
    instruments: tuple[Instrument, ...]
    cross_cutting: tuple[CrossCuttingIssue, ...]

    @property
    def term_languages(self) -> tuple[str, ...]:
        """Every language some crime type or cross-cutting issue has terms in (sorted)."""
        found = {lang for ct in self.crime_types for lang in ct.terms}
        found.update(lang for issue in self.cross_cutting for lang in issue.terms)
        return tuple(sorted(found))

    def crime_type(self, crime_type_id: str) -> CrimeType:
        for ct in self.crime_types:
            if ct.id == crime_type_id:
                return ct
        raise KeyError(crime_type_id)

    def instrument(self, instrument_id: str) -> Instrument:
        for inst in self.instruments:
            if inst.id == instrument_id:
                return inst
        raise KeyError(instrument_id)

    def cross_cutting_issue(self, issue_id: str) -> CrossCuttingIssue:
        for issue in self.cross_cutting:
            if issue.id == issue_id:
                return issue
        raise KeyError(issue_id)

    def article(self, instrument: str, number: int) -> Article:
        for art in self.instrument(instrument).articles:
            if art.number == number:
                return art
        raise KeyError(f"{instrument} {number}")

    def criminalization_articles(self, crime_type_id: str) -> tuple[Article, ...]:
        """Articles (across all instruments, in file order) that criminalize the given crime type."""
        self.crime_type(crime_type_id)
        return tuple(a for inst in self.instruments for a in inst.articles if a.crime_type == crime_type_id)

    def cross_cutting_articles(self, issue_id: str) -> tuple[Article, ...]:
        return tuple(self.article(*_split_ref(ref)) for ref in self.cross_cutting_issue(issue_id).articles)


def default_vocab_dir() -> Path:
    """The vocab dir of the portal settings ($SHERLOC_VOCAB_DIR, default <repo>/corpus/vocab)."""
    from sherloc.settings import Settings

    return Settings.from_env().vocab_dir


def _split_ref(ref: str) -> tuple[str, int]:
    instrument, _, number = ref.rpartition(" ")
    return instrument, int(number)


class _Reader:
    """Validation helpers bound to one file, so every message names it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, message: str, entry: str | None = None) -> VocabularyError:
        where = f"{self.path.name}" + (f", entry {entry!r}" if entry is not None else "")
        return VocabularyError(f"{where}: {message} ({self.path})")

    def mapping(self, what: str = "'version'") -> dict[str, Any]:
        """The file's top-level mapping, at version 1."""
        if not self.path.is_file():
            raise self.fail("file not found")
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise self.fail(f"invalid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise self.fail(f"top level must be a mapping with {what}")
        if "version" not in data:
            raise self.fail("version missing (expected version: 1)")
        if data["version"] != 1:
            raise self.fail(f"unsupported version {data['version']!r} (expected 1)")
        return data

    def load(self, list_key: str) -> list[Mapping[str, Any]]:
        data = self.mapping(f"'version' and {list_key!r}")
        self.keys(data, required={"version", list_key}, allowed={"version", list_key}, entry=None)
        items = data[list_key]
        if not isinstance(items, list):
            raise self.fail(f"{list_key!r} must be a list")
        out: list[Mapping[str, Any]] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise self.fail("must be a mapping", entry=f"#{i + 1}")
            out.append(item)
        return out

    def keys(self, item: Mapping[str, Any], required: set[str], allowed: set[str], entry: str | None) -> None:
        unknown = sorted(str(k) for k in set(item) - allowed)
        if unknown:
            raise self.fail(f"unknown key(s) {', '.join(unknown)}", entry)
        missing = sorted(required - set(item))
        if missing:
            what = "version missing" if missing == ["version"] else f"missing key(s) {', '.join(missing)}"
            raise self.fail(what, entry)

    def text(self, value: Any, what: str, entry: str | None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{what} must be a non-empty string", entry)
        return value.strip()

    def entry_id(self, item: Mapping[str, Any], index: int, seen: set[str]) -> str:
        raw = item.get("id")
        entry = str(raw) if raw is not None else f"#{index + 1}"
        ident = self.text(raw, "id", entry)
        if ident in seen:
            raise self.fail("duplicate id", ident)
        seen.add(ident)
        return ident

    def labels(self, value: Any, entry: str) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail("labels must be a mapping of language to label", entry)
        missing = [lang for lang in UN_LANGUAGES if lang not in value]
        if missing:
            raise self.fail(f"missing label(s) for {', '.join(missing)}", entry)
        return {str(lang): self.text(label, f"label {lang}", entry) for lang, label in value.items()}

    def terms(self, value: Any, entry: str, what: str = "terms", required: bool = True) -> TermMap:
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping of language to a list of phrases", entry)
        missing = [lang for lang in TERM_LANGUAGES if not value.get(lang)] if required else []
        if missing:
            raise self.fail(f"missing {what} for {', '.join(missing)}", entry)
        out: TermMap = {}
        for lang, terms in value.items():
            if not isinstance(lang, str) or not LANGUAGE_CODE.match(lang):
                raise self.fail(f"{what}: {lang!r} is not a language code like 'de'", entry)
            out[lang] = self.phrases(terms, f"{what} {lang}", entry)
        return out

    def phrases(self, value: Any, what: str, entry: str | None) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(f"{what} must be a list", entry)
        return tuple(self.text(t, f"phrase in {what}", entry) for t in value)


def _load_crime_types(path: Path) -> tuple[CrimeType, ...]:
    reader = _Reader(path)
    seen: set[str] = set()
    result = []
    for i, item in enumerate(reader.load("crime_types")):
        ident = reader.entry_id(item, i, seen)
        reader.keys(item, {"id", "labels", "terms"}, {"id", "labels", "terms", "context", "exclude"}, ident)
        labels = reader.labels(item["labels"], ident)
        result.append(
            CrimeType(
                ident,
                labels,
                reader.terms(item["terms"], ident),
                reader.terms(item.get("context"), ident, "context", required=False),
                reader.terms(item.get("exclude"), ident, "exclude", required=False),
            )
        )
    return tuple(result)


def _load_instruments(path: Path, crime_type_ids: set[str]) -> tuple[Instrument, ...]:
    reader = _Reader(path)
    seen: set[str] = set()
    result = []
    for i, item in enumerate(reader.load("instruments")):
        ident = reader.entry_id(item, i, seen)
        reader.keys(item, {"id", "title", "articles"}, {"id", "title", "articles"}, ident)
        title = reader.text(item["title"], "title", ident)
        if not isinstance(item["articles"], list):
            raise reader.fail("articles must be a list", ident)
        articles: list[Article] = []
        numbers: set[int] = set()
        for j, art in enumerate(item["articles"]):
            where = f"{ident} article #{j + 1}"
            if not isinstance(art, dict):
                raise reader.fail("must be a mapping", where)
            number = art.get("number")
            if isinstance(number, int) and not isinstance(number, bool):
                where = f"{ident} {number}"
            reader.keys(art, {"number", "title"}, {"number", "title", "crime_type"}, where)
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise reader.fail("number must be a positive integer", where)
            if number in numbers:
                raise reader.fail("duplicate article number", where)
            numbers.add(number)
            crime_type = art.get("crime_type")
            if crime_type is not None and crime_type not in crime_type_ids:
                raise reader.fail(f"unknown crime_type {crime_type!r} (not in {CRIME_TYPES_FILE})", where)
            articles.append(Article(ident, number, reader.text(art["title"], "title", where), crime_type))
        result.append(Instrument(ident, title, tuple(articles)))
    return tuple(result)


def _load_cross_cutting(path: Path, article_refs: set[str]) -> tuple[CrossCuttingIssue, ...]:
    reader = _Reader(path)
    required = {"id", "labels", "articles", "terms"}
    allowed = required | {"context", "exclude"}
    seen: set[str] = set()
    result = []
    for i, item in enumerate(reader.load("cross_cutting")):
        ident = reader.entry_id(item, i, seen)
        reader.keys(item, required, allowed, ident)
        refs = item["articles"]
        if not isinstance(refs, list) or not refs:
            raise reader.fail("articles must be a non-empty list like ['UNTOC 18']", ident)
        for ref in refs:
            if ref not in article_refs:
                raise reader.fail(f"article {ref!r} does not exist in {INSTRUMENTS_FILE}", ident)
        result.append(
            CrossCuttingIssue(
                ident,
                reader.labels(item["labels"], ident),
                tuple(refs),
                reader.terms(item["terms"], ident),
                reader.terms(item.get("context"), ident, "context", required=False),
                reader.terms(item.get("exclude"), ident, "exclude", required=False),
            )
        )
    return tuple(result)


_Entry = TypeVar("_Entry", CrimeType, CrossCuttingIssue)


def _load_language_files(
    folder: Path, crime_types: tuple[CrimeType, ...], cross_cutting: tuple[CrossCuttingIssue, ...]
) -> tuple[tuple[CrimeType, ...], tuple[CrossCuttingIssue, ...]]:
    """Merge terms/<language>.yaml files: the terms of one further language for any entries."""
    if not folder.is_dir():
        return crime_types, cross_cutting
    for path in sorted(folder.glob("*.yaml")):
        reader = _Reader(path)
        data = reader.mapping()
        reader.keys(
            data, {"version", "language"}, {"version", "language", "crime_types", "cross_cutting"}, None
        )
        language = data["language"]
        if not isinstance(language, str) or not LANGUAGE_CODE.match(language) or path.stem != language:
            raise reader.fail(f"language must be a code like 'de' matching the file name, not {language!r}")
        crime_types = _merge_language(reader, language, data.get("crime_types"), crime_types)
        cross_cutting = _merge_language(reader, language, data.get("cross_cutting"), cross_cutting)
    return crime_types, cross_cutting


def _merge_language(
    reader: _Reader, language: str, section: Any, entries: tuple[_Entry, ...]
) -> tuple[_Entry, ...]:
    if section is None:
        return entries
    if not isinstance(section, dict):
        raise reader.fail("crime_types / cross_cutting must map ids to {terms, context, exclude}")
    known = {entry.id for entry in entries}
    unknown = sorted(set(section) - known)
    if unknown:
        raise reader.fail(f"unknown id(s) {', '.join(map(str, unknown))}")
    merged = []
    for entry in entries:
        item = section.get(entry.id)
        if item is None:
            merged.append(entry)
            continue
        if not isinstance(item, dict):
            raise reader.fail("must be a mapping with terms (and optional context, exclude)", entry.id)
        reader.keys(item, {"terms"}, {"terms", "context", "exclude"}, entry.id)
        if language in entry.terms:
            raise reader.fail(f"terms in {language} are already given in the main file", entry.id)

        merged.append(
            replace(
                entry,
                terms=_with_language(reader, entry.terms, language, item, "terms", entry.id),
                context=_with_language(reader, entry.context, language, item, "context", entry.id),
                exclude=_with_language(reader, entry.exclude, language, item, "exclude", entry.id),
            )
        )
    return tuple(merged)


def _with_language(
    reader: _Reader, current: TermMap, language: str, item: Mapping[str, Any], name: str, entry: str
) -> TermMap:
    if name not in item:
        return current
    return {**current, language: reader.phrases(item[name], name, entry)}


def load_vocabulary(vocab_dir: Path | None = None) -> Vocabulary:
    """Load the three vocabulary files from vocab_dir (default: Settings.vocab_dir) and cross-check them."""
    folder = Path(vocab_dir) if vocab_dir is not None else default_vocab_dir()
    crime_types = _load_crime_types(folder / CRIME_TYPES_FILE)
    instruments = _load_instruments(folder / INSTRUMENTS_FILE, {ct.id for ct in crime_types})
    refs = {a.ref for inst in instruments for a in inst.articles}
    cross_cutting = _load_cross_cutting(folder / CROSS_CUTTING_FILE, refs)
    crime_types, cross_cutting = _load_language_files(folder / TERMS_DIR, crime_types, cross_cutting)
    return Vocabulary(crime_types, instruments, cross_cutting)
