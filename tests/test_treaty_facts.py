"""Treaty facts from the BOE texts: one golden file per treaty in the shared Spanish corpus, and unit tests.

Each tests/golden/treaties/<BOE id>.expected.json holds the facts and, under "quoted", the words every span
points at, so a reader can check the expectation against the text without opening the corpus.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from sherloc.extract.treaties import (
    BILATERAL,
    EXTRADITION,
    MULTILATERAL,
    MUTUAL_LEGAL_ASSISTANCE,
    OTHER,
    parse_spanish_date,
    treaty_facts,
)
from sherloc.ingest.sources.legalize import split_front_matter
from tests.golden_helpers import GOLDEN, SHARED, check_golden, shared

BOE_DIR = SHARED / "es-es-laws-legalize-es" / "es"
TREATY_GOLDEN = GOLDEN / "treaties"
TREATY_IDS = sorted(p.name.removesuffix(".expected.json") for p in TREATY_GOLDEN.glob("*.expected.json"))


def _read(boe_id: str) -> tuple[str, str, dict[str, Any]]:
    path = shared(BOE_DIR / f"{boe_id}.md")
    meta, lines = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    return str(meta["title"]), "\n".join(lines), meta


def _as_golden(title: str, text: str, meta: dict[str, Any]) -> dict[str, Any]:
    facts = treaty_facts(title, text, meta)
    assert facts is not None
    quoted = {}
    for key, (start, end) in sorted(facts.spans.items()):
        source = title if key.startswith("title:") else text
        quoted[key] = source[start:end]
    data = json.loads(
        json.dumps(
            dataclasses.asdict(facts),
            default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v),
            ensure_ascii=False,
        )
    )
    return {"facts": data, "quoted": quoted}


def test_every_treaty_in_the_corpus_has_a_golden_file() -> None:
    shared(BOE_DIR)
    treaties = sorted(
        path.stem
        for path in BOE_DIR.glob("*.md")
        if 'rank: "acuerdo_internacional"' in path.read_text(encoding="utf-8")[:3000]
    )
    assert len(treaties) == 32
    assert treaties == TREATY_IDS


@pytest.mark.parametrize("boe_id", TREATY_IDS)
def test_treaty_golden(boe_id: str) -> None:
    title, text, meta = _read(boe_id)
    check_golden(_as_golden(title, text, meta), TREATY_GOLDEN / f"{boe_id}.expected.json")


def test_extradition_treaty_with_the_united_states() -> None:
    title, text, meta = _read("BOE-A-1971-1178")
    facts = treaty_facts(title, text, meta)
    assert facts is not None
    assert facts.title == "Tratado de Extradición entre España y los Estados Unidos de América"
    assert facts.kind == BILATERAL
    assert facts.parties == ("ES", "US")
    assert facts.party_names == ("España", "los Estados Unidos de América")
    assert facts.subjects == (EXTRADITION,)
    assert facts.signed == dt.date(1970, 5, 29)
    assert facts.signed_place == "Madrid"
    start, end = facts.spans["title:signed"]
    assert title[start:end] == "29 de mayo de 1970"
    # The consolidated text only says "entrará en vigor después del intercambio de ratificaciones".
    assert facts.in_force is None


def test_a_law_is_not_a_treaty() -> None:
    title, text, meta = _read("BOE-A-1995-25444")  # Código Penal
    assert meta["rank"] != "acuerdo_internacional"
    assert treaty_facts(title, text, meta) is None


def test_a_ley_without_rank_is_not_a_treaty() -> None:
    title = "Ley 4/1985, de 21 de marzo, de Extradición Pasiva"
    assert treaty_facts(title, "Artículo 1. ...", {}) is None
    assert treaty_facts(title, "Artículo 1. ...", {"rank": "ley"}) is None


def test_a_treaty_title_without_rank_is_a_treaty() -> None:
    title = "Tratado de extradición entre España y Canadá, hecho en Madrid el día 31 de mayo de 1989"
    facts = treaty_facts(title, "", {})
    assert facts is not None
    assert (facts.kind, facts.parties, facts.signed) == (BILATERAL, ("ES", "CA"), dt.date(1989, 5, 31))


def test_the_wrapping_instrument_is_not_part_of_the_title() -> None:
    title = (
        "Instrumento de Ratificación, de 29 de abril de 1980, de la Carta Social Europea, hecha en Turín de "
        "18 de octubre de 1961"
    )
    facts = treaty_facts(title, "", {"rank": "acuerdo_internacional"})
    assert facts is not None
    assert facts.title == "Carta Social Europea"
    assert (facts.signed, facts.signed_place) == (dt.date(1961, 10, 18), "Turín")
    assert facts.kind == MULTILATERAL and facts.parties == ()  # no text saying Spain consents


def test_entry_into_force_as_the_boe_states_it() -> None:
    text = (
        "Hecho en Madrid el 3 de marzo de 1987.\n\n"
        "El presente Tratado entró en vigor el 16 de mayo de 1971, fecha del canje de instrumentos.\n"
    )
    facts = treaty_facts("Tratado de Asistencia Judicial en materia penal entre España y Chile", text, {})
    assert facts is not None
    assert facts.in_force == dt.date(1971, 5, 16)
    assert facts.in_force_scope is None
    assert facts.subjects == (MUTUAL_LEGAL_ASSISTANCE,)
    start, end = facts.spans["in_force"]
    assert text[start:end] == "16 de mayo de 1971"


def test_entry_into_force_for_spain_and_other_instruments() -> None:
    for_spain = "El presente Convenio entrará en vigor para España el 1 de agosto de 2011."
    facts = treaty_facts("Convenio sobre pesca", for_spain, {"rank": "acuerdo_internacional"})
    assert facts is not None and facts.in_force == dt.date(2011, 8, 1) and facts.in_force_scope == "Spain"
    assert facts.subjects == (OTHER,)
    # A note on another instrument (the revised Charter) does not date this one.
    revised = (
        "Téngase en cuenta la Carta Social Europea (revisada), que entra en vigor para España el 1 de julio "
        "de 2021."
    )
    facts = treaty_facts("Carta Social Europea", revised, {"rank": "acuerdo_internacional"})
    assert facts is not None and facts.in_force is None
    # A clause stating how the treaty will enter into force gives no date.
    clause = "El presente Tratado entrará en vigor treinta días después del canje de los Instrumentos."
    facts = treaty_facts("Tratado de extradición entre España y Bolivia", clause, {})
    assert facts is not None and facts.in_force is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("29 de mayo de 1970", dt.date(1970, 5, 29)),
        ("23 de Julio de 1892", dt.date(1892, 7, 23)),
        ("15 de marzo 2021", dt.date(2021, 3, 15)),
        ("1 de setiembre de 1990", dt.date(1990, 9, 1)),
        ("31 de febrero de 1990", None),
        ("mayo de 1970", None),
    ],
)
def test_spanish_dates(words: str, expected: dt.date | None) -> None:
    assert parse_spanish_date(words) == expected
