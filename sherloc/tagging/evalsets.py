"""Labelled evaluation sets for the crime-type tagger, built from the shared corpora by the parsers."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from sherloc.ingest.registry import HEAD_BYTES, find_parser
from sherloc.ingest.sources.cail2022 import Cail2022Parser
from sherloc.ingest.sources.lawrefbook import LawRefBookParser
from sherloc.ingest.sources.lecardv2 import ChargeVocabulary, LeCaRDv2Parser, load_charge_vocabulary
from sherloc.ingest.sources.legalize import LegalizeParser
from sherloc.ingest.sources.pravo_ru import PravoRuParser
from sherloc.ingest.types import NotADocument, ParsedProvision, ParsedRecord, Parser
from sherloc.tagging.tagger import TagInput
from sherloc.vocab import load_vocabulary

LABELS_FILE = "eval_labels.yaml"
SET_NAMES = (
    "decisions_cail2022",
    "decisions_lecardv2",
    "provisions_cn",
    "provisions_fr",
    "provisions_es",
    "provisions_ru",
    "negatives",
)
CAIL_FILE = Path("zh-cn-decisions-cail2022-drug-ie") / "train.json"
LECARD_DIR = Path("zh-cn-decisions-lecardv2") / "query"
HEADING_SETS = {
    "provisions_cn": "cn_headings",
    "provisions_fr": "fr_headings",
    "provisions_es": "es_headings",
    "provisions_ru": "ru_headings",
}


@dataclass(frozen=True)
class EvalItem:
    """One text to tag and its gold crime types (empty: a negative)."""

    id: str
    text: str
    title: str
    kind: str
    language: str
    gold: tuple[str, ...]
    path: tuple[str, ...] = ()
    charges: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The `sherloc tag` input record (gold left out)."""
        out: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "language": self.language,
            "title": self.title,
            "kind": self.kind,
        }
        if self.path:
            out["path"] = list(self.path)
        if self.charges:
            out["charges"] = list(self.charges)
        return out


@dataclass(frozen=True)
class HeadingRule:
    """A heading pattern that places an article under a crime type (optionally only some article numbers)."""

    pattern: re.Pattern[str]
    crime_type: str
    articles: frozenset[str] | None = None

    def matches(self, provision: ParsedProvision) -> bool:
        """True if the article's heading or an enclosing heading matches (and its number is allowed)."""
        if self.articles is not None and provision.number not in self.articles:
            return False
        headings = [*provision.path, provision.heading or ""]
        return any(self.pattern.search(heading) for heading in headings)


@dataclass(frozen=True)
class HeadingRules:
    """The heading rules of one criminal code."""

    file: Path
    special_part: re.Pattern[str]
    rules: tuple[HeadingRule, ...]
    order: tuple[str, ...]  # crime-type ids in the vocabulary's order

    def in_special_part(self, provision: ParsedProvision) -> bool:
        """True for an article of the code's special part."""
        return bool(self.special_part.search(" > ".join(provision.path)))

    def gold(self, provision: ParsedProvision) -> tuple[str, ...]:
        """The crime types every matching rule gives, in the fixed crime-type order."""
        found = {rule.crime_type for rule in self.rules if rule.matches(provision)}
        return tuple(t for t in self.order if t in found)


class Labels:
    """eval_labels.yaml, validated."""

    def __init__(self, data: dict[str, Any], crime_types: tuple[str, ...]) -> None:
        if data.get("version") != 1:
            raise ValueError(f"{LABELS_FILE}: unsupported version {data.get('version')!r}")
        self.crime_types = crime_types  # from the vocabulary: the one list of crime types
        self.cn_charges: dict[str, str] = dict(data["cn_charges"])
        self.headings = {key: _heading_rules(data[key], crime_types) for key in HEADING_SETS.values()}
        self.negatives: list[Path] = [Path(p) for p in data["negatives"]]
        unknown = {t for t in self.cn_charges.values() if t not in crime_types} | {
            r.crime_type
            for rules in self.headings.values()
            for r in rules.rules
            if r.crime_type not in crime_types
        }
        if unknown:
            raise ValueError(f"{LABELS_FILE}: unknown crime types {sorted(unknown)}")

    @classmethod
    def load(cls, vocab_dir: Path) -> Labels:
        """Read the rules from `vocab_dir`/eval_labels.yaml."""
        crime_types = tuple(ct.id for ct in load_vocabulary(vocab_dir).crime_types)
        return cls(yaml.safe_load((vocab_dir / LABELS_FILE).read_text(encoding="utf-8")), crime_types)


def _heading_rules(data: dict[str, Any], order: tuple[str, ...]) -> HeadingRules:
    rules = tuple(
        HeadingRule(
            re.compile(rule["pattern"]),
            rule["crime_type"],
            frozenset(str(a) for a in rule["articles"]) if "articles" in rule else None,
        )
        for rule in data["rules"]
    )
    return HeadingRules(Path(data["file"]), re.compile(data["special_part"]), rules, order)


class EvalSetBuilder:
    """Builds the sets; each corpus file is parsed at most once per builder."""

    def __init__(self, corpora: Path, vocab_dir: Path) -> None:
        self.corpora = corpora
        self.vocab_dir = vocab_dir
        self.labels = Labels.load(vocab_dir)
        self._records: dict[Path, list[ParsedRecord]] = {}

    @cached_property
    def table_vocabulary(self) -> ChargeVocabulary:
        """The charge names of the project's table only (what cn_charges keys are checked against)."""
        return load_charge_vocabulary(self.vocab_dir)

    def records(self, relative: Path, parser: Parser) -> list[ParsedRecord]:
        """The records of one corpus file (cached); [] for a file the parser says is no document."""
        if relative not in self._records:
            try:
                self._records[relative] = list(parser.parse(self.corpora / relative))
            except NotADocument:
                self._records[relative] = []
        return self._records[relative]

    # ---- decisions ------------------------------------------------------------------------------

    def cail2022(self) -> Iterator[EvalItem]:
        """Every CAIL2022 fact paragraph: a drug case, gold {drug_trafficking}."""
        for record in self.records(CAIL_FILE, Cail2022Parser(self.vocab_dir)):
            yield _decision_item(record, ("drug_trafficking",))

    def lecardv2(self) -> Iterator[EvalItem]:
        """Every LeCaRDv2 query case; gold = crime types of its caption charges (maybe none)."""
        parser = LeCaRDv2Parser(self.vocab_dir)
        for path in sorted((self.corpora / LECARD_DIR).glob("*.json")):
            for record in self.records(path.relative_to(self.corpora), parser):
                yield _decision_item(record, self.charge_types(record.attributes.get("charges", [])))

    def charge_types(self, charges: Iterable[str]) -> tuple[str, ...]:
        """Crime types of PRC charges, read as written, as a table spelling or as a selective form."""
        found = set()
        for charge in charges:
            crime_type = self.charge_type(charge)
            if crime_type is not None:
                found.add(crime_type)
        return tuple(t for t in self.labels.crime_types if t in found)

    def charge_type(self, charge: str) -> str | None:
        """The crime type of one charge name, None when it maps to none."""
        vocab = self.table_vocabulary
        for name in (charge, vocab.official(charge), vocab.selective_of(charge)):
            if name is not None and name in self.labels.cn_charges:
                return self.labels.cn_charges[name]
        return None

    # ---- provisions -----------------------------------------------------------------------------

    def provisions_cn(self) -> Iterator[EvalItem]:
        """Articles of the Criminal Law's 分则 that carry charges; gold from their charges and the heading
        rules (maybe none)."""
        rules = self.labels.headings["cn_headings"]
        for record in self.records(rules.file, LawRefBookParser(self.vocab_dir)):
            for provision in _unique(record):
                charges = provision.attributes.get("charges") or []
                if not charges or not rules.in_special_part(provision):
                    continue
                found = set(self.charge_types(charges)) | set(rules.gold(provision))
                yield _provision_item(
                    record, provision, tuple(t for t in self.labels.crime_types if t in found)
                )

    def provisions_by_heading(self, key: str, parser: Parser) -> Iterator[EvalItem]:
        """Articles of a code's special part; gold from its heading rules (none placed: a negative)."""
        rules = self.labels.headings[key]
        for record in self.records(rules.file, parser):
            for provision in _unique(record):
                if rules.in_special_part(provision):
                    yield _provision_item(record, provision, rules.gold(provision))

    def heading_rule_hits(self, key: str, parser: Parser) -> Counter[int]:
        """How many special-part articles each rule (by index) matches; a rule with 0 is a bug."""
        rules = self.labels.headings[key]
        hits: Counter[int] = Counter({i: 0 for i in range(len(rules.rules))})
        for record in self.records(rules.file, parser):
            for provision in _unique(record):
                if rules.in_special_part(provision):
                    hits.update(i for i, rule in enumerate(rules.rules) if rule.matches(provision))
        return hits

    def negatives(self) -> Iterator[EvalItem]:
        """Every in-force provision of the negative laws, gold []."""
        for entry in self.labels.negatives:
            target = self.corpora / entry
            if target.is_dir():
                files = sorted(p for p in target.rglob("*") if p.is_file() and not p.name.startswith("_"))
            else:
                files = [target]
            for path in files:
                for record in self.records(path.relative_to(self.corpora), _parser_for(path)):
                    for provision in _unique(record):
                        yield _provision_item(record, provision, ())

    def build(self) -> dict[str, list[EvalItem]]:
        """All sets, in SET_NAMES order."""
        return {
            "decisions_cail2022": list(self.cail2022()),
            "decisions_lecardv2": list(self.lecardv2()),
            "provisions_cn": list(self.provisions_cn()),
            "provisions_fr": list(self.provisions_by_heading("fr_headings", LegalizeParser())),
            "provisions_es": list(self.provisions_by_heading("es_headings", LegalizeParser())),
            "provisions_ru": list(self.provisions_by_heading("ru_headings", PravoRuParser())),
            "negatives": list(self.negatives()),
        }


def build_eval_sets(corpora: Path, vocab_dir: Path) -> dict[str, list[EvalItem]]:
    """The labelled evaluation sets (see SET_NAMES), in a deterministic order."""
    return EvalSetBuilder(corpora, vocab_dir).build()


def _parser_for(path: Path) -> Parser:
    """The registry's parser for a negative law file."""
    with path.open("rb") as handle:
        parser = find_parser(path, handle.read(HEAD_BYTES))
    if parser is None:
        raise ValueError(f"{path}: no parser handles this file")
    return parser


def _unique(record: ParsedRecord) -> Iterator[ParsedProvision]:
    """In-force provisions (repealed ones are left out), each once."""
    for provision in record.provisions:
        if provision.status != "repealed" and provision.text.strip():
            yield provision


def _decision_item(record: ParsedRecord, gold: tuple[str, ...]) -> EvalItem:
    return EvalItem(
        id=record.source_key,
        text=record.text,
        title=record.title,
        kind=record.kind,
        language=record.language or "",
        gold=gold,
        charges=tuple(record.attributes.get("charges") or ()),
    )


def _provision_item(record: ParsedRecord, provision: ParsedProvision, gold: tuple[str, ...]) -> EvalItem:
    """A provision as the portal tags it (TagInput.provision)."""
    ident = f"{record.source_key}#{provision.number}@{provision.position}"
    tagged = TagInput.provision(
        ident,
        provision.text,
        record.language,
        label=provision.label,
        heading=provision.heading,
        law_title=record.title,
        path=provision.path,
    )
    return EvalItem(
        id=ident,
        text=tagged.text,
        title=tagged.title,
        kind="provision",
        language=record.language or "",
        gold=gold,
        path=tagged.path,
    )


def summary(items: list[EvalItem]) -> dict[str, Any]:
    """Items, items per crime type (most first) and negatives of one set."""
    per_type = Counter(t for item in items for t in item.gold)
    return {
        "items": len(items),
        "per_crime_type": dict(per_type.most_common()),
        "negatives": sum(1 for item in items if not item.gold),
    }


def main(argv: list[str] | None = None) -> int:
    """Write one JSONL per set (the `sherloc tag` record plus "gold") and print a summary."""
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--corpora", type=Path, required=True)
    arguments.add_argument("--out", type=Path, required=True)
    arguments.add_argument(
        "--vocab", type=Path, default=Path(__file__).resolve().parents[2] / "corpus" / "vocab"
    )
    options = arguments.parse_args(argv)
    options.out.mkdir(parents=True, exist_ok=True)
    for name, items in build_eval_sets(options.corpora, options.vocab).items():
        with (options.out / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(
                    json.dumps({**item.to_json(), "gold": list(item.gold)}, ensure_ascii=False) + "\n"
                )
        print(name, json.dumps(summary(items), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
