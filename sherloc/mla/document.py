"""The assembled request as a neutral document: what the DOCX, PDF and HTML renderers lay out.

The assembler (sherloc.mla.assemble) fills it in the request's language from the requirement rules and the
drafter's answers; the renderers only lay it out, so the three outputs say the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Field:
    """A labelled value: "Summary of facts: ...". The value may hold several lines or paragraphs."""

    label: str
    value: str


@dataclass(frozen=True)
class Paragraph:
    """Running text without a label (a formal phrase of the request)."""

    text: str


@dataclass(frozen=True)
class Entry:
    """One item of a repeated group (a person to be heard, an offence), as labelled values under a caption."""

    caption: str
    fields: tuple[Field, ...]


Block = Field | Paragraph | Entry


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    language: str  # ISO 639-1, one of the six UN languages: the language of every fixed text
    direction: str  # "ltr" or "rtl"
    title: str  # "Request for mutual legal assistance in criminal matters"
    header: tuple[Field, ...]  # reference, date, from, to: the lines above the title
    sections: tuple[Section, ...]
    closing: tuple[Field, ...]  # place and date, name and title of the signatory, signature line
    marks: tuple[str, ...] = field(default=())  # CONFIDENTIAL, URGENT: printed prominently at the top

    def texts(self) -> list[str]:
        """Every text of the document in reading order: what a reader of any output must find."""
        out = [*self.marks, self.title]
        for item in self.header:
            out += [item.label, item.value]
        for section in self.sections:
            out.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Field):
                    out += [block.label, block.value]
                elif isinstance(block, Paragraph):
                    out.append(block.text)
                else:
                    out.append(block.caption)
                    for item in block.fields:
                        out += [item.label, item.value]
        for item in self.closing:
            out += [item.label, item.value]
        return out

    def as_json(self) -> dict[str, Any]:
        """The document as plain JSON (stored with a finalised request); `from_json` reads it back."""
        data = asdict(self)
        for section, original in zip(data["sections"], self.sections, strict=True):
            section["blocks"] = [
                {"kind": type(block).__name__.lower(), **asdict(block)} for block in original.blocks
            ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Document:
        def fields_of(items: list[dict[str, str]]) -> tuple[Field, ...]:
            return tuple(Field(item["label"], item["value"]) for item in items)

        def block(item: dict[str, Any]) -> Block:
            if item["kind"] == "entry":
                return Entry(item["caption"], fields_of(item["fields"]))
            if item["kind"] == "paragraph":
                return Paragraph(item["text"])
            return Field(item["label"], item["value"])

        return cls(
            language=data["language"],
            direction=data["direction"],
            title=data["title"],
            header=fields_of(data["header"]),
            sections=tuple(
                Section(s["heading"], tuple(block(b) for b in s["blocks"])) for s in data["sections"]
            ),
            closing=fields_of(data["closing"]),
            marks=tuple(data.get("marks") or ()),
        )
