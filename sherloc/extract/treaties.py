"""Facts about a treaty in the Spanish BOE: title, parties, subjects, signature and entry into force.

Pure functions over the BOE title and Markdown body (legalize-es). Only what the title or text says is read:
a date or party that is not written stays empty.

Span convention: `TreatyFacts.spans` maps a field name to (start, end) offsets. A plain key ("signed",
"in_force", "organisation") points into `text`; a key prefixed "title:" ("title:signed", "title:parties")
points into `title`. Parties and party names share one span each side: "parties" / "title:parties" covers
the words naming them ("España y los Estados Unidos de América").

Country codes: corpus/vocab/countries.json has Spanish short names ("Estados Unidos", "Reino Unido",
"México"); the BOE titles use formal names ("los Estados Unidos Mexicanos", "el Reino Unido de Gran Bretaña e
Irlanda del Norte", "la República Francesa"). Those go through `_FORMAL_NAMES`, an explicit table of the
formal names that occur in the BOE treaties; other names are matched against the vocabulary's Spanish names
after dropping "el Gobierno de", articles and "Reino de"/"República de".
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sherloc.vocab.loader import default_vocab_dir
from sherloc.vocab.places import Countries, fold_name, load_countries

Span = tuple[int, int]

BILATERAL = "bilateral"
MULTILATERAL = "multilateral"

EXTRADITION = "extradition"
MUTUAL_LEGAL_ASSISTANCE = "mutual_legal_assistance"
TRANSFER_OF_SENTENCED_PERSONS = "transfer_of_sentenced_persons"
TRANSFER_OF_PROCEEDINGS = "transfer_of_proceedings"
ASSET_RECOVERY = "asset_recovery"
LAW_ENFORCEMENT_COOPERATION = "law_enforcement_cooperation"
OTHER = "other"

_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}  # fmt: skip
_MONTH = "|".join(_MONTHS)
# "29 de mayo de 1970", "23 de Julio de 1892", "15 de marzo 2021" (the "de" before the year is sometimes
# missing).
_DATE = rf"(?P<day>\d{{1,2}})\s+de\s+(?P<month>{_MONTH})\s+(?:de\s+|del\s+)?(?P<year>\d{{4}})"

_TREATY_WORDS = re.compile(
    r"\b(?:tratado|convenio|convención|acuerdo|protocolo|carta|estatuto|canje de notas)\b", re.IGNORECASE
)
# The BOE wraps the treaty's title: "Instrumento de ratificación [, de 14 de marzo de 1980,] del ...",
# "Instrumento de Adhesión de España al ...", "Aplicación provisional del ...".
_WRAPPER = re.compile(
    r"^(?:instrumento\s+de\s+(?:ratificación|adhesión|aceptación|aprobación)(?:\s+de\s+españa)?"
    rf"(?:,?\s+de\s+\d{{1,2}}\s+de\s+(?:{_MONTH})\s+de\s+\d{{4}},?)?"
    r"|aplicación\s+provisional)\s+(?:del|de\s+la|de\s+los|de|al|a\s+la)\s+",
    re.IGNORECASE,
)
# ", firmado en Madrid el día 29 de mayo de 1970" / " hecha en Turín de 18 de octubre de 1961" /
# ", firmado en México, D. F., el 21 de noviembre de 1978" / ", hecho el 12 de septiembre de 2006".
_TITLE_SIGNING = re.compile(
    r",?\s+(?:firmad[oa]|hech[oa]|suscrit[oa]|concluid[oa]|celebrad[oa])"
    r"(?:\s+en\s+(?P<place>.+?))?,?\s+(?:el|a|de)\s+(?:día\s+)?" + _DATE + r"\s*$",
    re.IGNORECASE,
)
# The closing clause of the treaty text: "Hecho en Rabat, el 24 de junio de 2009, por duplicado ...".
_TEXT_SIGNING = re.compile(
    r"(?:^|\n)(?:\*\*)?(?:Hecho|Firmado|Suscrito|Celebrado)\s+en\s+(?P<place>[^\n,]+?),?\s+(?:el|a)\s+"
    r"(?:día\s+)?" + _DATE,
    re.IGNORECASE,
)
# "entre España y los Estados Unidos de América", "entre el Gobierno de España y el Gobierno de la República
# de Túnez sobre ...": the two parties of a bilateral treaty.
_BETWEEN = re.compile(
    r"\bentre\s+(?P<first>.+?)\s+y\s+(?P<second>(?:el|la|los|las)\s+.+?|[A-ZÁÉÍÓÚ].+?)"
    r"(?=\s+sobre\b|\s+en\s+materia\b|\s+para\b|,|$)",
)
# A multilateral treaty's BOE text names Spain as a party when it publishes Spain's consent to be bound: an
# instrument of accession, "el consentimiento de España en obligarse", "el Reino de España pase a ser Parte",
# or a ratification ("vengo en aprobar y ratificar") of a treaty "el Plenipotenciario de España" signed.
_SPAIN_CONSENTS = re.compile(
    r"Instrumento\s+de\s+Adhesión\s+de\s+(?P<name>España)"
    r"|el\s+consentimiento\s+de\s+(?P<name2>España)\s+en\s+obligarse"
    r"|(?P<name3>el\s+Reino\s+de\s+España)\s+pase\s+a\s+ser\s+Parte",
    re.IGNORECASE,
)
_SPAIN_RATIFIES = re.compile(r"vengo\s+en\s+aprobar\s+y\s+ratificar", re.IGNORECASE)
_SPAIN_NAMED = re.compile(r"Plenipotenciario\s+de\s+(?P<name>España)|(?P<name2>España)\s+declara")
_CONSENT_GROUPS = ("name", "name2", "name3")

# Under which body a multilateral treaty was made, as the title or text says it ("Los Estados miembros del
# Consejo de Europa, signatarios del presente Convenio"; "La Conferencia General de la Organización
# Internacional del Trabajo"). A depositary ("depositado en poder del Secretario General de las Naciones
# Unidas") is not the body the treaty was made under, so it is not read.
_ORGANISATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b(?:miembros|Convenio)\s+del\s+Consejo\s+de\s+Europa\b", re.IGNORECASE),
        "Council of Europe",
    ),
    (
        re.compile(
            r"\bConferencia\s+General\s+de\s+la\s+Organización\s+Internacional\s+del\s+Trabajo\b"
            r"|\bConvenio\s+número\s+\d+\s+de\s+la\s+OIT\b"
        ),
        "International Labour Organization",
    ),
    (
        re.compile(r"\bConferencia\s+de\s+La\s+Haya\s+(?:sobre|de)\s+Derecho\s+Internacional\s+Privado\b"),
        "Hague Conference on Private International Law",
    ),
    (
        re.compile(r"\badoptad[ao]\s+por\s+la\s+Asamblea\s+General\s+de\s+las\s+Naciones\s+Unidas\b"),
        "United Nations",
    ),
)
_SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EXTRADITION, re.compile(r"\bextradici[óo]n\b", re.IGNORECASE)),
    (
        MUTUAL_LEGAL_ASSISTANCE,
        re.compile(
            r"\basistencia\s+(?:(?:judicial|jurídica|legal)\s+)?(?:mutua\s+)?en\s+materia\s+(?:penal|criminal)\b",
            re.IGNORECASE,
        ),
    ),
    (
        TRANSFER_OF_SENTENCED_PERSONS,
        re.compile(r"\btraslado\s+de\s+(?:personas\s+)?condenad[oa]s\b", re.IGNORECASE),
    ),
    (
        TRANSFER_OF_PROCEEDINGS,
        re.compile(
            r"\b(?:transmisión|traslado|remisión)\s+de\s+(?:los\s+)?procedimientos\s+(?:en\s+materia\s+)?penal",
            re.IGNORECASE,
        ),
    ),
    (
        ASSET_RECOVERY,
        re.compile(r"\b(?:recuperación|restitución)\s+de\s+activos\b|\bdecomiso\b", re.IGNORECASE),
    ),
    (
        LAW_ENFORCEMENT_COOPERATION,
        re.compile(
            r"\bcooperación\s+policial\b|\blucha\s+contra\s+la\s+delincuencia\s+organizada\b", re.IGNORECASE
        ),
    ),
)
# The treaty's preamble ends at its first article.
_FIRST_ARTICLE = re.compile(r"(?m)^(?:#+\s*)?(?:\*\*)?Art[íi]culo\s+(?:1|I|primero|único)\b")
# A statement of entry into force with a date, as BOE notes word it ("El presente Tratado entró en vigor el
# 16 de mayo de 1971"; "El presente Convenio entrará en vigor para España el 1 de agosto de 2011").
_IN_FORCE = re.compile(
    r"\b(?:El|La|Este|Esta)\s+(?:presente\s+)?(?:Tratado|Convenio|Convención|Acuerdo|Protocolo|Carta|Estatuto|"
    r"Canje\s+de\s+Notas)\b(?P<middle>[^.\n]{0,80}?)\b(?:entró|entra|ha\s+entrado|entrará)\s+en\s+vigor"
    r"(?P<scope>(?:\s+(?:de\s+forma\s+general\s+y\s+)?para\s+España)?)(?:,\s*)?\s+(?:el|a\s+partir\s+del)\s+"
    r"(?:día\s+)?" + _DATE,
    re.IGNORECASE,
)
# Formal Spanish names in the BOE treaties that the vocabulary's short names do not cover.
_FORMAL_NAMES = {
    "estados unidos de america": "US",
    "estados unidos mexicanos": "MX",
    "reino unido de gran bretana e irlanda del norte": "GB",
    "republica francesa": "FR",
}
_NAME_PREFIXES = re.compile(
    r"^(?:el\s+gobierno\s+(?:de\s+la\s+|del\s+|de\s+)|)(?:el|la|los|las)?\s*"
    r"(?:reino\s+de\s+|república\s+(?:islámica\s+|federativa\s+|oriental\s+)?(?:de\s+la\s+|del\s+|de\s+)?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TreatyFacts:
    """What the BOE says about one treaty; see the module docstring for the `spans` convention."""

    title: str
    kind: str  # BILATERAL | MULTILATERAL
    parties: tuple[str, ...]  # ISO 3166-1 alpha-2, in party_names' order (a name with no code is left out)
    party_names: tuple[str, ...]  # as written
    organisation: str | None
    subjects: tuple[str, ...]
    signed: dt.date | None
    signed_place: str | None
    in_force: dt.date | None
    in_force_scope: str | None = None  # "Spain" when the statement says "para España", else None
    spans: dict[str, Span] = field(default_factory=dict)


def treaty_facts(title: str, text: str, front_matter: Mapping[str, Any]) -> TreatyFacts | None:
    """The treaty facts of one BOE document, or None when it is not a treaty.

    A document is a treaty when its front matter's rank is "acuerdo_internacional" or, failing a rank
    saying so, its title names a treaty instrument (tratado, convenio, convención, acuerdo, protocolo ...)
    and does not start as a domestic norm (Ley, Real Decreto, Orden ...).
    """
    if not _is_treaty(title, front_matter):
        return None
    spans: dict[str, Span] = {}
    treaty_title, title_span, signing = _own_title(title)
    spans["title:title"] = title_span

    signed: dt.date | None = None
    signed_place: str | None = None
    if signing is not None:
        signed = _date(signing)
        spans["title:signed"] = (signing.start("day"), signing.end("year"))
        if signing["place"]:
            signed_place = _clean_place(signing["place"])
            spans["title:signed_place"] = signing.span("place")
    if signed_place is None or signed is None:
        closing = _closing_clause(text, signed)
        if closing is not None:
            if signed is None:
                signed = _date(closing)
                spans["signed"] = (closing.start("day"), closing.end("year"))
            signed_place = _clean_place(closing["place"])
            spans["signed_place"] = closing.span("place")

    between = _BETWEEN.search(treaty_title)
    party_names: tuple[str, ...]
    if between is not None and all(_country_code(between[g]) for g in ("first", "second")):
        kind = BILATERAL
        party_names = tuple(_clean_party(between[g]) for g in ("first", "second"))
        offset = title_span[0]
        spans["title:parties"] = (offset + between.start("first"), offset + between.end("second"))
    else:
        kind = MULTILATERAL
        party_names = ()
        consent = _spain_consents(text)
        if consent is not None:
            group = next(g for g in _CONSENT_GROUPS if consent[g])
            party_names = (consent[group],)
            spans["parties"] = consent.span(group)
    parties = tuple(code for code in (_country_code(name) for name in party_names) if code)

    organisation = None
    if kind == MULTILATERAL:
        organisation = _organisation(title, text, spans)

    subjects = _subjects(treaty_title, _preamble(text))

    in_force: dt.date | None = None
    scope: str | None = None
    stated = _IN_FORCE.search(text)
    if stated is not None and "revisad" not in stated["middle"].lower():
        in_force = _date(stated)
        scope = "Spain" if stated["scope"].strip() else None
        spans["in_force"] = (stated.start("day"), stated.end("year"))

    return TreatyFacts(
        title=treaty_title,
        kind=kind,
        parties=parties,
        party_names=party_names,
        organisation=organisation,
        subjects=subjects,
        signed=signed,
        signed_place=signed_place,
        in_force=in_force,
        in_force_scope=scope,
        spans=spans,
    )


def parse_spanish_date(words: str) -> dt.date | None:
    """ "29 de mayo de 1970" / "23 de Julio de 1892" / "15 de marzo 2021" -> date; None when not one."""
    match = re.fullmatch(_DATE, words.strip(), re.IGNORECASE)
    return _date(match) if match else None


# ---- pieces ----------------------------------------------------------------------------------------------


def _is_treaty(title: str, front_matter: Mapping[str, Any]) -> bool:
    rank = str(front_matter.get("rank") or "").strip().lower()
    if rank == "acuerdo_internacional":
        return True
    if rank:
        return False
    if re.match(r"\s*(?:ley|real\s+decreto|decreto|orden|resolución|reglamento|circular)\b", title, re.I):
        return False
    return _TREATY_WORDS.search(title) is not None


def _own_title(title: str) -> tuple[str, Span, re.Match[str] | None]:
    """The treaty's own title inside the BOE title, its span, and the signing clause after it."""
    start = 0
    wrapper = _WRAPPER.match(title)
    if wrapper is not None:
        start = wrapper.end()
    signing = _TITLE_SIGNING.search(title, start)
    end = signing.start() if signing is not None else len(title.rstrip())
    own = title[start:end].rstrip(" ,")
    return own[:1].upper() + own[1:], (start, start + len(own)), signing


def _closing_clause(text: str, signed: dt.date | None) -> re.Match[str] | None:
    """The treaty's "Hecho en X el <date>" clause (the one with the date from the title when there is one)."""
    for match in _TEXT_SIGNING.finditer(text):
        if signed is None or _date(match) == signed:
            return match
    return None


def _spain_consents(text: str) -> re.Match[str] | None:
    """Where the text says Spain consents to be bound by a multilateral treaty (the match names Spain)."""
    consent = _SPAIN_CONSENTS.search(text)
    if consent is None and _SPAIN_RATIFIES.search(text):
        consent = _SPAIN_NAMED.search(text)
    return consent


def _preamble(text: str) -> str:
    first = _FIRST_ARTICLE.search(text)
    return text[: first.start()] if first else text[:3000]


def _subjects(title: str, preamble: str) -> tuple[str, ...]:
    """Subjects named by the title; the preamble's words only when the title names none.

    The preamble alone would over-read: the European MLA Convention's preamble recalls that "la asistencia
    judicial está relacionada con la cuestión de la extradición" without being about extradition.
    """
    found = [name for name, pattern in _SUBJECTS if pattern.search(title)]
    if not found:
        found = [name for name, pattern in _SUBJECTS if pattern.search(preamble)]
    return tuple(found) or (OTHER,)


def _organisation(title: str, text: str, spans: dict[str, Span]) -> str | None:
    for source, key in ((title, "title:organisation"), (text, "organisation")):
        found = [(m.start(), m, name) for pattern, name in _ORGANISATIONS if (m := pattern.search(source))]
        if found:
            _, match, name = min(found, key=lambda item: item[0])
            spans[key] = match.span()
            return name
    return None


def _date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))
    except ValueError:
        return None


def _clean_place(place: str) -> str:
    return place.strip(" ,*")


def _clean_party(name: str) -> str:
    """A State as written, without the "el Gobierno de" of an intergovernmental agreement
    ("el Gobierno del Reino de España" -> "el Reino de España", "el Gobierno de España" -> "España")."""
    name = name.strip()
    government = re.match(r"el\s+Gobierno\s+(del|de\s+la|de\s+los|de)\s+", name, re.IGNORECASE)
    if government is None:
        return name
    linking = re.sub(r"\s+", " ", government[1].lower())
    article = {"del": "el ", "de la": "la ", "de los": "los "}.get(linking, "")
    return article + name[government.end() :]


@functools.cache
def _countries() -> Countries:
    return load_countries(default_vocab_dir())


def _country_code(name: str) -> str | None:
    """ISO code of a State named in Spanish ("el Reino de España", "la República del Perú"), or None."""
    cleaned = _clean_party(name)
    full = fold_name(re.sub(r"^(?:el|la|los|las)\s+", "", cleaned, flags=re.IGNORECASE))
    if full in _FORMAL_NAMES:
        return _FORMAL_NAMES[full]
    short = fold_name(_NAME_PREFIXES.sub("", cleaned, count=1))
    return _countries().code_of(short, ("es",)) or _countries().code_of(full, ("es",))
