"""Case records from decision records: what the judgment and its source say, as `CaseSchema` input.

One builder for every decision: the parser's attributes (court, case number, judges, parties, citation,
statutes cited, with their evidence offsets) are the base; a Chinese criminal judgment adds what
`sherloc.extract.cn_judgment` reads from its text (defendants, charges, sentences, fines, provisions
applied). Every value read from the text keeps its span in `provenance`; nothing the source does not say
is filled in (a legal system, a court's level without a marker, a victim).

`sync_case` stores the result and keeps what editors set: a field whose provenance says {"by": "editor"}
(or, for a list, any of whose items an editor touched) keeps its stored value when the builder runs again.
Re-running on an unchanged decision writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from marshmallow import ValidationError
from marshmallow.validate import URL
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from sherloc.db import chunks
from sherloc.extract import cn_judgment as cn
from sherloc.models.cases import Case, CaseError, Charge, CitedProvision, Defendant, countries, register_case
from sherloc.models.records import Record
from sherloc.numerals import cn_article_number
from sherloc.schemas.cases import DUMP_ONLY, CaseSchema
from sherloc.tagging.tagger import Tagger, TagInput

# Bump when the builder or an extractor changes what it produces: stored cases built by an older version
# are rebuilt on the next ingest (keeping editors' values).
# 2: appeals' own sentences and outcomes, acquittals, media types; 3: nationalities by the country list
EXTRACTOR_VERSION = "cases/3"

_SCHEMA = CaseSchema()
_BATCH = 500  # decisions per flush
_CASE_CHILDREN = (
    selectinload(Case.texts),
    selectinload(Case.attachments),
    selectinload(Case.defendants).selectinload(Defendant.charges),
    selectinload(Case.victims),
    selectinload(Case.cited_provisions),
)
_URL = URL(schemes={"http", "https"})

# ---- provisions ----------------------------------------------------------------------------------

_CN_PREFIX = "中华人民共和国"
_CN_CRIMINAL_LAW = "中华人民共和国刑法"
# 《中华人民共和国刑法》第三百四十七条第一款、第四款，第六十七条第三款 ...: a law, then its articles.
_CN_ARTICLE = r"第[0-9０-９〇零一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?"
_CN_PART = r"(?:第[0-9０-９一二三四五六七八九十]+[款项]|[（(][0-9一二三四五六七八九十]+[)）]项?)"
_CN_CITATION = re.compile(
    rf"《(?P<law>[^《》\n]{{2,60}})》(?P<articles>{_CN_ARTICLE}(?:[、，,和及]{{0,2}}(?:{_CN_ARTICLE}|{_CN_PART}))*)"
)
_CN_ONE_ARTICLE = re.compile(_CN_ARTICLE)


class ProvisionResolver:
    """Finds the portal's provision record for a law named as a judgment names it and an article number."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._laws: dict[tuple[str, str], str | None] = {}
        self._provisions: dict[tuple[str, str], str | None] = {}

    def law(self, country: str, title: str) -> str | None:
        """The law record titled `title` in `country` ("刑法" finds 中华人民共和国刑法), the latest one."""
        key = (country, title)
        if key not in self._laws:
            names = {title, title.removeprefix(_CN_PREFIX), _CN_PREFIX + title.removeprefix(_CN_PREFIX)}
            found = self.session.scalars(
                select(Record.id)
                .where(Record.kind == "law", Record.country == country, Record.title.in_(sorted(names)))
                .order_by(
                    Record.date_amended.desc().nulls_last(),
                    Record.date_adopted.desc().nulls_last(),
                    Record.id,
                )
            ).first()
            self._laws[key] = found
        return self._laws[key]

    def provision(self, law_id: str | None, number: str) -> str | None:
        if law_id is None:
            return None
        key = (law_id, number)
        if key not in self._provisions:
            self._provisions[key] = self.session.scalars(
                select(Record.id).where(
                    Record.parent_id == law_id, Record.kind == "provision", Record.number == number
                )
            ).first()
        return self._provisions[key]

    def cn_citation(self, text: str) -> str | None:
        """The provision of a citation as `cited_chinese_provisions` writes it: 《刑法》第三百四十七条."""
        match = _CN_CITATION.fullmatch(text)
        if match is None:
            return None
        article = _CN_ONE_ARTICLE.search(match["articles"])
        if article is None:
            return None
        return self.provision(self.law("CN", match["law"]), cn_article_number(article.group()))


@dataclass(frozen=True)
class CitedArticle:
    text: str  # 《中华人民共和国刑法》第三百四十七条
    law: str
    number: str  # "347", "120-1"
    span: tuple[int, int]


def cited_chinese_provisions(text: str) -> list[CitedArticle]:
    """Each article a Chinese judgment cites (依照《中华人民共和国刑法》第三百四十七条第一款、第六十七条…),
    once, in order, with the span of its first mention."""
    found: dict[tuple[str, str], CitedArticle] = {}
    for match in _CN_CITATION.finditer(text):
        law = match["law"]
        for article in _CN_ONE_ARTICLE.finditer(match["articles"]):
            number = cn_article_number(article.group())
            if not number:
                continue
            key = (law.removeprefix(_CN_PREFIX), number)
            if key not in found:
                start = match.start("articles") + article.start()
                found[key] = CitedArticle(
                    f"《{law}》{article.group()}", law, number, (start, start + len(article.group()))
                )
    return list(found.values())


# "section 327 of the Proceeds of Crime Act 2002", "the Fraud Act 2006": an Act's title is capitalised
# words (with of, and, the ... between them), "Act" and its year; a section may come before it.
_UK_SMALL = r"(?:of|and|the|for|to|in|on|by|etc\.?)"
_UK_ACT = re.compile(
    r"(?:(?P<section>(?:section|sections|s\.|ss\.)\s+\d+[A-Z]{0,2}(?:\(\w{1,4}\))*)\s+of\s+(?:the\s+)?)?"
    rf"(?P<act>(?<![\w-])[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’(),-]*|{_UK_SMALL}))*?\s+Act"
    r"(?:\s+\(Northern Ireland\))?\s+(?:1[6-9]\d\d|20\d\d))\b"
)


def cited_uk_statutes(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Acts of Parliament a judgment cites ("Proceeds of Crime Act 2002, section 327"), each once, in order,
    with the span of its first mention."""
    found: dict[str, tuple[int, int]] = {}
    for match in _UK_ACT.finditer(text):
        act = re.sub(r"^(?:The|This|That|Under|By|In)\s+", "", " ".join(match["act"].split()))
        if not act[:1].isupper() or act.split()[0] == "Act":
            continue
        section = " ".join(match["section"].split()) if match["section"] else None
        name = f"{act}, {section}" if section else act
        found.setdefault(name, match.span())
    return [(name, span) for name, span in found.items()]


@functools.cache
def _charge_articles() -> dict[str, list[str]]:
    """Official charge name -> the Criminal Law articles that define it (corpus/vocab/cn_criminal_charges)."""
    data = json.loads(cn._charges_file().read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for number, entries in data["articles"].items():
        for entry in entries:
            out.setdefault(entry["charge"], []).append(number)
    return out


def _cn_number_label(number: str) -> str:
    """ "347" -> 第347条, "120-1" -> 第120条之一 (the form cited_chinese_provisions reads back)."""
    main, _, sub = number.partition("-")
    ones = "一二三四五六七八九十"
    suffix = f"之{ones[int(sub) - 1]}" if sub.isdigit() and 0 < int(sub) <= 10 else ""
    return f"第{main}条{suffix}"


# ---- building -------------------------------------------------------------------------------------


def _span(span: tuple[int, int] | None) -> dict[str, int] | None:
    return {"start": span[0], "end": span[1]} if span else None


def _located(value: Any) -> tuple[int, int] | None:
    return value.span if value is not None else None


class _Draft:
    """A dict being filled as CaseSchema input, with the provenance of what is put in it."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.provenance: dict[str, dict[str, int]] = {}

    def put(self, field: str, value: Any, span: tuple[int, int] | dict[str, int] | None = None) -> None:
        if value is None or value == "" or value == []:
            return
        head, _, rest = field.partition(".")
        if rest:
            self.data.setdefault(head, {})[rest] = value
        else:
            self.data[field] = value
        where = span if isinstance(span, dict) else _span(span)
        if where is not None:
            self.provenance[field] = where

    def result(self) -> dict[str, Any]:
        return {**self.data, "provenance": self.provenance}


_COURT_LEVELS_EN = (
    (re.compile(r"\bSupreme Court\b|\bHouse of Lords\b|\bPrivy Council\b", re.I), "supreme"),
    (re.compile(r"\bCourt of Appeals?\b|\bAppellate\b|\bCourt of Criminal Appeals\b", re.I), "appellate"),
    (re.compile(r"\bHigh Court\b|\bCrown Court\b|\bDistrict Court\b|\bMagistrates", re.I), "first_instance"),
)
_NEUTRAL_PROCEEDING = {"Crim": "criminal", "Civ": "civil", "Admin": "administrative"}
_US_COURT_LEVEL = (
    (re.compile(r"^scotus$"), "supreme"),
    (re.compile(r"^(?:ca\d{1,2}|cadc|cafc)$"), "appellate"),
)
_CN_LOCATION = re.compile(r"^(?P<place>.+?)(?:高级|中级|基层)?人民法院$")
_CN_CASE_CODE = re.compile(r"刑[一二三四五六七八九十]?(?P<code>初|终|再|监|申|核|更|复)")
_CN_LEVEL = {"初": "first_instance", "终": "appellate"}
_CN_ROLES = {"principal": "principal", "accessory": "accessory", "coerced accomplice": "other"}
_CN_LEGAL_PERSON = re.compile(r"(?:公司|集团|企业|工厂|厂|银行|合作社|单位|中心|事务所)$")
_CN_ANONYMISED = re.compile(r"某|[×XＸ*]")
_SENTENCE_KINDS = {
    cn.FIXED_TERM: "imprisonment",
    cn.CRIMINAL_DETENTION: "criminal_detention",
    cn.PUBLIC_SURVEILLANCE: "public_surveillance",
    cn.LIFE_IMPRISONMENT: "life_imprisonment",
    cn.DEATH: "death",
    cn.DEATH_WITH_REPRIEVE: "death_with_reprieve",
    cn.EXEMPT: "other",
}
_SENTENCE_SOURCES = {cn.JUDGMENT: "decision", cn.FIRST_INSTANCE: "first_instance"}


def _party(entry: str) -> dict[str, Any]:
    """ "Appellant: X Ltd" -> {"name": "X Ltd", "role": "Appellant"}; else kept whole."""
    role, sep, name = entry.partition(": ")
    return {"name": name.strip(), "role": role.strip()} if sep and name.strip() else {"name": entry.strip()}


def _nationality(name: str) -> str | None:
    """The code of a nationality as a Chinese judgment writes it ("缅甸", "越南国", "Myanmar")."""
    return countries().code_of(name, ("zh", "en")) or countries().code_of(name + "国", ("zh",))


class CaseBuilder:
    """Builds the CaseSchema input of decision records; the tagger reads each charge's crime types."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger
        self._crime_types: dict[tuple[str, str], list[str]] = {}

    def crime_types(self, charge: str, language: str | None) -> list[str]:
        key = (charge, language or "")
        if key not in self._crime_types:
            item = TagInput(id="charge", text=charge, language=language, kind="decision", charges=(charge,))
            self._crime_types[key] = list(self.tagger.tag(item).crime_types)
        return self._crime_types[key]

    def case_input(self, record: Record, resolver: ProvisionResolver) -> dict[str, Any]:
        """The CaseSchema input for the decision `record`."""
        draft = self._base(record)
        if record.language == "zh" or (record.country == "CN" and _has_cjk(record.text)):
            self._chinese(record, draft, resolver)
        elif record.country == "GB" or record.source == "akoma_ntoso":
            self._common_law(record, draft)
        elif record.source == "juriscraper":
            self._us_listing(record, draft)
        return draft.result()

    # -- what every source gives ----------------------------------------------------------------

    def _base(self, record: Record) -> _Draft:
        attributes = record.attributes or {}
        evidence = attributes.get("evidence") or {}
        draft = _Draft()
        draft.put("record_id", record.id)
        draft.put("country", record.country)
        draft.put("title", record.title)
        if record.date_decided is not None:
            draft.put("decision_date", record.date_decided.isoformat(), evidence.get("date"))
        for field in ("case_number", "citation", "disposition"):
            value = attributes.get(field)
            if isinstance(value, str) and value.strip():
                draft.put(
                    field,
                    value.strip()[:255] if field == "case_number" else value.strip(),
                    evidence.get(field),
                )
        court = attributes.get("court")
        if isinstance(court, str) and court.strip():
            draft.put("court.name", court.strip(), evidence.get("court"))
        judges = attributes.get("judges")
        if isinstance(judges, list):
            draft.put(
                "judges", [j for j in judges if isinstance(j, str) and j.strip()], evidence.get("judges")
            )
        parties = attributes.get("parties")
        if isinstance(parties, list):
            draft.put(
                "parties",
                [_party(p) for p in parties if isinstance(p, str) and p.strip()],
                evidence.get("parties"),
            )
        if record.source_url and record.source_url.startswith(("https://", "http://")):
            # Court sites publish addresses with spaces in them ("…/64475 MLSUSA Corp 3.27.26 Dismissal.pdf").
            url = quote(record.source_url.strip(), safe=":/?#[]@!$&'()*+,;=%~")
            try:
                _URL(url)
            except ValidationError:
                return draft  # an address no browser could follow is left out, the case is not
            draft.put("sources", [{"title": record.source, "url": url}])
            attachment = {"kind": "judgment", "uri": url, "language": record.language}
            media_type = mimetypes.guess_type(urlsplit(url).path)[0]
            if media_type:
                attachment["media_type"] = media_type
            draft.put("attachments", [attachment])
        return draft

    # -- a Chinese criminal judgment ------------------------------------------------------------

    def _chinese(self, record: Record, draft: _Draft, resolver: ProvisionResolver) -> None:
        text = record.text or ""
        facts = cn.extract_cn_judgment(text, record.title)
        if _is_criminal_cn(facts):
            draft.put("proceeding_type", "criminal", facts.case_number.span if facts.case_number else None)
        if facts.court is not None:
            draft.put("court.name", facts.court.value, facts.court.span)
            place = _CN_LOCATION.match(facts.court.value)
            if place and place["place"] != "最高":
                start = facts.court.span[0]
                draft.put("court.location", place["place"], (start, start + len(place["place"])))
            if facts.court.value == "最高人民法院":
                draft.put("court.level", "supreme", facts.court.span)
        if facts.case_number is not None:
            draft.put("case_number", facts.case_number.value, facts.case_number.span)
            code = _CN_CASE_CODE.search(facts.case_number.value)
            if code and code["code"] in _CN_LEVEL and "level" not in draft.data.get("court", {}):
                draft.put("court.level", _CN_LEVEL[code["code"]], facts.case_number.span)
        if facts.decision_date is not None:
            draft.put("decision_date", facts.decision_date.value, facts.decision_date.span)
        charge_spans: dict[str, tuple[int, int]] = {}
        for mention in facts.charges:
            if mention.source != cn.PRIOR_CONVICTION:
                charge_spans.setdefault(mention.name, mention.span)
        canonical = {m.name: m.canonical for m in facts.charges if m.canonical}
        cited = cited_chinese_provisions(text)
        defendants = [
            self._cn_defendant(d, facts, canonical, charge_spans, resolver) for d in facts.defendants
        ]
        if not defendants and facts.charge_names():
            # Charges with nobody named (an excerpt): one unnamed defendant holds them.
            holder = cn.Defendant(name="", span=(0, 0), charges=facts.charge_names())
            defendants = [self._cn_defendant(holder, facts, canonical, charge_spans, resolver)]
        draft.put("defendants", defendants)
        draft.put(
            "cited_provisions",
            [
                {
                    "text": c.text,
                    "provision_id": resolver.provision(resolver.law("CN", c.law), c.number),
                    "provenance": {"text": _span(c.span)},
                }
                for c in cited
            ],
        )
        self._labelled_sentence(record, draft, resolver)

    def _labelled_sentence(self, record: Record, draft: _Draft, resolver: ProvisionResolver) -> None:
        """A dataset's labels for the case (CAIL2018: charges, the defendant, the sentence, the articles
        applied) where the text is only the facts. They stand for one defendant: a label shared by several
        cannot be divided among them. Their provenance is the source, not a span."""
        attributes = record.attributes or {}
        label, charges, names = (attributes.get(k) for k in ("sentence", "charges", "defendants"))
        if not isinstance(label, Mapping) or not isinstance(charges, list) or not charges:
            return  # a parser's reading of the text (LeCaRDv2's caption charges) is not a label
        if isinstance(names, list) and len(names) > 1:
            return
        name = names[0] if isinstance(names, list) and names and isinstance(names[0], str) else None
        defendants: list[dict[str, Any]] = draft.data.setdefault("defendants", [])
        target = next((d for d in defendants if name and d.get("name") == name), None)
        if target is None and len(defendants) == 1 and not name:
            target = defendants[0]
        if target is None:
            target = {"provenance": {}}
            if name:
                target.update(name=name, anonymised=bool(_CN_ANONYMISED.search(name)))
                target["provenance"]["name"] = _SOURCE_LABEL
            defendants.append(target)
        criminal_law = resolver.law("CN", _CN_CRIMINAL_LAW)
        sentence = _labelled(label)
        found = {c.get("charge"): c for c in target.get("charges") or []}
        entries = []
        for charge in (c for c in charges if isinstance(c, str) and c):
            entry = found.get(charge) or {"charge": charge, "provenance": {"charge": _SOURCE_LABEL}}
            entry.setdefault("crime_types", self.crime_types(charge, "zh"))
            articles = _charge_articles().get(charge, [])
            if len(articles) == 1 and "provision_text" not in entry:
                entry["provision_text"] = f"《{_CN_CRIMINAL_LAW}》{_cn_number_label(articles[0])}"
                entry["provision_id"] = resolver.provision(criminal_law, articles[0])
            # The dataset holds convictions; its one sentence is the case's, so it goes with a lone charge.
            entry["verdict"] = "convicted"
            entry["provenance"] = {**entry.get("provenance", {}), "verdict": _SOURCE_LABEL}
            if sentence is not None and len(charges) == 1:
                entry.update(sentence=sentence, sentence_source="decision")
                entry["provenance"]["sentence"] = _SOURCE_LABEL
            entries.append(entry)
        target["charges"] = entries
        applied = attributes.get("relevant_articles")
        if isinstance(applied, list):
            cited = draft.data.setdefault("cited_provisions", [])
            known = {c["text"] for c in cited}
            for number in (str(a) for a in applied if str(a).strip()):
                text = f"《{_CN_CRIMINAL_LAW}》{_cn_number_label(number)}"
                if text not in known:
                    provision = resolver.provision(criminal_law, number)
                    provenance = {"text": _SOURCE_LABEL}
                    cited.append({"text": text, "provision_id": provision, "provenance": provenance})
                    known.add(text)

    def _cn_defendant(
        self,
        defendant: cn.Defendant,
        facts: cn.CnJudgmentFacts,
        canonical: Mapping[str, str],
        charge_spans: Mapping[str, tuple[int, int]],
        resolver: ProvisionResolver,
    ) -> dict[str, Any]:
        item = _Draft()
        if defendant.name:
            item.put("name", defendant.name, defendant.span)
            item.data["anonymised"] = bool(_CN_ANONYMISED.search(defendant.name))
            if _CN_LEGAL_PERSON.search(defendant.name):
                item.data["person_type"] = "legal"
        if defendant.gender is not None:
            item.put("gender", defendant.gender.value, defendant.gender.span)
        if defendant.nationality is not None:
            code = _nationality(defendant.nationality.value)
            item.put("nationality", code, defendant.nationality.span)
        if defendant.role is not None:
            item.put("role", _CN_ROLES.get(defendant.role.value, "other"), defendant.role.span)
        charges = list(defendant.charges)
        if not charges and len(facts.defendants) <= 1:
            charges = facts.charge_names()
        # Only names the charge table knows: "财产犯罪" (property crimes) is a description, not a charge.
        charges = [name for name in charges if name in canonical]
        item.put(
            "charges",
            [
                self._cn_charge(name, defendant, facts, canonical, charge_spans, resolver, len(charges))
                for name in charges
            ],
        )
        return item.result()

    def _cn_charge(
        self,
        name: str,
        defendant: cn.Defendant,
        facts: cn.CnJudgmentFacts,
        canonical: Mapping[str, str],
        charge_spans: Mapping[str, tuple[int, int]],
        resolver: ProvisionResolver,
        charge_count: int,
    ) -> dict[str, Any]:
        item = _Draft()
        official = canonical.get(name, name)
        item.put("charge", name, charge_spans.get(name))
        item.data["crime_types"] = self.crime_types(official, "zh")
        articles = _charge_articles().get(official, [])
        if len(articles) == 1:
            label = f"《{_CN_CRIMINAL_LAW}》{_cn_number_label(articles[0])}"
            item.put("provision_text", label)
            item.put("provision_id", resolver.provision(resolver.law("CN", _CN_CRIMINAL_LAW), articles[0]))
        sentence = _sentence_for(name, defendant, facts, charge_count)
        if sentence is not None:
            item.put("verdict", "convicted", sentence.span)
            item.put("sentence_source", _SENTENCE_SOURCES[sentence.source])
            item.put("sentence", _sentence(sentence), sentence.span)
        elif defendant.acquitted is not None:
            item.put("verdict", "acquitted", defendant.acquitted.span)
        elif facts.verdict is not None and len(facts.defendants) <= 1:
            # A finding for the whole case stands for its one defendant only, never for co-defendants.
            value = "convicted" if facts.verdict.value == "guilty" else "acquitted"
            item.put("verdict", value, facts.verdict.span)
        if facts.appeal_outcome is not None:
            item.put("appeal_outcome", facts.appeal_outcome.value, facts.appeal_outcome.span)
        return item.result()

    # -- a common-law judgment (TNA's Akoma Ntoso) ---------------------------------------------

    def _common_law(self, record: Record, draft: _Draft) -> None:
        text = record.text or ""
        citation = draft.data.get("citation") or ""
        division = re.search(r"\b(Crim|Civ|Admin)\b", citation)
        if division:
            draft.put("proceeding_type", _NEUTRAL_PROCEEDING[division[1]], draft.provenance.get("citation"))
        court = draft.data.get("court", {}).get("name") or ""
        for pattern, level in _COURT_LEVELS_EN:
            if pattern.search(court):
                draft.put("court.level", level, draft.provenance.get("court.name"))
                break
        cited: dict[str, dict[str, Any]] = {}
        for statute, span in cited_uk_statutes(text):
            cited[statute] = {"text": statute, "provenance": {"text": _span(span)}}
        # References TNA's enrichment marked up, where the text reading missed them.
        for statute in (record.attributes or {}).get("cited_statutes") or []:
            if isinstance(statute, str) and statute.strip() and statute.strip() not in cited:
                at = text.find(statute)
                entry: dict[str, Any] = {"text": statute.strip()}
                if at >= 0:
                    entry["provenance"] = {"text": {"start": at, "end": at + len(statute)}}
                cited[statute.strip()] = entry
        draft.put("cited_provisions", list(cited.values()))

    # -- a US opinion listing (juriscraper) ------------------------------------------------------

    def _us_listing(self, record: Record, draft: _Draft) -> None:
        court_id = (record.attributes or {}).get("court_id")
        if isinstance(court_id, str) and court_id and "court" not in draft.data:
            # The listing names its court by CourtListener's identifier only; no name is made up for it.
            draft.put("court.name", court_id)
            for pattern, level in _US_COURT_LEVEL:
                if pattern.match(court_id):
                    draft.put("court.level", level)


def _has_cjk(text: str | None) -> bool:
    return bool(text) and re.search(r"[\u4e00-\u9fff]", text[:2000] if text else "") is not None


def _is_criminal_cn(facts: cn.CnJudgmentFacts) -> bool:
    number = facts.case_number.value if facts.case_number else ""
    return "刑" in number or bool(facts.charge_names())


def _sentence_for(
    charge: str, defendant: cn.Defendant, facts: cn.CnJudgmentFacts, charge_count: int
) -> cn.Sentence | None:
    """The sentence this decision (else the first instance it quotes) gave `defendant` for `charge`: the
    clause naming the charge, or a combined or charge-less one when the defendant faces one charge only.
    A quoted first-instance sentence counts only while it stands: not once this court has set it aside,
    sent the case back or acquitted the defendant."""
    quashed = defendant.acquitted is not None or (
        facts.appeal_outcome is not None and facts.appeal_outcome.value != "upheld"
    )
    for source in (cn.JUDGMENT,) if quashed else (cn.JUDGMENT, cn.FIRST_INSTANCE):
        mine = [s for s in defendant.sentences if s.source == source and (s.penalties or s.fines)]
        named = [s for s in mine if s.charge == charge]
        if named:
            return named[0]
        if charge_count == 1:
            whole = [s for s in mine if s.charge is None or s.combined]
            if whole:
                return whole[-1]
    return None


# Provenance of a value a dataset's labels give (not read from a span of the text).
_SOURCE_LABEL = {"by": "source"}


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _labelled(label: Mapping[str, Any]) -> dict[str, Any] | None:
    """A dataset's sentence label ({"imprisonment_months", "life_imprisonment", "death_penalty", "fine",
    "currency"}) as SentenceSchema input; None when it says nothing."""
    out: dict[str, Any] = {}
    months = label.get("imprisonment_months")
    if _flag(label.get("death_penalty")):
        out["kind"] = "death"
    elif _flag(label.get("life_imprisonment")):
        out["kind"] = "life_imprisonment"
    elif isinstance(months, int) and not isinstance(months, bool) and months > 0:
        # The labels give months only. Under six can only be criminal detention (拘役, one to six months,
        # PRC Criminal Law art. 42); fixed-term imprisonment starts at six (art. 45).
        kind = "criminal_detention" if months < 6 else "imprisonment"
        out.update(kind=kind, term=_months(months))
    fine = label.get("fine")
    if isinstance(fine, int | float) and not isinstance(fine, bool) and fine > 0:
        out["fine"] = {"amount": f"{fine:.2f}", "currency": label.get("currency") or "CNY"}
        out.setdefault("kind", "fine_only")
    return out or None


def _months(value: int | None) -> dict[str, Any] | None:
    return {"value": value, "unit": "months"} if value is not None else None


def _sentence(sentence: cn.Sentence) -> dict[str, Any]:
    """A sentence clause as SentenceSchema input: the principal penalty, fine, other measures."""
    out: dict[str, Any] = {}
    principal = sentence.penalties[0] if sentence.penalties else None
    if principal is not None:
        out["kind"] = _SENTENCE_KINDS[principal.kind]
        if principal.months is not None and out["kind"] not in (
            "life_imprisonment",
            "death",
            "death_with_reprieve",
        ):
            out["term"] = _months(principal.months)
        if principal.suspended_months is not None:
            out["suspended"] = True
            out["probation"] = _months(principal.suspended_months)
    fine = next((f for f in sentence.fines if f.kind == "fine" and f.amount is not None and f.currency), None)
    if fine is not None:
        out["fine"] = {"amount": str(fine.amount), "currency": fine.currency}
        if principal is None:
            out["kind"] = "fine_only"
    measures = [f"{p.kind}" for p in sentence.penalties[1:] if p.kind == cn.EXEMPT]
    measures += [
        f"confiscation of property ({f.amount} {f.currency})" if f.amount else "confiscation of all property"
        for f in sentence.fines
        if f.kind != "fine"
    ]
    measures += [m.value for m in sentence.other_measures]
    if principal is not None and principal.kind == cn.EXEMPT:
        measures.insert(0, cn.EXEMPT)
    if measures:
        out["other_measures"] = list(dict.fromkeys(measures))
    return out


# ---- storing ---------------------------------------------------------------------------------------


def _comparable(case: Case) -> dict[str, Any]:
    """The case as CaseSchema input, provenance as stored (the dump leaves out who edited a value)."""
    dumped = _SCHEMA.dump(case)
    for key in DUMP_ONLY:
        dumped.pop(key, None)
    dumped["provenance"] = dict(case.provenance or {})
    for name in ("texts", "attachments", "victims", "cited_provisions", "defendants"):
        for item, row in zip(dumped[name], getattr(case, name), strict=True):
            item["provenance"] = dict(row.provenance or {})
    for defendant, row in zip(dumped["defendants"], case.defendants, strict=True):
        for charge, charge_row in zip(defendant["charges"], row.charges, strict=True):
            charge["provenance"] = dict(charge_row.provenance or {})
    return dumped


def _edited(provenance: Mapping[str, Any] | None, field: str) -> bool:
    """True when an editor set `field` or anything under it ("court" covers "court.name")."""
    return any(
        isinstance(where, Mapping)
        and where.get("by") == "editor"
        and (key == field or key.startswith(field + "."))
        for key, where in (provenance or {}).items()
    )


def _touched_by_editor(items: Iterable[Any]) -> bool:
    """True when an editor set anything in these list items (a defendant, or one of its charges)."""
    for item in items:
        if not isinstance(item, Mapping):
            continue
        marks = (item.get("provenance") or {}).values()
        if any(isinstance(w, Mapping) and w.get("by") == "editor" for w in marks):
            return True
        if any(isinstance(v, list) and _touched_by_editor(v) for v in item.values()):
            return True
    return False


def merge_with_edits(stored: dict[str, Any], built: dict[str, Any]) -> dict[str, Any]:
    """`built`, except where an editor corrected `stored`: those fields (and lists with an edited item)
    keep their stored values and provenance."""
    provenance = dict(built.get("provenance") or {})
    merged = dict(built)
    stored_provenance = stored.get("provenance") or {}
    for key, where in stored_provenance.items():
        if isinstance(where, Mapping) and where.get("by") == "editor":
            provenance[key] = where
    for field, value in stored.items():
        if field in ("provenance", "record_id"):
            continue
        if isinstance(value, list):
            if _edited(stored_provenance, field) or _touched_by_editor(value):
                merged[field] = value
        elif field == "court" and isinstance(value, Mapping):
            court = dict(built.get("court") or {})
            for part, part_value in value.items():
                if _edited(stored_provenance, f"court.{part}") or _edited(stored_provenance, "court"):
                    court[part] = part_value
            merged["court"] = court
        elif _edited(stored_provenance, field):
            merged[field] = value
    merged["provenance"] = provenance
    return merged


_CASE_COLUMNS = (
    "title", "decision_date", "case_number", "citation", "legal_system", "proceeding_type", "keywords",
    "judges", "parties", "disposition", "involved_countries", "sources", "provenance", "extractor_version",
)  # fmt: skip


def _replace(case: Case, fresh: Case) -> None:
    """Give `case` (stored, numbered) everything `fresh` (just loaded) has, keeping its identity."""
    for column in _CASE_COLUMNS:
        setattr(case, column, getattr(fresh, column))
    case.court = fresh.court
    for children in ("texts", "attachments", "defendants", "victims", "cited_provisions"):
        items = list(getattr(fresh, children))
        setattr(fresh, children, [])
        setattr(case, children, items)


_UNKNOWN: Any = object()  # sync_case: the stored case is to be looked up


def sync_case(
    session: Session, record: Record, built: dict[str, Any], stored: Case | None = _UNKNOWN
) -> bool:
    """Store the case `built` for `record` (a new number if it has none), keeping editors' values; a
    case typed by hand (no extractor version) is left as it is. True when something was written.
    `stored`: the record's case when the caller has loaded it (None: it has none)."""
    if stored is _UNKNOWN:
        stored = session.scalars(select(Case).where(Case.record_id == record.id)).first()
    if stored is not None and stored.extractor_version is None:
        return False
    if stored is None:
        case = _SCHEMA.load(built)
        case.extractor_version = EXTRACTOR_VERSION
        with session.no_autoflush:
            register_case(session, case)
        return True
    current = _comparable(stored)
    fresh = _SCHEMA.load(merge_with_edits(current, built))
    fresh.extractor_version = EXTRACTOR_VERSION
    fresh.country = stored.country
    if _comparable(fresh) == current and stored.extractor_version == EXTRACTOR_VERSION:
        session.expunge(fresh) if fresh in session else None
        return False
    with session.no_autoflush:
        _replace(stored, fresh)
    return True


def correct_case(
    session: Session, record_id: str, changes: Mapping[str, Any], user: str | None = None
) -> Case:
    """An editor's correction: each top-level field in `changes` replaces the stored one and is marked
    {"by": "editor"}, so later ingests keep it. Refused with a CaseError (naming the field) when invalid."""
    stored = session.scalars(select(Case).where(Case.record_id == record_id)).first()
    if stored is None:
        raise CaseError(f"record_id: no case for record {record_id!r}")
    fixed = {"record_id", "country", "provenance", "extractor_version", *DUMP_ONLY}
    refused = sorted(key for key in changes if key in fixed or key not in _SCHEMA.fields)
    if refused:
        raise CaseError(f"{refused[0]}: not a field an editor can set")
    current = _comparable(stored)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    mark = {"by": "editor", "at": at, **({"user": user} if user else {})}
    provenance = dict(current.get("provenance") or {})
    for name, value in changes.items():
        if name == "court" and isinstance(value, Mapping):
            # Only the parts given are the editor's; the others keep where they came from.
            for part in value:
                provenance[f"court.{part}"] = mark
            value = {**(current.get("court") or {}), **value}
        else:
            provenance = {k: v for k, v in provenance.items() if k.split(".", 1)[0] != name}
            provenance[name] = mark
        current[name] = value
    current["provenance"] = provenance
    try:
        fresh = _SCHEMA.load(current)
    except ValidationError as exc:
        field, message = _first_error(exc.messages)
        raise CaseError(f"{field}: {message}") from exc
    fresh.country = stored.country
    fresh.extractor_version = stored.extractor_version
    with session.no_autoflush:
        _replace(stored, fresh)
    return stored


def _first_error(messages: Any, path: str = "") -> tuple[str, str]:
    if isinstance(messages, Mapping):
        key, value = next(iter(messages.items()))
        return _first_error(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_error(messages[0], path) if not isinstance(messages[0], str) else (path, messages[0])
    return path, str(messages)


@dataclass
class CaseReport:
    written: list[str] = dataclasses.field(default_factory=list)  # record ids whose case was written
    unchanged: int = 0
    failed: list[str] = dataclasses.field(default_factory=list)  # "record id: why"


def build_cases(session: Session, records: Iterable[Record], builder: CaseBuilder) -> CaseReport:
    """Build or refresh the case of each decision in `records`; a decision whose case cannot be built is
    reported (with the field and reason) and skipped, the others go on."""
    report = CaseReport()
    resolver = ProvisionResolver(session)
    wanted = [r for r in records if r.kind == "decision" and r.country]
    for batch in chunks(wanted, _BATCH):
        # Every check happens before the session is touched (the schema's, then register_case's), so one
        # bad decision is skipped without a savepoint, and a batch is written with one flush.
        query = select(Case).where(Case.record_id.in_([r.id for r in batch])).options(*_CASE_CHILDREN)
        stored = {case.record_id: case for case in session.scalars(query)}
        for record in batch:
            try:
                built = builder.case_input(record, resolver)
                with session.no_autoflush:
                    changed = sync_case(session, record, built, stored.get(record.id))
            except ValidationError as exc:
                field, message = _first_error(exc.messages)
                report.failed.append(f"{record.id}: case not built ({field}: {message})")
                continue
            except CaseError as exc:
                report.failed.append(f"{record.id}: case not built ({exc})")
                continue
            if changed:
                report.written.append(record.id)
            else:
                report.unchanged += 1
        session.flush()
    return report


def decisions_needing_cases(session: Session, ids: Iterable[str] | None = None) -> list[Record]:
    """Decision records without a case, or whose case an older builder made; of `ids` when given (in
    chunks: a file may hold more decisions than a database takes parameters)."""
    query = (
        select(Record)
        .outerjoin(Case, Case.record_id == Record.id)
        .where(Record.kind == "decision")
        # A case typed by hand (no extractor version) is never rebuilt.
        .where(or_(Case.id.is_(None), Case.extractor_version != EXTRACTOR_VERSION))
        .order_by(Record.id)
    )
    if ids is None:
        return list(session.scalars(query))
    return [
        record for chunk in chunks(list(ids)) for record in session.scalars(query.where(Record.id.in_(chunk)))
    ]


def relink_provisions(session: Session) -> int:
    """Link cited provisions and charges stored before the portal held their law (a judgment ingested
    before the code it applies). Returns how many links were made."""
    resolver = ProvisionResolver(session)
    linked = 0
    for cited in session.scalars(
        select(CitedProvision).join(Case).where(CitedProvision.provision_id.is_(None), Case.country == "CN")
    ):
        if (found := resolver.cn_citation(cited.text)) is not None:
            cited.provision_id = found
            linked += 1
    charges = session.scalars(
        select(Charge)
        .join(Defendant)
        .join(Case)
        .where(Charge.provision_id.is_(None), Charge.provision_text.is_not(None), Case.country == "CN")
    )
    for charge in charges:
        if charge.provision_text and (found := resolver.cn_citation(charge.provision_text)) is not None:
            charge.provision_id = found
            linked += 1
    return linked
