"""Parser for legalize Markdown (YAML front matter, then one law): French codes and Spanish BOE laws."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sherloc.extract.strategies import strategy_facts
from sherloc.extract.treaties import treaty_facts
from sherloc.ingest import structure
from sherloc.ingest.structure import (
    ArticleMatch,
    HeadingPath,
    ProvisionDraft,
    collapse_spaces,
    is_repealed,
    iter_blocks,
    join_paragraphs,
    match_article_label,
    match_heading,
    read_utf8,
    spanish_disposition_number,
    spanish_ordinal_to_int,
)
from sherloc.ingest.types import ParsedProvision, ParsedRecord, ParseError

_LANGUAGE_BY_COUNTRY = {"fr": "fr", "es": "es"}
# Front-matter keys that become record fields; the others go to attributes.
_RECORD_KEYS = {"title", "identifier", "country", "language", "last_updated", "status", "source"}
_QUOTES = "«“\"'‘"
# A Spanish group heading under which "Primera." means "Disposición final primera.".
_DISPOSITION_GROUP = re.compile(
    r"disposici(?:ones|ón)\s+(adicional|transitoria|derogatoria|final)(?:e?s)?\.?", re.IGNORECASE
)
_BARE_ORDINAL = re.compile(r"(?P<label>(?P<word>[^\W\d_]+)\.)(?:\s+(?P<rest>.+))?")
# A heading naming only its unit ("LIBRO II", "CAPÍTULO I"): its title is the paragraph after it.
_BARE_HEADING = re.compile(r"\S+\s+[\w.ºª°]+\.?")
_RANGE = re.compile(r"(\d+) [ay] (\d+)")
_DISPOSITION_NUMBER = re.compile(r"D[ATDF]\b")
_MAX_HEADING_CHARS = 200
# The longest title under a bare "LIBRO I" in the BOE texts has 149 characters; the first sentence of a
# treaty's "PARTE III" (167) is text, not a title.
_MAX_TITLE_CHARS = 150


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], list[str]]:
    """The front matter (which must name ("identifier", "country")) and the Markdown lines after it."""
    return structure.split_front_matter(text, name, required=("identifier", "country"))


def json_safe(value: Any) -> Any:
    """Front-matter values as JSON types: dates become ISO strings, containers are converted recursively."""
    if isinstance(value, dt.date):  # includes datetime
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def as_date(value: Any) -> dt.date | None:
    """A front-matter date, whether YAML parsed it ("2026-04-02" unquoted) or left it a string (quoted)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


class _BodyParser:
    """Splits the Markdown body into provisions; the text outside every provision is kept apart."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self.languages = (language,) if language else ("fr", "es")
        self.headings = HeadingPath()  # levels are flat in legalize-fr, so ranks come from keywords only
        self.drafts: list[ProvisionDraft] = []
        self.outside: list[str] = []
        self.current: ProvisionDraft | None = None
        self.pending_heading: str | None = None
        self.markdown = True

    def run(self, lines: list[str]) -> tuple[list[ParsedProvision], list[str]]:
        blocks = list(iter_blocks(lines))
        # A few files (Code des douanes de Mayotte, some BOE treaties) have no '#' marks at all: there, plain
        # lines "Article 7" and "Chapitre I : ..." carry the structure.
        self.markdown = any(b.startswith("#") and self._article(_heading_text(b), True) for b in blocks)
        index = 0
        while index < len(blocks):
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            index += self._block(blocks[index], following)
        return [draft.finish(position) for position, draft in enumerate(self.drafts)], self.outside

    # ---- one block -------------------------------------------------------------------------------

    def _block(self, block: str, following: str | None) -> int:
        """Handle `block`; returns how many blocks were used (2 when a heading took the next as its title)."""
        if block.startswith("#"):
            return self._marked_heading(block, following)
        first_line, _, more = block.partition("\n")
        if not self.markdown:
            article = self._article(first_line)
            if article is not None and not article.rest:
                self._start(article)
                self._text(more)
                return 1
        if "\n" not in block and self._plain_heading(block):
            return self._enter_heading(block, following)
        self._text(block)
        return 1

    def _marked_heading(self, block: str, following: str | None) -> int:
        level = len(block) - len(block.lstrip("#"))
        text = _heading_text(block)
        if level == 1 or not text:
            return 1  # the "# title" line repeats the front-matter title
        if text[0] in _QUOTES:
            self._text(text)  # a heading quoted inside an amending provision is part of its text
            return 1
        article = self._article(text, bare_ordinals=True)
        if article is not None:
            self._start(article)
            return 1
        if match_heading(text, self.language) is not None:
            return self._enter_heading(text, following)
        if level >= 5:
            self._text(text)  # article-level line naming no article ("Ávila:" in a list of provinces)
            return 1
        # Unknown headings ("JUAN CARLOS I", "DISPONGO:", "PREÁMBULO", "I") end the provision and belong to
        # the law's own text, not to its structure.
        self.current = None
        self._outside(text)
        return 1

    def _plain_heading(self, line: str) -> bool:
        if len(line) > _MAX_HEADING_CHARS or self._article(line) is not None:
            return False
        if match_heading(line, self.language, require_number=True) is None:
            return False
        # Between '#' headings only an upper-case "LIBRO II" or a "DISPOSICIONES FINALES" paragraph is a
        # heading; "Titre de séjour…" or "ANNEXE 1 MENTIONNÉE À L'ARTICLE D. 110-1" (an annex's own first
        # line) is text.
        bare = line.isupper() and _BARE_HEADING.fullmatch(line) is not None
        # Only the BOE texts do this; legalize-fr marks all its structure with '#'.
        spanish = self.language == "es" and (bare or _DISPOSITION_GROUP.fullmatch(line) is not None)
        return not self.markdown or spanish

    # ---- structure ---------------------------------------------------------------------------------

    def _enter_heading(self, text: str, following: str | None) -> int:
        used = 1
        if following is not None and _BARE_HEADING.fullmatch(text) and self._is_title_line(following):
            text, used = f"{text}. {following}", 2
        match = match_heading(text, self.language)
        self.current = None
        self.headings.enter(text, match.rank if match else None)
        self.pending_heading = text
        return used

    def _is_title_line(self, block: str) -> bool:
        if block.startswith("#") or "\n" in block or len(block) > _MAX_TITLE_CHARS:
            return False
        return (
            self._article(block) is None and match_heading(block, self.language, require_number=True) is None
        )

    def _article(self, text: str, bare_ordinals: bool = False) -> ArticleMatch | None:
        match = match_article_label(text, self.languages)
        if match is not None or self.language != "es" or not bare_ordinals:
            return match
        # Spanish dispositions and ministerial orders number parts with bare ordinals ("##### Primera.").
        bare = _BARE_ORDINAL.fullmatch(text.replace("**", ""))
        value = spanish_ordinal_to_int(bare["word"]) if bare else None
        if bare is None or value is None:
            return None  # "Una." / "Dos." are cardinals numbering the paragraphs of an amending article
        groups = (_DISPOSITION_GROUP.match(heading) for heading in reversed(self.headings.path))
        group = next((found for found in groups if found), None)
        number = spanish_disposition_number(group[1], bare["word"]) if group else str(value)
        return ArticleMatch(bare["label"], number, bare["rest"] or "")

    # ---- provisions and text -------------------------------------------------------------------------

    def _start(self, article: ArticleMatch) -> None:
        in_group = any(_DISPOSITION_GROUP.match(heading) for heading in self.headings.path)
        if _DISPOSITION_NUMBER.match(article.number) and not in_group:
            # Spanish dispositions follow the articles, outside the last TÍTULO/CAPÍTULO before them.
            self.headings = HeadingPath()
        repealed = bool(article.rest) and is_repealed(article.rest)
        heading = article.rest if article.rest and not repealed else None
        self.current = ProvisionDraft(article.label, article.number, self.headings.path, heading, repealed)
        self.drafts.append(self.current)

    def _text(self, text: str) -> None:
        if not text:
            return
        if self.current is not None:
            self.current.paragraphs.append(text)
        else:
            self._outside(text)

    def _outside(self, text: str) -> None:
        # A structural heading belongs in the law's text only when text outside any provision follows it.
        if self.pending_heading:
            self.outside.append(self.pending_heading)
            self.pending_heading = None
        self.outside.append(text)


def _heading_text(block: str) -> str:
    return collapse_spaces(block.lstrip("#").replace("**", ""))


def mark_repealed_ranges(provisions: list[ParsedProvision]) -> None:
    """A repealed range ("Artículos 617 a 622. (Derogados)", "638 y 639") also repeals the articles in it.

    The BOE consolidated Código Penal keeps the former text of articles 617-639 after such range notes;
    without this they would look in force.
    """
    for provision in provisions:
        bounds = _RANGE.fullmatch(provision.number)
        if provision.status != "repealed" or bounds is None:
            continue
        low, high = int(bounds[1]), int(bounds[2])
        for other in provisions[provision.position + 1 :]:
            leading = re.match(r"\d+", other.number)
            if leading and low <= int(leading.group()) <= high and other.status is None:
                other.status = "repealed"
                other.attributes["repealed_by"] = provision.label


def mark_repeated_numbers(provisions: list[ParsedProvision]) -> None:
    """Number the occurrences of a provision number that the file repeats (attributes occurrence/occurrences).

    legalize-fr keeps several wordings of some articles under the same heading (Code pénal 131-22 three
    times), in no date order and without saying which is in force; a Spanish royal decree's own articles
    precede the code it approves. All are kept; these attributes let a reader tell them apart.
    """
    counts = Counter(provision.number for provision in provisions)
    seen: Counter[str] = Counter()
    for provision in provisions:
        if counts[provision.number] > 1:
            seen[provision.number] += 1
            provision.attributes["occurrence"] = seen[provision.number]
            provision.attributes["occurrences"] = counts[provision.number]


class LegalizeParser:
    """legalize-fr / legalize-es Markdown: YAML front matter, '#' headings, one '#####' line per provision.

    Provision numbers are normalised so that one article has one spelling:
      - French: "Article L. 324-1" -> "L324-1" (the letter prefix is glued to the number, dots and spaces go),
        "R*123-4" -> "R*123-4" (the star is part of the official number), "1er" -> "1", "2 bis" -> "2 bis",
        "224-1 A" -> "224-1 A", annexes keep their wording ("Annexe 1").
      - Spanish: "Artículo 301." -> "301", "177 bis." -> "177 bis", "1.º" -> "1", number words become
        digits ("primero" -> "1", "once bis" -> "11 bis") except "único"; ranges "Artículos 617 a 622." ->
        "617 a 622"; dispositions -> "DA 1" / "DT 2" / "DD única" / "DF 1" (adicional, transitoria,
        derogatoria, final).
    A Spanish article heading after the number ("Artículo 1. Objeto.") becomes the provision's heading.
    """

    name = "legalize"

    def detect(self, path: Path, head: str) -> bool:
        """A .md file whose YAML front matter has `identifier` and `country`."""
        front = structure.front_matter_head(path, head)
        if front is None:
            return False
        return bool(re.search(r"(?m)^identifier\s*:", front) and re.search(r"(?m)^country\s*:", front))

    def parse(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield the one law in `path`."""
        meta, lines = split_front_matter(read_utf8(path), path.name)
        country = str(meta["country"]).strip().lower()
        if not re.fullmatch(r"[a-z]{2}", country):
            raise ParseError(
                f"{path.name}: country must be a two-letter ISO 3166-1 code, not {country[:20]!r}"
            )
        language = (
            str(meta.get("language") or _LANGUAGE_BY_COUNTRY.get(country) or "").strip().lower() or None
        )
        if language is not None and not re.fullmatch(r"[a-z]{2,3}", language):
            raise ParseError(f"{path.name}: language must be an ISO 639-1 code, not {language[:20]!r}")
        date_key = "enactment_date" if as_date(meta.get("enactment_date")) else "publication_date"
        provisions, outside = _BodyParser(language).run(lines)
        mark_repealed_ranges(provisions)
        mark_repeated_numbers(provisions)
        title = str(meta.get("title") or _first_title(lines) or meta["identifier"])
        kind, extra = document_kind(title, "\n".join(lines), meta)
        yield ParsedRecord(
            source=self.name,
            source_key=str(meta["identifier"]),
            kind=kind,
            title=title,
            country=country.upper(),
            language=language,
            text=join_paragraphs(outside),
            date_adopted=as_date(meta.get(date_key)),
            date_amended=as_date(meta.get("last_updated")),
            status=str(meta["status"]) if meta.get("status") else None,
            source_url=str(meta["source"]) if meta.get("source") else None,
            attributes={
                **{k: json_safe(v) for k, v in meta.items() if k not in _RECORD_KEYS and k != date_key},
                **extra,
            },
            provisions=provisions,
        )


# A treaty's subjects as the portal's cross-cutting issues (corpus/vocab/cross_cutting.yaml).
_SUBJECT_ISSUES = {
    "extradition": "extradition",
    "mutual_legal_assistance": "mutual_legal_assistance",
    "transfer_of_sentenced_persons": "transfer_of_sentenced_persons",
    "transfer_of_proceedings": "transfer_of_criminal_proceedings",
    "asset_recovery": "confiscation_and_seizure",
    "law_enforcement_cooperation": "law_enforcement_cooperation",
}


def document_kind(title: str, body: str, meta: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A BOE document's kind ("treaty", "strategy" or "law") and what it adds to the record's attributes:
    a treaty's parties, dates and subjects; a strategy's adopting body, period and components. Evidence
    is kept as the words it was read from (`quoted`): the record's text holds only the document's text
    outside its articles, so offsets into the whole body would point elsewhere."""
    treaty = treaty_facts(title, body, meta)
    if treaty is not None:
        quoted = {
            key: (title if key.startswith("title:") else body)[start:end]
            for key, (start, end) in treaty.spans.items()
        }
        facts = {
            "title": treaty.title,
            "kind": treaty.kind,
            "parties": list(treaty.parties),
            "party_names": list(treaty.party_names),
            "organisation": treaty.organisation,
            "subjects": list(treaty.subjects),
            "signed": treaty.signed.isoformat() if treaty.signed else None,
            "signed_place": treaty.signed_place,
            "in_force": treaty.in_force.isoformat() if treaty.in_force else None,
            "in_force_scope": treaty.in_force_scope,
            "quoted": quoted,
        }
        issues = [_SUBJECT_ISSUES[s] for s in treaty.subjects if s in _SUBJECT_ISSUES]
        extra: dict[str, Any] = {"treaty": {k: v for k, v in facts.items() if v not in (None, [], {})}}
        if treaty.parties:
            extra["countries"] = list(treaty.parties)
        if issues:
            extra["declared_tags"] = {"cross_cutting": issues}
        return "treaty", extra
    strategy = strategy_facts(title, body)
    if strategy is not None:
        facts = {
            "name": strategy.name,
            "adopting_body": strategy.adopting_body,
            "period": strategy.period,
            "components": list(strategy.components),
            "quoted": {key: body[start:end] for key, (start, end) in strategy.spans.items()},
        }
        return "strategy", {"strategy": {k: v for k, v in facts.items() if v not in (None, [], {})}}
    return "law", {}


def _first_title(lines: list[str]) -> str | None:
    return next((line[2:].strip() for line in lines if line.startswith("# ")), None)
