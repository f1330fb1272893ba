"""Load corpus/vocab/ratifications.yaml: States' status in UNTOC and its Protocols, each fact with its source.

The file's header documents the format. Every malformed entry raises a VocabularyError naming the file and
the entry (its section, position and, where it has them, country and instrument).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sherloc.vocab.loader import INSTRUMENTS_FILE, VocabularyError
from sherloc.vocab.places import COUNTRIES_FILE, load_countries

RATIFICATIONS_FILE = "ratifications.yaml"
STATUSES = ("signature", "ratification", "acceptance", "approval", "accession")
DATE_KINDS = ("decision", "instrument", "deposit", "signature", "publication", "entry_into_force")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Source:
    path: str  # relative to the shared corpora folder (../shared/corpora)
    quote: str  # the sentence stating the fact

    def found_in(self, text: str) -> bool:
        """Whether the quote is in `text`, whitespace ignored (UN text files break lines inside sentences)."""
        return _WHITESPACE.sub("", self.quote) in _WHITESPACE.sub("", text)


@dataclass(frozen=True)
class Ratification:
    country: str  # ISO 3166-1 alpha-2
    instrument: str  # id in instruments.yaml
    status: str  # one of STATUSES
    date: dt.date | None
    date_kind: str | None  # one of DATE_KINDS; None exactly when date is None
    reservations: tuple[str, ...]
    declarations: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class PartyCount:
    instrument: str
    parties: int
    as_of: dt.date | None
    source: Source


@dataclass(frozen=True)
class EntryIntoForce:
    instrument: str
    date: dt.date
    source: Source


@dataclass(frozen=True)
class RatificationData:
    ratifications: tuple[Ratification, ...]
    party_counts: tuple[PartyCount, ...]
    entry_into_force: tuple[EntryIntoForce, ...]


def load_ratifications(vocab_dir: Path) -> list[Ratification]:
    """The (country, instrument) entries of `vocab_dir`/ratifications.yaml."""
    return list(load_ratification_data(vocab_dir).ratifications)


def load_ratification_data(vocab_dir: Path) -> RatificationData:
    """Everything in ratifications.yaml: State entries, numbers of parties, instruments' entry into force."""
    vocab_dir = Path(vocab_dir)
    path = vocab_dir / RATIFICATIONS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise VocabularyError(f"{path.name}: expected a mapping with version: 1")
    checker = _Checker(path.name, _instrument_ids(vocab_dir), _country_codes(vocab_dir))
    ratifications = tuple(
        checker.ratification(where, item) for where, item in checker.section(data, "ratifications")
    )
    seen: set[tuple[str, str]] = set()
    for entry in ratifications:
        key = (entry.country, entry.instrument)
        if key in seen:
            raise VocabularyError(f"{path.name}: ratifications: {key[0]} {key[1]} appears twice")
        seen.add(key)
    counts = tuple(checker.party_count(where, item) for where, item in checker.section(data, "party_counts"))
    in_force = tuple(
        checker.entry_into_force(where, item) for where, item in checker.section(data, "entry_into_force")
    )
    return RatificationData(ratifications, counts, in_force)


def _instrument_ids(vocab_dir: Path) -> set[str]:
    data = yaml.safe_load((vocab_dir / INSTRUMENTS_FILE).read_text(encoding="utf-8"))
    return {str(item["id"]) for item in data["instruments"]}


def _country_codes(vocab_dir: Path) -> set[str] | None:
    if not (vocab_dir / COUNTRIES_FILE).exists():
        return None  # a vocab dir without countries (a test fixture) checks the code's shape only
    return {country.code for country in load_countries(vocab_dir)}


class _Checker:
    def __init__(self, file: str, instruments: set[str], countries: set[str] | None) -> None:
        self.file = file
        self.instruments = instruments
        self.countries = countries

    def fail(self, where: str, message: str) -> VocabularyError:
        return VocabularyError(f"{self.file}: {where}: {message}")

    def section(self, data: Mapping[str, Any], name: str) -> list[tuple[str, Mapping[str, Any]]]:
        items = data.get(name) or []
        if not isinstance(items, list):
            raise self.fail(name, "expected a list")
        out: list[tuple[str, Mapping[str, Any]]] = []
        for position, item in enumerate(items, 1):
            where = f"{name} entry {position}"
            if not isinstance(item, dict):
                raise self.fail(where, "expected a mapping")
            named = " ".join(str(item[k]) for k in ("country", "instrument") if item.get(k))
            out.append((f"{where} ({named})" if named else where, item))
        return out

    def keys(self, where: str, item: Mapping[str, Any], required: set[str], optional: set[str]) -> None:
        missing = sorted(required - item.keys())
        unknown = sorted(item.keys() - required - optional)
        if missing:
            raise self.fail(where, f"missing {', '.join(missing)}")
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")

    def instrument(self, where: str, value: Any) -> str:
        if value not in self.instruments:
            raise self.fail(where, f"instrument {value!r} is not in {INSTRUMENTS_FILE}")
        return str(value)

    def date(self, where: str, value: Any, field: str, required: bool) -> dt.date | None:
        if value is None and not required:
            return None
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise self.fail(where, f"{field} must be a date YYYY-MM-DD, not {value!r}")
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError as exc:
                raise self.fail(where, f"{field} must be a date YYYY-MM-DD, not {value!r}") from exc
        return value

    def texts(self, where: str, value: Any, field: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, f"{field} must be a list of non-empty strings")
        return tuple(value)

    def source(self, where: str, value: Any) -> Source:
        if not isinstance(value, dict) or set(value) != {"path", "quote"}:
            raise self.fail(where, "source must be a mapping with exactly path and quote")
        path, quote = value["path"], value["quote"]
        if not isinstance(path, str) or not path or path.startswith("/") or ".." in Path(path).parts:
            raise self.fail(where, f"source.path must be a relative path in the shared corpora, not {path!r}")
        if not isinstance(quote, str) or not quote.strip():
            raise self.fail(where, "source.quote must be the quoted sentence")
        return Source(path, quote)

    def ratification(self, where: str, item: Mapping[str, Any]) -> Ratification:
        self.keys(
            where,
            item,
            {"country", "instrument", "status", "date", "date_kind", "source"},
            {"reservations", "declarations"},
        )
        country = item["country"]
        if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country):
            raise self.fail(where, f"country must be an ISO 3166-1 alpha-2 code, not {country!r}")
        if self.countries is not None and country not in self.countries:
            raise self.fail(where, f"country {country!r} is not in {COUNTRIES_FILE}")
        if item["status"] not in STATUSES:
            raise self.fail(where, f"status must be one of {', '.join(STATUSES)}, not {item['status']!r}")
        date = self.date(where, item["date"], "date", required=False)
        kind = item["date_kind"]
        if (date is None) != (kind is None) or (kind is not None and kind not in DATE_KINDS):
            raise self.fail(
                where, f"date_kind must be one of {', '.join(DATE_KINDS)} with a date, null without"
            )
        return Ratification(
            country=country,
            instrument=self.instrument(where, item["instrument"]),
            status=str(item["status"]),
            date=date,
            date_kind=kind,
            reservations=self.texts(where, item.get("reservations"), "reservations"),
            declarations=self.texts(where, item.get("declarations"), "declarations"),
            source=self.source(where, item["source"]),
        )

    def party_count(self, where: str, item: Mapping[str, Any]) -> PartyCount:
        self.keys(where, item, {"instrument", "parties", "as_of", "source"}, set())
        parties = item["parties"]
        if isinstance(parties, bool) or not isinstance(parties, int) or parties < 0:
            raise self.fail(where, f"parties must be a whole number, not {parties!r}")
        return PartyCount(
            instrument=self.instrument(where, item["instrument"]),
            parties=parties,
            as_of=self.date(where, item["as_of"], "as_of", required=False),
            source=self.source(where, item["source"]),
        )

    def entry_into_force(self, where: str, item: Mapping[str, Any]) -> EntryIntoForce:
        self.keys(where, item, {"instrument", "date", "source"}, set())
        date = self.date(where, item["date"], "date", required=True)
        assert date is not None
        return EntryIntoForce(
            instrument=self.instrument(where, item["instrument"]),
            date=date,
            source=self.source(where, item["source"]),
        )
