"""Assemble a request for mutual legal assistance from the drafter's answers: the Document every output
(DOCX, PDF, printable HTML) lays out, in the request's language.

Every fixed text comes from the rules file (sherloc/mla/rules.py), so the request reads in one language
whatever the interface language; the drafter's own text is kept as typed. Values the portal names (States,
languages, channels, treaties, options) are written in the request's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date

from sherloc.mla.document import Block, Document, Entry, Field, Paragraph, Section
from sherloc.mla.rules import FieldRule, Rules, is_given
from sherloc.vocab.loader import UN_LANGUAGES

RTL = frozenset({"ar"})
SIGNATURE_LINE = "_" * 32


@dataclass(frozen=True)
class Lookups:
    """Names the portal gives to the codes and ids in the answers, in a language."""

    country_name: Callable[[str, str], str]
    language_name: Callable[[str, str], str]
    channel_label: Callable[[str, str], str]
    treaty_title: Callable[[str], str | None]  # a treaty record's title; None when the portal has none
    provision_url: Callable[[str], str | None]  # the public page of a provision record


@dataclass(frozen=True)
class Heading:
    """What the request says about its own file: reference, date and the two authorities."""

    reference: str
    date: dt.date
    requested_authority: str  # the directory's name of it, or the name the drafter typed


def document_language(answers: Mapping[str, Any]) -> str:
    language = answers.get("language")
    return language if language in UN_LANGUAGES else "en"


def assemble(rules: Rules, answers: Mapping[str, Any], heading: Heading, lookups: Lookups) -> Document:
    lang = document_language(answers)
    writer = _Writer(rules, answers, lang, lookups)
    requesting = writer.country(answers.get("requesting_state"))
    requested = writer.country(answers.get("requested_state"))
    requesting_authority = _text(answers.get("requesting_authority"))
    marks = tuple(
        rules.text(f"marks.{flag}", lang) for flag in ("confidential", "urgent") if answers.get(flag) is True
    )
    header = (
        Field(rules.text("header.reference", lang), heading.reference),
        Field(rules.text("header.date", lang), writer.date(heading.date)),
        Field(rules.text("header.from", lang), _join(requesting_authority, requesting)),
        Field(rules.text("header.to", lang), _join(heading.requested_authority, requested)),
    )
    opening = rules.text(
        "opening",
        lang,
        requesting_authority=requesting_authority,
        requesting_state=requesting,
        requested_authority=heading.requested_authority,
        requested_state=requested,
    )
    sections: list[Section] = []
    for section in rules.sections:
        blocks: list[Block] = []
        if not sections:
            blocks.append(Paragraph(opening))
            if is_given(answers.get("translation_language")):
                language = writer.language(answers.get("translation_language"))
                blocks.append(Paragraph(rules.text("translation", lang, language=language)))
        for field_id in section.fields:
            rule = rules.field(field_id)
            if rule is not None and rule.applies(answers):
                blocks += writer.blocks(rule, answers)
        if section.id == "contacts":
            blocks.append(Paragraph(rules.text("closing_phrase", lang)))
        if section.id == "enclosures" and not blocks:
            blocks.append(Paragraph(rules.text("enclosures_none", lang)))
        if blocks:
            sections.append(Section(f"{len(sections) + 1}. {section.label(lang)}", tuple(blocks)))
        if section.id == "assistance":
            for type_id in answers.get("assistance_types") or ():
                kind = rules.assistance(type_id) if isinstance(type_id, str) else None
                if kind is None:
                    continue
                type_blocks: list[Block] = []
                for rule in kind.fields:
                    if rule.applies(answers):
                        type_blocks += writer.blocks(rule, answers)
                heading_text = f"{len(sections) + 1}. {kind.label(lang)}"
                sections.append(Section(heading_text, tuple(type_blocks)))
    place = _text(answers.get("place_of_signature"))
    signatory = rules.field("signatory")
    closing = (
        Field(
            _join(rules.field("place_of_signature").label(lang), rules.text("header.date", lang))  # type: ignore[union-attr]
            if place
            else rules.text("header.date", lang),
            _join(place, writer.date(heading.date)),
        ),
        Field(signatory.label(lang) if signatory else "", _text(answers.get("signatory"))),
        Field(rules.text("signature", lang), SIGNATURE_LINE),
    )
    return Document(
        language=lang,
        direction="rtl" if lang in RTL else "ltr",
        title=rules.text("title", lang),
        header=header,
        sections=tuple(sections),
        closing=closing,
        marks=marks,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _join(*parts: str) -> str:
    return ", ".join(p for p in parts if p)


class _Writer:
    """Turns one field's answer into the blocks of the document."""

    def __init__(self, rules: Rules, answers: Mapping[str, Any], lang: str, lookups: Lookups) -> None:
        self.rules = rules
        self.answers = answers
        self.lang = lang
        self.lookups = lookups

    def country(self, code: Any) -> str:
        return self.lookups.country_name(code, self.lang) if isinstance(code, str) and code else ""

    def language(self, code: Any) -> str:
        return self.lookups.language_name(code, self.lang) if isinstance(code, str) and code else ""

    def date(self, value: dt.date) -> str:
        return format_date(value, format="long", locale=self.lang)

    def value(self, rule: FieldRule, value: Any) -> str:
        """An answer as the request prints it; "" when there is nothing to print."""
        if not is_given(value):
            return ""
        kind = rule.type
        if kind == "select":
            option = rule.option(value) if isinstance(value, str) else None
            return option.label(self.lang) if option else str(value)
        if kind == "country":
            return self.country(value)
        if kind == "language":
            return self.language(value)
        if kind == "channel":
            return self.lookups.channel_label(value, self.lang) if isinstance(value, str) else ""
        if kind == "treaty":
            return (self.lookups.treaty_title(value) or value) if isinstance(value, str) else ""
        if kind == "date" and isinstance(value, str):
            try:
                return self.date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if kind == "required_documents" and isinstance(value, list):
            return "\n".join(str(v) for v in value)
        if kind == "assistance" and isinstance(value, list):
            kinds = [self.rules.assistance(v) for v in value if isinstance(v, str)]
            return "\n".join(f"{n}. {k.label(self.lang)}" for n, k in enumerate((k for k in kinds if k), 1))
        return value.strip() if isinstance(value, str) else str(value)

    def blocks(self, rule: FieldRule, answers: Mapping[str, Any]) -> list[Block]:
        value = answers.get(rule.id)
        if rule.type == "checkbox":
            if value is not True:
                return []
            if rule.id == "confidential":
                return [Paragraph(self.rules.text("confidentiality", self.lang))]
            if rule.id == "urgent":
                return [Paragraph(self.rules.text("urgency", self.lang))]
            return [Paragraph(rule.label(self.lang))]
        if rule.id == "legal_basis":
            if value not in ("untoc", "treaty", "reciprocity"):
                return []
            treaty = self.value(self.rules.field("treaty") or rule, answers.get("treaty"))
            return [Paragraph(self.rules.text(f"legal_basis.{value}", self.lang, treaty=treaty))]
        if rule.id == "treaty":
            return []  # named in the legal basis phrase
        if rule.type == "group":
            items = (
                [i for i in value if isinstance(i, Mapping) and is_given(i)]
                if isinstance(value, list)
                else []
            )
            return [self.entry(rule, n, item) for n, item in enumerate(items, 1)]
        text = self.value(rule, value)
        return [Field(rule.label(self.lang), text)] if text else []

    def entry(self, rule: FieldRule, number: int, item: Mapping[str, Any]) -> Entry:
        fields = []
        for sub in rule.fields:
            text = self.value(sub, item.get(sub.id))
            if sub.type == "provision":
                record = item.get("provision_record")
                url = self.lookups.provision_url(record) if isinstance(record, str) and record else None
                text = "\n".join(t for t in (text, url) if t)
            if text:
                fields.append(Field(sub.label(self.lang), text))
        return Entry(f"{rule.item_label(self.lang)} {number}", tuple(fields))
