"""UN policy documents: golden file and corpus-wide checks (only printed facts, nothing guessed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sherloc.ingest.sources.un_documents import UnDocumentParser
from sherloc.ingest.types import ParseError
from tests.golden_helpers import GOLDEN, SHARED, as_json, check_golden

UN_DIR = SHARED / "zh-un-ctoc-documents"


def test_golden_un_document() -> None:
    source = GOLDEN / "un_document" / "004_307f31fd53a52439.txt"
    parser = UnDocumentParser()
    assert parser.detect(source, source.read_text(encoding="utf-8")[:4096])
    actual = as_json(list(parser.parse(source)))
    check_golden(actual, source.with_suffix(".expected.json"))
    record = actual[0]
    assert record["title"] == "制定国家战略应对跨国有组织犯罪"
    assert record["date_adopted"] == "2012-08-01"  # "Distr.: General / 1 August 2012"
    assert record["kind"] == "policy_document" and record["country"] is None
    assert "symbol" not in record["attributes"]  # not printed in this file: stays empty


@pytest.mark.skipif(not UN_DIR.exists(), reason="shared corpora absent")
def test_all_five_documents_parse_with_their_printed_titles() -> None:
    parser = UnDocumentParser()
    titles = {}
    for path in sorted(UN_DIR.glob("*.txt")):
        assert parser.detect(path, path.read_text(encoding="utf-8")[:4096]), path.name
        (record,) = parser.parse(path)
        titles[path.name[:3]] = record.title
        assert len(record.text) > 4000
    assert titles["002"] == "在打击跨国有组织犯罪和腐败方面的国际合作"
    assert titles["000"].startswith("缔约方会议和技术援助问题政府专家工作组确定的")


def test_not_a_un_document(tmp_path: Path) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("Provisional agenda item 4\nno document type line here\n", encoding="utf-8")
    parser = UnDocumentParser()
    assert not parser.detect(note, note.read_text())
    with pytest.raises(ParseError):
        list(parser.parse(note))
