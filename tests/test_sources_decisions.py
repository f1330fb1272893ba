"""Golden, hostile-input and whole-corpus tests for the decision parsers (Akoma Ntoso, LeCaRDv2, CAIL2022,
juriscraper listings and BVA decisions).

Golden files: tests/golden/<parser>/**/<name>.<ext> is real source data (whole files, or excerpts named
*.excerpt.* whose lines are copied unchanged; each folder's README.md lists them) and <name>.expected.json
beside it is what the parser must produce. Regenerate with SHERLOC_REGEN_GOLDEN=1 and read the JSON diff.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sherloc.ingest.sources.akoma_ntoso import AkomaNtosoJudgmentParser, title_case
from sherloc.ingest.sources.cail2022 import Cail2022Parser
from sherloc.ingest.sources.juriscraper import BvaDecisionParser, JuriscraperListingParser
from sherloc.ingest.sources.lecardv2 import (
    DATASET_CHARGE_LIST,
    ChargeVocabulary,
    LeCaRDv2Parser,
    caption_charges,
    charge_key,
    find_charges,
    load_charge_vocabulary,
    read_caption,
)
from sherloc.ingest.types import ParsedRecord, ParseError, Parser
from tests.golden_helpers import as_json, billion_laughs, check_golden, head, shared

GOLDEN = Path(__file__).resolve().parent / "golden"
VOCAB = Path(__file__).resolve().parents[1] / "corpus" / "vocab"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
EWCA = SHARED / "en-gb-decisions-ewca-civ-2020" / "2020"
LECARD = SHARED / "zh-cn-decisions-lecardv2"
CAIL = SHARED / "zh-cn-decisions-cail2022-drug-ie" / "train.json"
JURISCRAPER = SHARED / "en-us-case-metadata-juriscraper"

# Which parsers may claim the golden inputs of each folder.
GOLDEN_PARSERS = {
    "akoma_ntoso": {"akoma_ntoso"},
    "lecardv2": {"lecardv2"},
    "cail2022": {"cail2022"},
    "juriscraper": {"juriscraper", "bva_text"},
}


def all_parsers() -> list[Parser]:
    return [
        AkomaNtosoJudgmentParser(),
        LeCaRDv2Parser(vocab_dir=VOCAB),
        Cail2022Parser(vocab_dir=VOCAB),
        JuriscraperListingParser(),
        BvaDecisionParser(),
    ]


def golden_inputs() -> list[Path]:
    found = []
    for folder in GOLDEN_PARSERS:
        for path in sorted((GOLDEN / folder).rglob("*")):
            skip = path.name == "README.md" or path.name.endswith(".expected.json") or "others" in path.parts
            if path.is_file() and not skip:
                found.append(path)
    return found


def expected_path(source: Path) -> Path:
    return source.with_name(source.name.rsplit(".", 1)[0] + ".expected.json")


def one(records: list[ParsedRecord], key: str) -> ParsedRecord:
    matches = [r for r in records if r.source_key == key]
    assert len(matches) == 1, key
    return matches[0]


# ---- golden files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("source", golden_inputs(), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden(source: Path) -> None:
    claimed = [parser for parser in all_parsers() if parser.detect(source, head(source))]
    assert len(claimed) == 1, f"claimed by {[p.name for p in claimed]}"
    parser = claimed[0]
    assert parser.name in GOLDEN_PARSERS[source.relative_to(GOLDEN).parts[0]]
    actual = as_json(list(parser.parse(source)))
    assert getattr(parser, "warnings", []) == []
    check_golden(actual, expected_path(source))


def test_every_golden_input_has_an_expected_file() -> None:
    inputs = golden_inputs()
    assert len(inputs) == 8
    for source in inputs:
        assert expected_path(source).exists(), source


def test_evidence_offsets_point_at_the_values() -> None:
    for source in golden_inputs():
        parser = next(p for p in all_parsers() if p.detect(source, head(source)))
        for record in parser.parse(source):
            for key, span in record.attributes.get("evidence", {}).items():
                written = record.text[span["start"] : span["end"]]
                value = record.attributes.get(key)
                if isinstance(value, str) and key in ("citation", "case_number") and ";" not in value:
                    assert written == value, (record.source_key, key)
                else:
                    assert written.strip(), (record.source_key, key)


# ---- detection ------------------------------------------------------------------------------------


def test_parsers_do_not_claim_other_sources_files(tmp_path: Path) -> None:
    others = sorted((GOLDEN / "lawrefbook").rglob("*.md")) + sorted((GOLDEN / "legalize").rglob("*.md"))
    generic = {
        "data.json": '[{"id": 1, "name": "x"}]',
        "lines.jsonl": '{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n',
        "act.xml": '<?xml version="1.0"?><akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
        "<act/></akomaNtoso>",
        "uslm.xml": '<?xml version="1.0"?><lawDoc xmlns="http://xml.house.gov/schemas/uslm/1.0"/>',
        "notes.txt": "Citation needed\nDOCKET\n",
        "index.json": '{"id": 3, "title": "query"}',
    }
    for name, content in generic.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        others.append(tmp_path / name)
    for path in others:
        claimed = [parser.name for parser in all_parsers() if parser.detect(path, head(path))]
        assert claimed == [], (path.name, claimed)


def test_detection_in_the_shared_corpora_is_exclusive() -> None:
    root = shared(SHARED)
    ours = {
        **{path: ["akoma_ntoso"] for path in EWCA.glob("*.xml")},
        **{path: ["lecardv2"] for path in (LECARD / "query").glob("*.json")},
        CAIL: ["cail2022"],
        JURISCRAPER / "opinion_listings.jsonl": ["juriscraper"],
        JURISCRAPER / "bva_subexample_1.txt": ["bva_text"],
    }
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        claimed = [parser.name for parser in all_parsers() if parser.detect(path, head(path))]
        assert claimed == ours.get(path, []), (path, claimed)


# ---- Akoma Ntoso: hostile and odd input -------------------------------------------------------------

BOMB = billion_laughs(
    '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">',
    '<judgment name="judgment"><judgmentBody><decision><p>&lol9;</p></decision></judgmentBody></judgment>',
)

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE akomaNtoso [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><judgment name="judgment">
<judgmentBody><decision><p>&secret;</p></decision></judgmentBody></judgment></akomaNtoso>
"""


@pytest.mark.parametrize(("content", "construct"), [(BOMB, "lolz"), (EXTERNAL_ENTITY, "akomaNtoso")])
def test_akoma_ntoso_refuses_dtds_fast(tmp_path: Path, content: str, construct: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(content, encoding="utf-8")
    parser = AkomaNtosoJudgmentParser()
    assert parser.detect(path, head(path))
    started = time.perf_counter()
    with pytest.raises(ParseError, match=rf"declares a document type \(<!DOCTYPE {construct}>\)"):
        list(parser.parse(path))
    assert time.perf_counter() - started < 1.0


def test_akoma_ntoso_reports_malformed_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<akomaNtoso><judgment><p>unclosed</judgment></akomaNtoso>", encoding="utf-8")
    with pytest.raises(ParseError, match=r"not well-formed XML \(line 1, column \d+\)"):
        list(AkomaNtosoJudgmentParser().parse(path))


def test_akoma_ntoso_rejects_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "act.xml"
    path.write_text(
        '<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><act/></akomaNtoso>'
    )
    with pytest.raises(ParseError, match="not an Akoma Ntoso judgment"):
        list(AkomaNtosoJudgmentParser().parse(path))


MINIMAL_JUDGMENT = """<?xml version="1.0" encoding="UTF-8"?>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0" xmlns:uk="https://caselaw.nationalarchives.gov.uk/akn">
  <judgment name="judgment">
    <meta><identification source="#tna"><FRBRWork>
      <FRBRthis value="https://caselaw.nationalarchives.gov.uk/ewca/civ/2021/1"/>
      <FRBRdate date="2021-01-05" name="judgment"/><FRBRcountry value="GB-UKM"/><FRBRname value="A v B"/>
    </FRBRWork><FRBRExpression><FRBRlanguage language="eng"/></FRBRExpression></identification></meta>
    <header><p>Neutral Citation Number: <neutralCitation>[2021] EWCA Civ 1</neutralCitation></p></header>
    <judgmentBody><decision>
      <paragraph><num>1.</num><content><p>Section 1 of the <ref uk:type="legislation"
        href="http://www.legislation.gov.uk/id/ukpga/1998/29">Data Protection Act 1998</ref> and the
        <ref href="https://www.legislation.gov.uk/ukpga/2010/23">Bribery Act 2010</ref> apply.<authorialNote
        marker="1"><p>See also the <ref uk:type="legislation" href="http://www.legislation.gov.uk/id/ukpga/1998/29"
        >Data Protection Act 1998</ref>.</p></authorialNote></p></content></paragraph>
      <paragraph><num>2.</num><content><p>Nothing in <ref href="#para1">paragraph 1</ref> is a case.</p>
      </content></paragraph>
    </decision></judgmentBody>
  </judgment>
</akomaNtoso>
"""  # written for this test: the corpus files carry no <ref> markup yet


def test_akoma_ntoso_cites_marked_legislation_once(tmp_path: Path) -> None:
    path = tmp_path / "minimal.xml"
    path.write_text(MINIMAL_JUDGMENT, encoding="utf-8")
    record = next(AkomaNtosoJudgmentParser().parse(path))
    assert record.attributes["cited_statutes"] == ["Data Protection Act 1998", "Bribery Act 2010"]
    assert record.source_key == "2021-ewca-civ-1"
    assert record.source_url == "https://caselaw.nationalarchives.gov.uk/ewca/civ/2021/1"
    assert (record.country, record.language, record.title) == ("GB", "en", "A v B")
    assert "1. Section 1 of the Data Protection Act 1998 and the Bribery Act 2010 apply." in record.text
    assert "\n\n[1] See also the Data Protection Act 1998." in record.text
    assert record.attributes["licence"] == "Open Justice Licence"


def test_title_case_keeps_small_words_low() -> None:
    assert title_case("COURT OF APPEAL (CIVIL DIVISION)") == "Court of Appeal (Civil Division)"


# ---- JSON Lines: a broken line costs only itself ------------------------------------------------------


def _with_broken_middle_line(source: Path, target: Path, count: int = 3) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()[:count]
    lines[1] = lines[1][: len(lines[1]) // 2]  # cut in half: not valid JSON any more
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("factory", "golden"),
    [
        (lambda: LeCaRDv2Parser(vocab_dir=VOCAB), GOLDEN / "lecardv2" / "query" / "test_query.excerpt.json"),
        (lambda: Cail2022Parser(vocab_dir=VOCAB), GOLDEN / "cail2022" / "train.excerpt.json"),
        (JuriscraperListingParser, GOLDEN / "juriscraper" / "opinion_listings.excerpt.jsonl"),
    ],
    ids=["lecardv2", "cail2022", "juriscraper"],
)
def test_broken_line_is_skipped_and_reported(
    tmp_path: Path,
    factory: Callable[[], LeCaRDv2Parser | Cail2022Parser | JuriscraperListingParser],
    golden: Path,
) -> None:
    target = tmp_path / golden.name
    _with_broken_middle_line(golden, target)
    parser = factory()
    records = list(parser.parse(target))
    assert len(records) == 2
    assert len(parser.warnings) == 1
    assert parser.warnings[0].startswith(f"{target.name} line 2: not valid JSON")
    list(parser.parse(golden))
    assert parser.warnings == []  # each parse() starts a new list


def test_json_lines_bad_encoding_and_non_objects_are_reported(tmp_path: Path) -> None:
    golden = GOLDEN / "juriscraper" / "opinion_listings.excerpt.jsonl"
    good = golden.read_bytes().splitlines()[0]
    path = tmp_path / "listings.jsonl"
    path.write_bytes(b"\n".join([good, b'{"case_names": "caf\xe9"}', b"[1, 2]", b"", good]) + b"\n")
    parser = JuriscraperListingParser()
    assert len(list(parser.parse(path))) == 2
    assert [w.split(":")[0] for w in parser.warnings] == ["listings.jsonl line 2", "listings.jsonl line 3"]
    assert "not UTF-8" in parser.warnings[0] and "a JSON list, not an object" in parser.warnings[1]


def test_json_lines_without_any_object_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"id": 1, "query": \nnot json\n', encoding="utf-8")
    with pytest.raises(ParseError, match="has no JSON object line"):
        list(LeCaRDv2Parser(vocab_dir=VOCAB).parse(path))


def test_cail2022_reads_a_json_array(tmp_path: Path) -> None:
    lines = (GOLDEN / "cail2022" / "train.excerpt.json").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "train.json"
    path.write_text("[" + ",\n".join(lines) + "]", encoding="utf-8")
    parser = Cail2022Parser(vocab_dir=VOCAB)
    assert parser.detect(path, head(path))
    assert [r.source_key for r in parser.parse(path)] == [
        r.source_key for r in parser.parse(GOLDEN / "cail2022" / "train.excerpt.json")
    ]


# ---- charge names ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocab() -> ChargeVocabulary:
    return load_charge_vocabulary(VOCAB, [GOLDEN / "lecardv2" / DATASET_CHARGE_LIST])


@pytest.mark.parametrize(
    ("written", "recorded"),
    [
        ("盗窃罪", "盗窃罪"),
        ("组织领导传销活动罪", "组织、领导传销活动罪"),  # 、 left out: the official spelling
        ("故意毁坏财物", "故意毁坏财物罪"),  # 罪 left out, as captions do
        (
            "为境外窃取、剌探、收买、非法提供国家秘密、情报罪",
            "为境外窃取、刺探、收买、非法提供国家秘密、情报罪",
        ),
        ("贩卖毒品罪", "贩卖毒品罪"),  # selective forms stay as written
        ("非法买卖枪支罪", "非法买卖枪支罪"),
        ("非法持有枪支罪", "非法持有枪支罪"),
        ("伪造国家机关公文、印章罪", "伪造国家机关公文、印章罪"),
        ("制造、贩卖毒品罪", "制造、贩卖毒品罪"),  # acts in another order than the official name
        ("掩饰、隐瞒犯罪所得罪", "掩饰、隐瞒犯罪所得罪"),
        ("毒品罪", None),
        ("故意毁坏公私财物罪", None),
        ("犯罪", None),
    ],
)
def test_charge_names(vocab: ChargeVocabulary, written: str, recorded: str | None) -> None:
    assert vocab.canonical(written) == recorded


def test_charges_named_in_prose(vocab: ChargeVocabulary) -> None:
    text = (
        "被告人甲曾因犯盗窃罪于2010年被判处有期徒刑。公诉机关指控被告人甲、乙犯故意伤害、抢劫罪，"
        "被告人丙犯掩饰、隐瞒犯罪所得罪、寻衅滋事罪，被告人丁不构成敲诈勒索罪，应当以抢劫罪追究其刑事责任。"
    )
    names = [m.name for m in find_charges(text, vocab)]
    assert names == ["故意伤害罪", "抢劫罪", "掩饰、隐瞒犯罪所得罪", "寻衅滋事罪", "抢劫罪"]
    first = find_charges(text, vocab)[0]
    assert text[first.start : first.end] == "故意伤害"


@pytest.mark.parametrize(
    ("caption", "charges"),
    [
        ("张建、张小春敲诈勒索罪一审刑事判决书", ["敲诈勒索罪"]),
        ("杨朔职务侵占一审刑事判决书", ["职务侵占罪"]),
        (
            "宗传存、彭瀚琳故意伤害、寻衅滋事、非法采矿二审刑事判决书",
            ["故意伤害罪", "寻衅滋事罪", "非法采矿罪"],
        ),
        ("軄某走私、贩卖、运输、制造毒品一审刑事判决书", ["走私、贩卖、运输、制造毒品罪"]),
        ("王晓东集资诈骗罪，王晓东职务侵占罪等一审刑事判决书", ["集资诈骗罪", "职务侵占罪"]),
        ("郭红涛一审刑事判决书", []),
    ],
)
def test_caption_charges(vocab: ChargeVocabulary, caption: str, charges: list[str]) -> None:
    query = caption + "北京市丰台区人民法院刑事判决书（2018）京0106刑初718号：公诉机关指控……"
    found = read_caption(query)
    assert found.title == caption
    assert [m.name for m in caption_charges(query, found.charges_end, vocab)] == charges


# ---- whole corpora ----------------------------------------------------------------------------------------


def test_ewca_611_and_1301() -> None:
    parser = AkomaNtosoJudgmentParser()
    zxc = next(parser.parse(shared(EWCA / "2020-ewca-611-civ.xml")))
    assert (zxc.source_key, zxc.title, zxc.date_decided.isoformat()) == (  # type: ignore[union-attr]
        "2020-ewca-civ-611",
        "ZXC v Bloomberg LP",
        "2020-05-15",
    )
    assert zxc.attributes["court"] == "Court of Appeal (Civil Division)"
    assert zxc.attributes["citation"] == "[2020] EWCA Civ 611"
    assert zxc.attributes["case_number"] == "A2/2019/1158"
    assert zxc.attributes["parties"] == [
        "Respondent (Claimant): ZXC",
        "Appellant (Defendant): Bloomberg L.P.",
    ]
    assert zxc.attributes["judges"] == ["LORD JUSTICE UNDERHILL", "LORD JUSTICE BEAN", "LORD JUSTICE SIMON"]
    w80 = next(parser.parse(shared(EWCA / "2020-ewca-1301-civ.xml")))
    assert w80.date_decided is not None and w80.date_decided.isoformat() == "2020-10-09"
    assert w80.attributes["citation"] == "[2020] EWCA Civ 1301"
    assert w80.attributes["court"] == "Court of Appeal (Civil Division)"
    assert w80.attributes["case_number"] == "C1/2019/2919; CO/463/2019"
    assert w80.attributes["judges"] == [
        "SIR GEOFFREY VOS, CHANCELLOR OF THE HIGH COURT",
        "LADY JUSTICE MACUR",
        "LADY JUSTICE NICOLA DAVIES",
    ]
    assert w80.attributes["parties"] == [
        "Claimant/Respondent: THE QUEEN (on the application of OFFICER W80)",
        "Defendant/Appellant: DIRECTOR GENERAL OF THE INDEPENDENT OFFICE FOR POLICE CONDUCT",
        "Interested Parties: THE COMMISSIONER OF POLICE OF THE METROPOLIS",
        "Interested Parties: EFTEHIA DEMETRIO",
        "Interested Parties: THE COLLEGE OF POLICING",
        "Intervener: THE NATIONAL POLICE CHIEFS’ COUNCIL",
    ]
    assert "\n\n1. On 11 December 2015, Armed Police Officer W80" in w80.text


def test_every_ewca_judgment_parses() -> None:
    files = sorted(shared(EWCA).glob("*.xml"))
    index = {e["path"]: e for e in json.loads((EWCA.parent / "index.json").read_text(encoding="utf-8"))}
    parser = AkomaNtosoJudgmentParser()
    assert len(files) == len(index) == 90
    records = []
    for path in files:
        record = next(parser.parse(path))
        listed = index[f"2020/{path.name}"]
        assert record.date_decided is not None and record.date_decided.isoformat() == listed["date"]
        # The curator's index has no citation for 579, whose uk: elements use another namespace prefix.
        assert record.attributes["citation"] == (listed["citation"] or "[2020] EWCA Civ 579")
        assert record.attributes["court"] and record.attributes["case_number"]
        # The first numbered paragraph; 43 is OCR text, 363 writes its numbers in the text ("1 . This is").
        assert re.search(r"\n\n1 ?\. ", record.text) or record.source_key == "2020-ewca-civ-43"
        records.append(record)
    with_judges = sum("judges" in r.attributes for r in records)
    with_parties = sum("parties" in r.attributes for r in records)
    print(f"EWCA: {len(records)} judgments, {with_judges} with judges, {with_parties} with parties")
    assert with_judges >= 88 and with_parties >= 75


def test_every_lecardv2_case_has_a_charge() -> None:
    files = sorted(shared(LECARD / "query").glob("*.json"))
    parser = LeCaRDv2Parser(vocab_dir=VOCAB)
    records: list[ParsedRecord] = []
    for path in files:
        records.extend(parser.parse(path))
        assert parser.warnings == []
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
    assert len(records) == lines == 360
    assert len({r.source_key for r in records}) == 360
    assert all(r.attributes.get("charges") for r in records)
    vocab = parser.vocabulary(files[0])
    official = {charge_key(name) for name in vocab.names()}
    named, matched = 0, 0
    for record in records:
        caption = charge_key(record.title)
        if not any(key in caption for key in official):
            continue  # the caption names no charge ("郭红涛一审刑事判决书", or a court heading)
        named += 1
        matched += any(charge_key(c) in caption for c in record.attributes["charges"])
    rate = matched / named
    print(f"LeCaRDv2: {matched}/{named} captions that name a charge have it among the charges ({rate:.1%})")
    assert rate >= 0.95


def test_every_cail2022_paragraph_parses() -> None:
    path = shared(CAIL)
    parser = Cail2022Parser(vocab_dir=VOCAB)
    records = list(parser.parse(path))
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(raw) == 1415 and parser.warnings == []
    assert sum(len(r.attributes["entities"]) for r in records) == sum(len(p["entityMentions"]) for p in raw)
    labelled = sum(m["label"] != "NA" for p in raw for m in p["relationMentions"])
    assert sum(len(r.attributes["relations"]) for r in records) == labelled
    assert len({r.source_key for r in records}) == 1415


def test_every_juriscraper_listing_parses_streaming_and_fast() -> None:
    path = shared(JURISCRAPER / "opinion_listings.jsonl")
    parser = JuriscraperListingParser()
    assert inspect.isgenerator(parser.parse(path))  # streamed, not loaded whole
    started = time.perf_counter()
    keys = [record.source_key for record in parser.parse(path)]
    elapsed = time.perf_counter() - started
    lines = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"juriscraper: {len(keys)} listings in {elapsed:.2f} s")
    assert len(keys) == lines == 11409 and parser.warnings == []
    assert len(set(keys)) == len(keys)
    assert elapsed < 5.0


def test_bva_decision(tmp_path: Path) -> None:
    source = shared(JURISCRAPER / "bva_subexample_1.txt")
    record = next(BvaDecisionParser().parse(source))
    assert record.attributes["case_number"] == "250716-566207"
    assert record.date_decided is not None and record.date_decided.isoformat() == "2025-09-30"
    assert "38 U.S.C. §§ 1155" in record.text  # Windows-1252 decoded
    copy = tmp_path / "decision.txt"
    shutil.copyfile(source, copy)
    copy.write_text(copy.read_text(encoding="cp1252").replace("DOCKET NO.", "DOCKET"), encoding="utf-8")
    with pytest.raises(ParseError, match="DOCKET NO"):
        list(BvaDecisionParser().parse(copy))
