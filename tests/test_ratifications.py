"""corpus/vocab/ratifications.yaml loads, every fact is quoted from its source, bad entries are refused."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sherloc.settings import Settings
from sherloc.vocab import VocabularyError
from sherloc.vocab.ratifications import (
    RATIFICATIONS_FILE,
    load_ratification_data,
    load_ratifications,
)
from tests.golden_helpers import SHARED, shared

VOCAB_DIR = Settings().vocab_dir


def test_the_file_loads() -> None:
    data = load_ratification_data(VOCAB_DIR)
    assert load_ratifications(VOCAB_DIR) == list(data.ratifications)
    # The shared corpora hold no State's instrument for UNTOC or its Protocols (see the file's header).
    assert data.ratifications == ()
    counts = {(c.instrument, c.as_of): c.parties for c in data.party_counts}
    assert counts[("UNTOC", dt.date(2010, 7, 13))] == 156
    assert counts[("FP", dt.date(2017, 2, 22))] == 114
    assert {e.instrument: e.date for e in data.entry_into_force} == {
        "UNTOC": dt.date(2003, 9, 29),
        "TIP": dt.date(2003, 12, 25),
        "SOM": dt.date(2004, 1, 28),
        "FP": dt.date(2005, 7, 3),
    }


def test_every_quote_is_in_its_source() -> None:
    shared(SHARED)
    data = load_ratification_data(VOCAB_DIR)
    sources = [e.source for e in (*data.ratifications, *data.party_counts, *data.entry_into_force)]
    assert sources
    for source in sources:
        text = (SHARED / source.path).read_text(encoding="utf-8")
        assert source.found_in(text), f"quote not found in {source.path}: {source.quote[:60]}"


def test_every_number_and_date_is_in_its_quote() -> None:
    data = load_ratification_data(VOCAB_DIR)
    for count in data.party_counts:
        assert f"{count.parties} 个" in count.source.quote
        if count.as_of:
            assert f"{count.as_of.year} 年 {count.as_of.month} 月 {count.as_of.day} 日" in count.source.quote
    for entry in data.entry_into_force:
        assert f"{entry.date.year} 年 {entry.date.month} 月 {entry.date.day} 日生效" in entry.source.quote


def _vocab_with(tmp_path: Path, body: str) -> Path:
    shutil.copy(VOCAB_DIR / "instruments.yaml", tmp_path / "instruments.yaml")
    shutil.copy(VOCAB_DIR / "countries.json", tmp_path / "countries.json")
    (tmp_path / RATIFICATIONS_FILE).write_text("version: 1\n" + body, encoding="utf-8")
    return tmp_path


_GOOD = """\
ratifications:
  - country: ES
    instrument: UNTOC
    status: ratification
    date: 2002-02-21
    date_kind: instrument
    declarations: ["España declara ..."]
    source: {path: es-es-laws-legalize-es/es/BOE-A-0000-1.md, quote: "Vengo en aprobar y ratificar"}
"""


def test_a_well_formed_entry_loads(tmp_path: Path) -> None:
    (entry,) = load_ratifications(_vocab_with(tmp_path, _GOOD))
    assert (entry.country, entry.instrument, entry.status) == ("ES", "UNTOC", "ratification")
    assert entry.date == dt.date(2002, 2, 21) and entry.date_kind == "instrument"
    assert entry.declarations == ("España declara ...",) and entry.reservations == ()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("status: ratification", "status: ratified", "ratifications entry 1 (ES UNTOC): status must be"),
        ("instrument: UNTOC", "instrument: PALERMO", "instrument 'PALERMO' is not in instruments.yaml"),
        ("country: ES", "country: XX", "country 'XX' is not in countries.json"),
        ("country: ES", "country: Spain", "country must be an ISO 3166-1 alpha-2 code"),
        ("date: 2002-02-21", "date: 21/02/2002", "date must be a date YYYY-MM-DD"),
        ("date_kind: instrument", "date_kind: null", "date_kind must be one of"),
        ("    date_kind: instrument\n", "", "missing date_kind"),
        ("    source: {path", "    sources: {path", "missing source"),
        ("path: es-es", "path: /etc/es-es", "source.path must be a relative path"),
        ('quote: "Vengo en aprobar y ratificar"', 'quote: ""', "source.quote must be the quoted sentence"),
        ('declarations: ["España declara ..."]', "declarations: España", "declarations must be a list"),
    ],
)
def test_a_malformed_entry_is_refused_by_name(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in _GOOD
    with pytest.raises(VocabularyError, match="ratifications.yaml: ratifications entry 1") as raised:
        load_ratifications(_vocab_with(tmp_path, _GOOD.replace(old, new)))
    assert message in str(raised.value)


def test_a_pair_may_appear_once(tmp_path: Path) -> None:
    entries = _GOOD + _GOOD.split("\n", 1)[1]
    with pytest.raises(VocabularyError, match="ES UNTOC appears twice"):
        load_ratifications(_vocab_with(tmp_path, entries))


def test_a_party_count_must_be_a_number(tmp_path: Path) -> None:
    body = """\
party_counts:
  - {instrument: TIP, parties: many, as_of: null, source: {path: a.txt, quote: q}}
"""
    with pytest.raises(
        VocabularyError, match=r"party_counts entry 1 \(TIP\): parties must be a whole number"
    ):
        load_ratification_data(_vocab_with(tmp_path, body))
