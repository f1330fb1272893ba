"""Completeness of a request for mutual legal assistance: what is missing or wrong, step by step.

A pure function of the rules, the drafter's answers and what the requested authority's directory entry says
(languages, channels, documents it requires). Each finding names the step and the field to fix, whether it
blocks finalising (a required item) or is advice (a recommended one), and the facts its message needs; the
web layer words it in the drafter's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sherloc.mla.rules import FieldRule, Rules, is_given
from sherloc.vocab.loader import UN_LANGUAGES

# A pragmatic shape check (one @, a dot in the domain, no spaces); delivery is the proof.
EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")

# Finding kinds; the web layer has a message for each.
MISSING = "missing"  # a required field is empty
TOO_FEW = "too_few"  # a required group has fewer items than it needs
RECOMMENDED = "recommended"  # a recommended field is empty (advice; does not block)
INVALID = "invalid"  # a value of the wrong form: a date, an address, an unknown option
PAST_DATE = "past_date"  # a deadline that has already passed (advice)
LANGUAGE = "language"  # the requested authority does not accept the request's language
CHANNEL = "channel"  # the requested authority does not accept this channel
INTERPOL = "interpol"  # INTERPOL without urgency, or where the requested State does not accept it
DOCUMENT = "document"  # a document the requested authority requires is not yet given
WRONG_STATE = "wrong_state"  # the chosen authority is not of the requested State
NOT_DESIGNATED = "not_designated"  # the chosen authority has no mandate for mutual legal assistance
NO_ENTRY = "no_entry"  # the requested authority is not one of the directory's (advice)
SAME_STATE = "same_state"  # requesting and requested State are the same
UNKNOWN_TYPE = "unknown_type"  # a type of assistance the rules do not know


@dataclass(frozen=True)
class DirectoryFacts:
    """What the directory says of the requested authority: the checks a request must meet there."""

    authority_id: str
    name: str
    country: str
    languages: tuple[str, ...] = ()  # ISO 639-1; empty: the entry does not say
    channels: tuple[str, ...] = ()  # channel ids; empty: the entry does not say
    interpol_accepted: bool | None = None
    required_documents: tuple[str, ...] = ()  # one item per document, as the entry lists them
    urgent_procedures: str | None = None
    designated: bool = True  # designated for mutual legal assistance (a mandate of that kind)


@dataclass(frozen=True)
class Finding:
    step: str
    field: str  # the field's id, or "group.index.field" inside a group ("offences.0.provision")
    kind: str
    blocking: bool
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def root(self) -> str:
        """The id of the field in the rules (the group's id for a field inside a group)."""
        return self.field.split(".", 1)[0]


@dataclass(frozen=True)
class Context:
    """What the checks compare answers with besides the directory."""

    countries: Collection[str] = ()  # ISO 3166-1 alpha-2 codes the portal knows; empty: not checked
    languages: Collection[str] = ()  # ISO 639-1 codes; empty: not checked
    channels: Collection[str] = ()  # channel ids of the directory vocabulary; empty: not checked
    today: dt.date | None = None


def required_documents(text: str | None) -> tuple[str, ...]:
    """The documents an entry's `required_documents` lists: one per line or per semicolon, bullets and
    numbering dropped, duplicates once."""
    items: list[str] = []
    for part in re.split(r"[\n;]+", text or ""):
        item = re.sub(r"^\s*(?:[-*•·]|\(?\d+[.)]|\(?[a-z][.)])\s*", "", part).strip().rstrip(".").strip()
        if item and item not in items:
            items.append(item)
    return tuple(items)


def check(
    rules: Rules, answers: Mapping[str, Any], facts: DirectoryFacts | None, context: Context | None = None
) -> list[Finding]:
    """Every finding on `answers`, in the order of the steps and of the fields within them."""
    context = context or Context()
    findings: list[Finding] = []
    order = {s.id: n for n, s in enumerate(rules.steps)}
    for rule in rules.fields:
        if rule.type == "assistance":
            findings += _assistance(rules, rule, answers, context)
        else:
            findings += _field(rule.step or "", rule, answers, answers, rule.id, context)
    findings += _directory(rules, answers, facts)
    if is_given(answers.get("requesting_state")) and answers.get("requesting_state") == answers.get(
        "requested_state"
    ):
        findings.append(Finding("states", "requested_state", SAME_STATE, True))
    positions = {f.id: n for n, f in enumerate(rules.all_fields())}
    findings.sort(key=lambda f: (order.get(f.step, len(order)), positions.get(f.root, 0)))
    return findings


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocking]


def is_complete(findings: Iterable[Finding]) -> bool:
    return not blocking(findings)


def _field(
    step: str,
    rule: FieldRule,
    value_of: Mapping[str, Any],
    answers: Mapping[str, Any],
    path: str,
    context: Context,
) -> list[Finding]:
    """Findings on one field; `value_of` holds its value (the answers, or a group's item)."""
    if not rule.applies(answers):
        return []
    value = value_of.get(rule.id)
    if rule.type == "group":
        return _group(step, rule, value, answers, path, context)
    if not is_given(value):
        if rule.required:
            return [Finding(step, path, MISSING, True)]
        if rule.recommended:
            return [Finding(step, path, RECOMMENDED, False)]
        return []
    problem = _form(rule, value, context)
    if problem is not None:
        return [Finding(step, path, problem, problem != PAST_DATE)]
    return []


def _group(
    step: str, rule: FieldRule, value: Any, answers: Mapping[str, Any], path: str, context: Context
) -> list[Finding]:
    items = (
        [item for item in value if isinstance(item, Mapping) and is_given(item)]
        if isinstance(value, list)
        else []
    )
    findings = []
    if len(items) < max(rule.min_items, 1 if (rule.required or rule.recommended) else 0):
        if rule.required:
            findings.append(
                Finding(step, path, MISSING if not items else TOO_FEW, True, {"count": str(rule.min_items)})
            )
        elif rule.recommended:
            findings.append(Finding(step, path, RECOMMENDED, False))
    for n, item in enumerate(items):
        for sub in rule.fields:
            findings += _field(step, sub, item, answers, f"{path}.{n}.{sub.id}", context)
    return findings


def _assistance(rules: Rules, rule: FieldRule, answers: Mapping[str, Any], context: Context) -> list[Finding]:
    chosen = answers.get(rule.id)
    chosen = [t for t in chosen if isinstance(t, str)] if isinstance(chosen, list) else []
    if not chosen:
        return [Finding("assistance", rule.id, MISSING, True)]
    findings = []
    for type_id in chosen:
        kind = rules.assistance(type_id)
        if kind is None:
            findings.append(Finding("assistance", rule.id, UNKNOWN_TYPE, True, {"value": type_id}))
            continue
        for sub in kind.fields:
            for finding in _field("assistance", sub, answers, answers, sub.id, context):
                findings.append(
                    Finding(
                        finding.step,
                        finding.field,
                        finding.kind,
                        finding.blocking,
                        {**finding.params, "type": type_id},
                    )
                )
    return findings


TEXT_TYPES = frozenset(
    {"text", "textarea", "provision", "email", "phone", "date", "select", "country", "language", "channel"}
    | {"treaty", "authority"}
)


def _form(rule: FieldRule, value: Any, context: Context) -> str | None:
    """INVALID or PAST_DATE when a given value has the wrong form; None when it is fine."""
    kind = rule.type
    if kind in TEXT_TYPES and not isinstance(value, str):
        return INVALID
    if kind == "date":
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return INVALID
        if context.today is not None and day < context.today and rule.id == "deadline":
            return PAST_DATE
        return None
    valid: dict[str, Callable[[], bool]] = {
        "email": lambda: bool(EMAIL.match(value.strip())),
        "phone": lambda: bool(PHONE.match(value.strip())),
        "select": lambda: rule.option(value) is not None,
        "country": lambda: not context.countries or value in context.countries,
        "language": lambda: not context.languages or value in context.languages,
        "channel": lambda: not context.channels or value in context.channels,
        "checkbox": lambda: value is True,
        "required_documents": lambda: isinstance(value, list) and all(isinstance(v, str) for v in value),
    }
    check_form = valid.get(kind)
    if check_form is not None and not check_form():
        return INVALID
    # The request is printed in its language: one of the six the rules have texts in.
    return INVALID if rule.step and rule.id == "language" and value not in UN_LANGUAGES else None


def _directory(rules: Rules, answers: Mapping[str, Any], facts: DirectoryFacts | None) -> list[Finding]:
    """The checks the requested authority's directory entry drives."""
    findings: list[Finding] = []
    state = answers.get("requested_state")
    if facts is None:
        # An authority typed by name, not chosen from the directory: nothing to check it against.
        if is_given(answers.get("requested_authority")):
            findings.append(Finding("states", "requested_authority", NO_ENTRY, False))
        return findings
    if is_given(state) and facts.country != state:
        findings.append(
            Finding("states", "requested_authority", WRONG_STATE, True, {"authority": facts.name})
        )
    if not facts.designated:
        findings.append(
            Finding("states", "requested_authority", NOT_DESIGNATED, True, {"authority": facts.name})
        )
    accepted = ", ".join(facts.languages)
    language = answers.get("language")
    translation = answers.get("translation_language")
    if (
        facts.languages
        and is_given(language)
        and language not in facts.languages
        and not is_given(translation)
    ):
        findings.append(
            Finding("states", "language", LANGUAGE, True, {"authority": facts.name, "accepted": accepted})
        )
    if facts.languages and is_given(translation) and translation not in facts.languages:
        findings.append(
            Finding(
                "states",
                "translation_language",
                LANGUAGE,
                True,
                {"authority": facts.name, "accepted": accepted},
            )
        )
    channel = answers.get("channel")
    if is_given(channel):
        if channel == "interpol" and (facts.interpol_accepted is False or answers.get("urgent") is not True):
            findings.append(
                Finding(
                    "states",
                    "channel",
                    INTERPOL,
                    True,
                    {
                        "authority": facts.name,
                        "accepted": "no" if facts.interpol_accepted is False else "yes",
                    },
                )
            )
        elif facts.channels and channel not in facts.channels and channel != "interpol":
            findings.append(
                Finding(
                    "states",
                    "channel",
                    CHANNEL,
                    True,
                    {"authority": facts.name, "accepted": ", ".join(facts.channels)},
                )
            )
    given = answers.get("required_documents_given")
    given = set(given) if isinstance(given, list) else set()
    for document in facts.required_documents:
        if document not in given:
            findings.append(
                Finding(
                    "documents",
                    "required_documents_given",
                    DOCUMENT,
                    True,
                    {"authority": facts.name, "document": document},
                )
            )
    return findings
