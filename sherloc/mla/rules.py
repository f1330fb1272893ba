"""Load corpus/vocab/mla_requirements.yaml: the steps of the request writer, the fields of a request, the
types of assistance with their own fields, and the fixed texts of the assembled request.

The file is data a secretariat edits; this module checks it whole (every id known, every label in the six
languages, every condition pointing at a field that exists) so that an edit mistake stops the portal at
start with the place named, not a drafter in the middle of a request.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sherloc.vocab.loader import UN_LANGUAGES, VocabularyError

RULES_FILE = "mla_requirements.yaml"
# The kinds of field the wizard knows how to ask for, check and print.
FIELD_TYPES = frozenset(
    {
        "text",
        "textarea",
        "date",
        "email",
        "phone",
        "checkbox",
        "select",
        "country",
        "authority",
        "language",
        "channel",
        "treaty",
        "provision",
        "assistance",
        "required_documents",
        "group",
    }
)
GROUP_ITEM_TYPES = FIELD_TYPES - {"group", "authority", "assistance", "required_documents", "channel"}
ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _pick(labels: Mapping[str, str], language: str | None) -> str:
    return labels.get(language or "en") or labels["en"]


@dataclass(frozen=True)
class Option:
    id: str
    labels: dict[str, str]

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)


@dataclass(frozen=True)
class Condition:
    """When a field applies: another field equals a value or is set, or the assistance sought includes a
    type other than those listed (a summary of facts is not needed for service of documents alone)."""

    field: str | None = None
    equals: str | None = None
    is_set: bool = False
    assistance_other_than: tuple[str, ...] | None = None

    def holds(self, answers: Mapping[str, Any]) -> bool:
        if self.assistance_other_than is not None:
            chosen = [t for t in answers.get("assistance_types") or () if isinstance(t, str)]
            # Until a type is chosen, assume the field is needed: better asked early than late.
            return not chosen or any(t not in self.assistance_other_than for t in chosen)
        value = answers.get(self.field or "")
        if self.equals is not None:
            return value == self.equals
        return is_given(value)


def is_given(value: Any) -> bool:
    """Whether an answer is there: not None, not blank text, not an empty list, not an unticked box."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return any(is_given(v) for v in (value.values() if isinstance(value, dict) else value))
    return True


@dataclass(frozen=True)
class FieldRule:
    id: str
    type: str
    labels: dict[str, str]
    help: dict[str, str]
    step: str | None = None  # the wizard step (common fields); None for a type's or a group's fields
    required: bool = False
    recommended: bool = False
    when: Condition | None = None
    source: str = ""
    options: tuple[Option, ...] = ()
    fields: tuple[FieldRule, ...] = ()  # a group's fields
    item_labels: dict[str, str] | None = None
    min_items: int = 0

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)

    def help_text(self, language: str | None = "en") -> str:
        return _pick(self.help, language)

    def item_label(self, language: str | None = "en") -> str:
        return _pick(self.item_labels or self.labels, language)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.when is None or self.when.holds(answers)


@dataclass(frozen=True)
class AssistanceType:
    id: str
    labels: dict[str, str]
    source: str
    fields: tuple[FieldRule, ...]

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)


@dataclass(frozen=True)
class Step:
    id: str
    labels: dict[str, str]
    help: dict[str, str]

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)

    def help_text(self, language: str | None = "en") -> str:
        return _pick(self.help, language)


@dataclass(frozen=True)
class DocumentSection:
    id: str
    labels: dict[str, str]
    fields: tuple[str, ...]

    def label(self, language: str | None = "en") -> str:
        return _pick(self.labels, language)


@dataclass(frozen=True)
class Rules:
    steps: tuple[Step, ...]
    fields: tuple[FieldRule, ...]  # the fields every request has, in step order
    assistance_types: tuple[AssistanceType, ...]
    texts: dict[
        str, dict[str, str]
    ]  # the document's fixed texts: "title", "marks.urgent", "legal_basis.treaty"
    sections: tuple[DocumentSection, ...]

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_fields(self, step_id: str) -> tuple[FieldRule, ...]:
        return tuple(f for f in self.fields if f.step == step_id)

    def assistance(self, type_id: str) -> AssistanceType | None:
        return next((t for t in self.assistance_types if t.id == type_id), None)

    def field(self, field_id: str) -> FieldRule | None:
        """A common field or a type's field, by id."""
        return next((f for f in self.all_fields() if f.id == field_id), None)

    def all_fields(self) -> Iterator[FieldRule]:
        yield from self.fields
        for kind in self.assistance_types:
            yield from kind.fields

    def step_of(self, field_id: str) -> str | None:
        """The step a field is asked on: its own, or `assistance` for a type's fields."""
        found = next((f for f in self.fields if f.id == field_id), None)
        if found is not None:
            return found.step
        return "assistance" if self.field(field_id) is not None else None

    def text(self, key: str, language: str | None = "en", /, **values: str) -> str:
        """A fixed text of the document in `language`, its {placeholders} filled from `values`."""
        template = _pick(self.texts[key], language)
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)

    def as_json(self, language: str | None = "en") -> dict[str, Any]:
        """The rules in one language, for the API and for tools that draft requests elsewhere."""

        def field_json(rule: FieldRule) -> dict[str, Any]:
            out: dict[str, Any] = {
                "id": rule.id,
                "type": rule.type,
                "label": rule.label(language),
                "help": rule.help_text(language),
                "required": rule.required,
                "recommended": rule.recommended,
            }
            if rule.step:
                out["step"] = rule.step
            if rule.when is not None:
                out["when"] = {
                    k: v
                    for k, v in (
                        ("field", rule.when.field),
                        ("equals", rule.when.equals),
                        ("is_set", rule.when.is_set or None),
                        (
                            "assistance_other_than",
                            list(rule.when.assistance_other_than)
                            if rule.when.assistance_other_than is not None
                            else None,
                        ),
                    )
                    if v is not None
                }
            if rule.source:
                out["source"] = rule.source
            if rule.options:
                out["options"] = [{"id": o.id, "label": o.label(language)} for o in rule.options]
            if rule.type == "group":
                out["min_items"] = rule.min_items
                out["item_label"] = rule.item_label(language)
                out["fields"] = [field_json(f) for f in rule.fields]
            return out

        return {
            "language": language,
            "steps": [
                {"id": s.id, "label": s.label(language), "help": s.help_text(language)} for s in self.steps
            ],
            "fields": [field_json(f) for f in self.fields],
            "assistance_types": [
                {
                    "id": t.id,
                    "label": t.label(language),
                    "source": t.source,
                    "fields": [field_json(f) for f in t.fields],
                }
                for t in self.assistance_types
            ],
        }


class _Reader:
    """Reads the file's parts, naming the place of any mistake."""

    def __init__(self, path: Path, languages: tuple[str, ...]) -> None:
        self.path = path
        self.languages = languages

    def fail(self, where: str, message: str) -> VocabularyError:
        return VocabularyError(f"{self.path}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a mapping")
        return value

    def ident(self, item: Mapping[str, Any], where: str) -> str:
        value = item.get("id")
        if not isinstance(value, str) or not ID.match(value):
            raise self.fail(where, f"id {value!r} must be lower-case letters, digits and _")
        return value

    def labels(self, value: Any, where: str) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(where, "labels must be a mapping of language to text")
        missing = [
            lang for lang in self.languages if not isinstance(value.get(lang), str) or not value[lang].strip()
        ]
        if missing:
            raise self.fail(where, f"no text in {', '.join(missing)}")
        out = {lang: str(value[lang]).strip() for lang in UN_LANGUAGES if isinstance(value.get(lang), str)}
        placeholders = {lang: set(PLACEHOLDER.findall(text)) for lang, text in out.items()}
        if len({frozenset(p) for p in placeholders.values()}) > 1:
            raise self.fail(where, f"the languages differ in their {{placeholders}}: {placeholders}")
        return out

    def flag(self, item: Mapping[str, Any], key: str, where: str) -> bool:
        value = item.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(where, f"{key!r} must be true or false")
        return value

    def field(self, item: Any, where: str, step: str | None, in_group: bool = False) -> FieldRule:
        item = self.mapping(item, where)
        field_id = self.ident(item, where)
        where = f"{where} {field_id}"
        kind = item.get("type")
        allowed = GROUP_ITEM_TYPES if in_group else FIELD_TYPES
        if kind not in allowed:
            raise self.fail(where, f"type {kind!r} is not one of {', '.join(sorted(allowed))}")
        options = tuple(
            Option(
                id=self.ident(o, f"{where} option"), labels=self.labels(o.get("labels"), f"{where} option")
            )
            for o in (self.mapping(o, f"{where} option") for o in item.get("options") or ())
        )
        if kind == "select" and not options:
            raise self.fail(where, "a select needs options")
        fields: tuple[FieldRule, ...] = ()
        min_items = 0
        item_labels = None
        if kind == "group":
            fields = tuple(
                self.field(sub, f"{where} field", None, in_group=True) for sub in item.get("fields") or ()
            )
            if not fields:
                raise self.fail(where, "a group needs fields")
            min_items = item.get("min_items", 0)
            if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 0:
                raise self.fail(where, "min_items must be a whole number")
            item_labels = self.labels(item.get("item_labels") or item.get("labels"), f"{where} item_labels")
        required = self.flag(item, "required", where)
        recommended = self.flag(item, "recommended", where)
        if required and recommended:
            raise self.fail(where, "a field is required or recommended, not both")
        return FieldRule(
            id=field_id,
            type=kind,
            labels=self.labels(item.get("labels"), f"{where} labels"),
            help=self.labels(item.get("help"), f"{where} help"),
            step=step,
            required=required,
            recommended=recommended,
            when=self.condition(item.get("when"), where),
            source=str(item.get("source") or ""),
            options=options,
            fields=fields,
            item_labels=item_labels,
            min_items=min_items,
        )

    def condition(self, value: Any, where: str) -> Condition | None:
        if value is None:
            return None
        value = self.mapping(value, f"{where} when")
        if "assistance_other_than" in value:
            types = value["assistance_other_than"]
            if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
                raise self.fail(where, "assistance_other_than must be a list of type ids")
            return Condition(assistance_other_than=tuple(types))
        field_id = value.get("field")
        if not isinstance(field_id, str):
            raise self.fail(where, "a condition names a field")
        if "equals" in value:
            return Condition(field=field_id, equals=str(value["equals"]))
        if value.get("is_set") is True:
            return Condition(field=field_id, is_set=True)
        raise self.fail(where, "a condition has `equals` or `is_set: true`")


def load_rules(vocab_dir: Path, languages: tuple[str, ...] = UN_LANGUAGES) -> Rules:
    """Read and check the rules file; `languages` are those every text must be given in."""
    path = Path(vocab_dir) / RULES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VocabularyError(f"{path}: {exc}") from exc
    read = _Reader(path, languages)
    if not isinstance(data, dict) or data.get("version") != 1:
        raise VocabularyError(f"{path}: expected a mapping with 'version: 1'")
    steps = tuple(
        Step(
            id=read.ident(s, "step"),
            labels=read.labels(s.get("labels"), f"step {s.get('id')}"),
            help=read.labels(s.get("help"), f"step {s.get('id')} help"),
        )
        for s in (read.mapping(s, "step") for s in data.get("steps") or ())
    )
    step_ids = [s.id for s in steps]
    fields = []
    for item in data.get("fields") or ():
        step = read.mapping(item, "field").get("step")
        if step not in step_ids:
            raise read.fail(f"field {item.get('id')}", f"step {step!r} is not one of {', '.join(step_ids)}")
        fields.append(read.field(item, "field", step))
    fields.sort(key=lambda f: step_ids.index(f.step or ""))  # stable: file order within a step
    kinds = tuple(
        AssistanceType(
            id=read.ident(t, "assistance type"),
            labels=read.labels(t.get("labels"), f"assistance type {t.get('id')}"),
            source=str(t.get("source") or ""),
            fields=tuple(
                read.field(f, f"assistance type {t.get('id')} field", None) for f in t.get("fields") or ()
            ),
        )
        for t in (read.mapping(t, "assistance type") for t in data.get("assistance_types") or ())
    )
    document = read.mapping(data.get("document"), "document")
    texts: dict[str, dict[str, str]] = {}
    for key, value in document.items():
        if key == "sections":
            continue
        if isinstance(value, dict) and "en" not in value:
            for sub, labels in value.items():
                texts[f"{key}.{sub}"] = read.labels(labels, f"document {key}.{sub}")
        else:
            texts[key] = read.labels(value, f"document {key}")
    sections = tuple(
        DocumentSection(
            id=read.ident(s, "document section"),
            labels=read.labels(s.get("labels"), f"document section {s.get('id')}"),
            fields=tuple(str(f) for f in s.get("fields") or ()),
        )
        for s in (read.mapping(s, "document section") for s in document.get("sections") or ())
    )
    rules = Rules(steps=steps, fields=tuple(fields), assistance_types=kinds, texts=texts, sections=sections)
    _check_references(rules, read)
    return rules


REQUIRED_TEXTS = (
    "title",
    "marks.confidential",
    "marks.urgent",
    "header.reference",
    "header.date",
    "header.from",
    "header.to",
    "opening",
    "legal_basis.untoc",
    "legal_basis.treaty",
    "legal_basis.reciprocity",
    "translation",
    "confidentiality",
    "urgency",
    "closing_phrase",
    "signature",
    "enclosures_none",
)
# Fields the code itself reads by id: renaming one in the file would silently switch a check off.
REQUIRED_FIELDS = (
    "requesting_state",
    "requested_state",
    "requested_authority",
    "language",
    "translation_language",
    "channel",
    "legal_basis",
    "treaty",
    "requesting_authority",
    "assistance_types",
    "required_documents_given",
    "confidential",
    "urgent",
    "deadline",
    "signatory",
    "place_of_signature",
)


def _check_references(rules: Rules, read: _Reader) -> None:
    if not rules.steps:
        raise read.fail("steps", "no steps")
    if not rules.assistance_types:
        raise read.fail("assistance_types", "no types of assistance")
    seen: set[str] = set()
    for rule in rules.all_fields():
        if rule.id in seen:
            raise read.fail(f"field {rule.id}", "the id is used twice")
        seen.add(rule.id)
    type_ids = {t.id for t in rules.assistance_types}
    if len(type_ids) != len(rules.assistance_types):
        raise read.fail("assistance_types", "an id is used twice")
    for rule in rules.all_fields():
        when = rule.when
        if when is None:
            continue
        if when.assistance_other_than is not None:
            unknown = set(when.assistance_other_than) - type_ids
            if unknown:
                raise read.fail(f"field {rule.id} when", f"unknown types {sorted(unknown)}")
        elif when.field not in seen:
            raise read.fail(f"field {rule.id} when", f"unknown field {when.field!r}")
        elif when.equals is not None:
            target = rules.field(when.field or "")
            if target is not None and target.options and target.option(when.equals) is None:
                raise read.fail(f"field {rule.id} when", f"{when.field} has no option {when.equals!r}")
    for field_id in REQUIRED_FIELDS:
        if field_id not in seen:
            raise read.fail("fields", f"the field {field_id!r} is missing (the code reads it)")
    for key in REQUIRED_TEXTS:
        if key not in rules.texts:
            raise read.fail("document", f"the text {key!r} is missing")
    common = {f.id for f in rules.fields}
    for section in rules.sections:
        unknown = set(section.fields) - common
        if unknown:
            raise read.fail(f"document section {section.id}", f"unknown fields {sorted(unknown)}")


@functools.cache
def _default() -> Rules:
    from sherloc.vocab.loader import default_vocab_dir

    return load_rules(default_vocab_dir())


def mla_rules() -> Rules:
    """The rules of the portal's vocabulary, read once."""
    return _default()
