"""Bibliography, treaties, strategies and policy documents in the portal: import, search, export, cite."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sherloc.app import create_app
from sherloc.bibliography import BibEntry, Name, dump, parse
from sherloc.settings import Settings
from tests.conftest import SHARED_CORPORA, ingest_into
from tests.golden_helpers import shared

GOLDEN = Path(__file__).parent / "golden" / "bibliography"

# Entries an editor might import: every field, non-ASCII names, the portal's own facets.
ENTRIES = [
    BibEntry(
        key="wang2019",
        type="article-journal",
        title="跨境洗钱犯罪的刑法规制",
        authors=(Name(family="王", given="小明"), Name(family="Иванов", given="Пётр")),
        container_title="法学研究",
        issued=(2019, 5),
        language="zh",
        volume="41",
        issue="3",
        pages="88-104",
        abstract="论洗钱罪的跨境认定。",
        annotation="Compares 刑法 art. 191 with the FATF Recommendations.",
        keywords=("洗钱", "跨境"),
        countries=("CN",),
        crime_types=("money_laundering",),
        cross_cutting=("mutual_legal_assistance",),
        research_method="doctrinal",
    ),
    BibEntry(
        key="unodc-tip-toolkit",
        type="book",
        title="Toolkit to Combat Trafficking in Persons",
        authors=(Name(literal="United Nations Office on Drugs and Crime"),),
        publisher="United Nations",
        publisher_place="New York",
        issued=(2008,),
        language="en",
        un_sales_number="E.08.V.14",
        countries=("FR", "ES"),
        crime_types=("trafficking_in_persons",),
    ),
    BibEntry(
        key="alsaud2020",
        type="article-journal",
        title="مكافحة غسل الأموال في المملكة العربية السعودية",
        authors=(Name(family="السعود", given="محمد"),),
        issued=(2020,),
        language="ar",
        countries=("SA",),
        crime_types=("money_laundering",),
    ),
]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """A store holding ENTRIES (imported from BibTeX), the real golden files, and nothing else."""
    folder = tmp_path_factory.mktemp("bib")
    (folder / "entries.bib").write_text(dump(ENTRIES, "bibtex"), encoding="utf-8")
    for path in GOLDEN.glob("*.bib"):
        if (
            "gost" not in path.name
        ):  # that file is BibTeX inside a LaTeX listing: a parser test, not a library
            shutil.copy(path, folder / path.name)
    shutil.copy(GOLDEN / "rispy-example_utf_chars.ris", folder / "example.ris")
    settings = Settings(data_dir=folder / "data", secret_key="test")
    report = ingest_into(settings, [folder])
    assert report.count("failed") == 0, report.problems
    app = create_app(settings)
    app.config["TESTING"] = True
    return app.test_client()


def _record_id(client: FlaskClient, key: str) -> str:
    hits = client.get("/api/v1/search?q=kind:bibliography&page_size=100").get_json()["hits"]
    found = [h["id"] for h in hits if h["id"].endswith("-" + key)]
    assert found, key
    return found[0]


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_every_entry_exported_and_imported_back_is_the_same_entry(library: FlaskClient, fmt: str) -> None:
    for entry in ENTRIES:
        record_id = _record_id(library, entry.key)
        exported = library.get(f"/api/v1/records/{record_id}/citation?format={fmt}")
        assert exported.status_code == 200, exported.get_data(as_text=True)
        assert parse(exported.get_data(as_text=True), fmt) == [entry]
    # A search's results too: the whole library in one file, read back entry for entry.
    file = library.get(f"/api/v1/export?q=kind:bibliography&format={fmt}&sort=date_asc")
    assert file.status_code == 200
    back = {e.key: e for e in parse(file.get_data(as_text=True), fmt)}
    assert all(back[e.key] == e for e in ENTRIES)


def test_real_files_with_chinese_and_russian_authors_import(library: FlaskClient) -> None:
    record = library.get(f"/api/v1/records/{_record_id(library, 'zhangkun1994')}").get_json()
    entry = BibEntry.from_json(record["attributes"]["entry"])
    # Chinese names written whole ("张昆", no comma) stay whole: BibTeX cannot tell surname from given name.
    assert entry.authors == (
        Name(family="张昆"),
        Name(family="冯立群"),
        Name(family="余昌钰"),
        Name(literal="others"),  # BibTeX's "and others": et al.
    )
    assert entry.title == "机器人柔性手腕的球面齿轮设计研究" and entry.issued[:1] == (1994,)


def test_searching_bibliography_by_crime_type_and_country_uses_the_law_facets(library: FlaskClient) -> None:
    body = library.get(
        "/api/v1/search?q=kind:bibliography crime:money_laundering&facet=country&facet=crime_type"
    ).get_json()
    keys = sorted(h["id"].rsplit("-", 1)[-1] for h in body["hits"])
    assert keys == ["alsaud2020", "wang2019"]
    countries = {b["value"]: b["count"] for b in body["facets"]["country"]}
    assert countries == {"CN": 1, "SA": 1}
    china = library.get("/api/v1/search?q=crime:money_laundering&country=CN&kind=bibliography").get_json()
    assert [h["id"] for h in china["hits"]] == [_record_id(library, "wang2019")]
    # An entry about two countries is found under each.
    for code in ("FR", "ES"):
        found = library.get(f"/api/v1/search?q=kind:bibliography country:{code}").get_json()
        assert [h["id"] for h in found["hits"]] == [_record_id(library, "unodc-tip-toolkit")]
    # Its declared crime type implies the convention articles, as a law's does.
    toolkit = library.get(f"/api/v1/records/{_record_id(library, 'unodc-tip-toolkit')}").get_json()
    tags = {(t["scheme"], t["value"]) for t in toolkit["tags"]}
    assert ("crime_type", "trafficking_in_persons") in tags
    assert any(scheme == "instrument_article" and value.startswith("TIP") for scheme, value in tags)


def test_a_malformed_file_is_reported_line_by_line_and_imports_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = dump(ENTRIES[:1], "bibtex")
    (folder / "broken.bib").write_text(good + "\n@book{broken,\n  title = {Unclosed\n", encoding="utf-8")
    (folder / "broken.ris").write_text("TY  - BOOK\nTI  - No end\nXX bad line\n", encoding="utf-8")
    report = ingest_into(settings, [folder])
    failed = {Path(o.path).name: o.message or "" for o in report.outcomes if o.status == "failed"}
    assert set(failed) == {"broken.bib", "broken.ris"}
    assert "line" in failed["broken.bib"] and "nothing imported" in failed["broken.bib"]
    assert "line 1" in failed["broken.ris"] and "ER" in failed["broken.ris"]
    assert report.records == 0  # not even the good entry before the broken one


def test_demo_bibliography_treaties_strategy_and_policy_documents(client: FlaskClient) -> None:
    kinds = client.get("/api/v1/search?q=&facet=kind").get_json()["facets"]["kind"]
    counts = {b["value"]: b["count"] for b in kinds}
    assert counts["bibliography"] == 48 and counts["policy_document"] == 5 and counts["strategy"] == 1
    assert counts["treaty"] == 7
    # A seed entry keeps only what its document states: a sales number, no invented year or ISBN.
    toolkit = [
        h
        for h in client.get("/api/v1/search?q=kind:bibliography 打击贩运人口活动工具包").get_json()["hits"]
        if "工具包" in h["title"]
    ]
    entry = BibEntry.from_json(
        client.get(f"/api/v1/records/{toolkit[0]['id']}").get_json()["attributes"]["entry"]
    )
    assert entry.un_sales_number == "E.08.V.14" and entry.isbn is None
    cited = client.get(f"/api/v1/records/{toolkit[0]['id']}/citation").get_data(as_text=True)
    assert "E.08.V.14" in cited


@pytest.mark.parametrize(
    ("boe", "parties", "signed", "subject"),
    [
        ("boe-a-1971-1178", ["ES", "US"], "1970-05-29", "extradition"),
        ("boe-a-1980-12240", ["ES", "MX"], "1978-11-21", "mutual_legal_assistance"),
        ("boe-a-1986-10500", ["ES", "GB"], "1985-07-22", "extradition"),
        ("boe-a-1995-606", ["ES", "CL"], "1992-04-14", "mutual_legal_assistance"),
        ("boe-a-2009-15671", ["ES", "MA"], "2009-06-24", "extradition"),
        ("boe-a-1982-23564", ["ES"], "1959-04-20", "mutual_legal_assistance"),
    ],
)
def test_spanish_extradition_and_assistance_agreements_are_treaties(
    client: FlaskClient, boe: str, parties: list[str], signed: str, subject: str
) -> None:
    record = client.get(f"/api/v1/records/es-treaty-{boe}").get_json()
    treaty = record["attributes"]["treaty"]
    assert record["kind"] == "treaty"
    assert (treaty["parties"], treaty["signed"]) == (parties, signed) and subject in treaty["subjects"]
    assert ("cross_cutting", subject) in {(t["scheme"], t["value"]) for t in record["tags"]}
    other = [p for p in parties if p != "ES"]
    if other:  # found under the other party's country too
        hits = client.get(f"/api/v1/search?q=kind:treaty country:{other[0]}").get_json()["hits"]
        assert f"es-treaty-{boe}" in [h["id"] for h in hits]
    ris = client.get(f"/api/v1/records/es-treaty-{boe}/citation?format=ris").get_data(as_text=True)
    assert f"DA  - {signed.replace('-', '/')}" in ris


def test_every_treaty_in_the_shared_spanish_corpus(tmp_path: Path) -> None:
    folder = shared(SHARED_CORPORA / "es-es-laws-legalize-es" / "es")
    treaties = [
        p
        for p in folder.glob("*.md")
        if 'rank: "acuerdo_internacional"' in p.read_text(encoding="utf-8")[:2000]
    ]
    assert len(treaties) == 32
    settings = Settings(data_dir=tmp_path / "data", secret_key="test")
    assert ingest_into(settings, treaties).count("failed") == 0
    app = create_app(settings)
    found = app.test_client().get("/api/v1/search?q=kind:treaty&page_size=100").get_json()
    assert found["total"] == 32
    extradition = (
        app.test_client().get("/api/v1/search?q=kind:treaty issue:extradition&page_size=100").get_json()
    )
    for hit in extradition["hits"]:
        treaty = app.test_client().get(f"/api/v1/records/{hit['id']}").get_json()["attributes"]["treaty"]
        assert treaty["signed"] and "ES" in treaty["parties"], hit["id"]
        assert len(treaty["parties"]) == (2 if treaty["kind"] == "bilateral" else 1), hit["id"]
    assert extradition["total"] >= 15
    app.extensions["sherloc"].engine.dispose()


def test_csl_json_seed_file_is_valid_and_states_its_sources() -> None:
    seed = Path(__file__).parent.parent / "corpus" / "bibliography" / "un-ctoc-documents.json"
    entries = parse(seed.read_text(encoding="utf-8"), "csl-json")
    assert len(entries) == 48
    raw = json.loads(seed.read_text(encoding="utf-8"))
    assert all(item.get("note") for item in raw)  # where each fact is stated
    assert not any(e.isbn for e in entries)  # none of the documents states an ISBN


def test_treaty_articles_are_not_counted_as_a_countrys_own_legislation(client: FlaskClient) -> None:
    # The matrix and profiles show how a country's law implements the convention; a treaty's articles
    # (Spain's extradition treaties under UNTOC 16) are the treaty's, listed with the treaties.
    cell = client.get("/api/v1/matrix/cell?article=UNTOC%2016&country=ES").get_json()
    assert not any("-treaty-" in p["id"] for p in cell["provisions"])
    within_treaties = client.get(
        '/api/v1/search?q=article:"UNTOC 16" country:ES parent_kind:treaty'
    ).get_json()
    assert within_treaties["total"] > 0  # they are there, and searchable
    profile = client.get("/api/v1/countries/ES/profile").get_json()
    assert profile["treaties"]


def test_keys_that_fold_alike_are_refused_and_a_record_id_keeps_out_of_countries(
    tmp_path: Path, settings: Settings
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    twins = [
        dataclasses.replace(ENTRIES[0], key="Smith2020"),
        dataclasses.replace(ENTRIES[1], key="smith2020"),
    ]
    (folder / "twins.bib").write_text(dump(twins, "bibtex"), encoding="utf-8")
    (folder / "one.json").write_text(dump(ENTRIES[:1], "csl-json"), encoding="utf-8")
    report = ingest_into(settings, [folder])
    failed = {Path(o.path).name: o.message or "" for o in report.outcomes if o.status == "failed"}
    assert "differ only in case or punctuation" in failed["twins.bib"]
    app = create_app(settings)
    # An entry's id does not carry its countries, so editing them keeps its URL.
    assert app.test_client().get("/api/v1/records/xx-bibliography-wang2019").status_code == 200
    app.extensions["sherloc"].engine.dispose()


def test_a_treaty_counts_on_the_map_and_profile_of_every_party(client: FlaskClient) -> None:
    facets = {
        b["value"]: b["count"]
        for b in client.get("/api/v1/facets?facet=kind&country=MX").get_json()["facets"]["kind"]
    }
    assert facets.get("treaty") == 1
    assert client.get("/api/v1/countries/MX").get_json()["records"] == facets
    assert client.get("/api/v1/countries/MX/profile").get_json()["records"] == facets
