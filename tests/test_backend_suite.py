"""The backend test suite: the same behaviour asked of every search engine.

Runs on the embedded engine always, and on Elasticsearch when SHERLOC_ES_URL names a server. The
documents are excerpts of real provisions (PRC Criminal Law, French Code pénal, Spanish Código Penal);
one test document carries markup to prove snippets are escaped.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sherloc.search.base import IndexDocument, SearchBackend, SearchRequest, SearchUnavailable
from sherloc.search.query import parse_query

CN_191 = (
    "为掩饰、隐瞒毒品犯罪、黑社会性质的组织犯罪、恐怖活动犯罪、走私犯罪、贪污贿赂犯罪、破坏金融管理秩序犯罪、"
    "金融诈骗犯罪的所得及其产生的收益的来源和性质，有下列行为之一的，没收实施以上犯罪的所得及其产生的收益，"
    "处五年以下有期徒刑或者拘役，并处或者单处罚金"
)
CN_347 = "走私、贩卖、运输、制造毒品，无论数量多少，都应当追究刑事责任，予以刑事处罚。"
FR_324_1 = (
    "Le blanchiment est le fait de faciliter, par tout moyen, la justification mensongère de l'origine des "
    "biens ou des revenus de l'auteur d'un crime ou d'un délit ayant procuré à celui-ci un profit direct ou "
    "indirect. Le blanchiment est puni de cinq ans d'emprisonnement et de 375 000 euros d'amende."
)
FR_222_34 = (
    "Le fait de diriger ou d'organiser un groupement ayant pour objet la production, la fabrication, "
    "l'importation, l'exportation, le transport, la détention, l'offre, la cession, l'acquisition "
    "ou l'emploi illicites de stupéfiants est puni de la réclusion criminelle à perpétuité."
)
ES_301 = (
    "El que adquiera, posea, utilice, convierta, o transmita bienes, sabiendo que éstos tienen su origen "
    "en una actividad delictiva, cometida por él o por cualquiera tercera persona, o realice cualquier otro "
    "acto para ocultar o encubrir su origen ilícito, será castigado con la pena de prisión de seis meses "
    "a seis años."
)


def _doc(**kw: object) -> IndexDocument:
    return IndexDocument(**kw)  # type: ignore[arg-type]


DOCUMENTS = [
    _doc(
        id="cn-law-刑法",
        kind="law",
        title="中华人民共和国刑法",
        text="1979年7月1日 第五届全国人民代表大会第二次会议通过",
        language="zh",
        country="CN",
        region="asia",
        date=dt.date(2023, 12, 29),
    ),
    _doc(
        id="cn-law-刑法-art-191",
        kind="provision",
        title="中华人民共和国刑法, 第一百九十一条",
        text=CN_191,
        language="zh",
        country="CN",
        region="asia",
        parent_id="cn-law-刑法",
        parent_title="中华人民共和国刑法",
        label="第一百九十一条",
        number="191",
        heading="洗钱罪",
        path=("第二编 分则", "第三章 破坏社会主义市场经济秩序罪", "第四节 破坏金融管理秩序罪"),
        date=dt.date(2023, 12, 29),
        position=200,
    ),
    _doc(
        id="cn-law-刑法-art-347",
        kind="provision",
        title="中华人民共和国刑法, 第三百四十七条",
        text=CN_347,
        language="zh",
        country="CN",
        region="asia",
        parent_id="cn-law-刑法",
        parent_title="中华人民共和国刑法",
        label="第三百四十七条",
        number="347",
        heading="走私、贩卖、运输、制造毒品罪",
        date=dt.date(2023, 12, 29),
        position=400,
    ),
    _doc(
        id="fr-law-legitext000006070719-art-324-1",
        kind="provision",
        title="Code pénal, Article 324-1",
        text=FR_324_1,
        language="fr",
        country="FR",
        region="europe",
        parent_id="fr-law-legitext000006070719",
        parent_title="Code pénal",
        label="Article 324-1",
        number="324-1",
        path=("Livre III : Des crimes et délits contre les biens", "Chapitre IV : Du blanchiment"),
        date=dt.date(2026, 4, 2),
        position=10,
    ),
    _doc(
        id="fr-law-legitext000006070719-art-222-34",
        kind="provision",
        title="Code pénal, Article 222-34",
        text=FR_222_34,
        language="fr",
        country="FR",
        region="europe",
        parent_id="fr-law-legitext000006070719",
        parent_title="Code pénal",
        label="Article 222-34",
        number="222-34",
        date=dt.date(2026, 4, 2),
        position=5,
    ),
    _doc(
        id="es-law-boe-a-1995-25444-art-301",
        kind="provision",
        title="Código Penal, Artículo 301.",
        text=ES_301,
        language="es",
        country="ES",
        region="europe",
        parent_id="es-law-boe-a-1995-25444",
        parent_title="Código Penal",
        label="Artículo 301.",
        number="301",
        date=dt.date(2026, 4, 9),
        position=20,
    ),
    _doc(
        id="xx-test-markup",
        kind="decision",
        title="<b>Markup</b> test",
        text="blanchiment <script>alert(1)</script>",
        language="fr",
        country="BE",
        region="europe",
        date=dt.date(2001, 1, 1),
    ),
]


def _backends() -> list[str]:
    names = ["embedded"]
    if os.environ.get("SHERLOC_ES_URL"):
        names.append("elasticsearch")
    return names


@pytest.fixture(params=_backends())
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    from sherloc.search.backends import make_backend
    from sherloc.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        search_backend=request.param,
        es_url=os.environ.get("SHERLOC_ES_URL", ""),
        es_index_prefix=f"sherloc-test-{os.getpid()}",
    )
    engine = make_backend(settings)
    engine.rebuild(DOCUMENTS)
    yield engine
    engine.close()


def search(backend: SearchBackend, q: str, **kw: object) -> list[str]:
    result = backend.search(SearchRequest(query=parse_query(q), **kw))  # type: ignore[arg-type]
    return [h.id for h in result.hits]


def test_chinese_word_matches_as_characters_in_sequence(backend: SearchBackend) -> None:
    assert search(backend, "洗钱") == ["cn-law-刑法-art-191"]  # from the heading 洗钱罪
    assert set(search(backend, "毒品")) == {"cn-law-刑法-art-191", "cn-law-刑法-art-347"}
    assert search(backend, "钱洗") == []  # characters out of order are not the word


def test_french_is_stemmed_and_accent_folded(backend: SearchBackend) -> None:
    assert set(search(backend, "blanchir")) == {"fr-law-legitext000006070719-art-324-1", "xx-test-markup"}
    assert "fr-law-legitext000006070719-art-324-1" in search(backend, "mensongere")


def test_spanish_is_stemmed(backend: SearchBackend) -> None:
    assert search(backend, "ocultó") == ["es-law-boe-a-1995-25444-art-301"]


def test_words_are_anded_by_default_and_or_widens(backend: SearchBackend) -> None:
    assert search(backend, "blanchiment emprisonnement") == ["fr-law-legitext000006070719-art-324-1"]
    assert set(search(backend, "stupéfiants OR adquiera")) == {
        "fr-law-legitext000006070719-art-222-34",
        "es-law-boe-a-1995-25444-art-301",
    }


def test_not_excludes(backend: SearchBackend) -> None:
    assert search(backend, "blanchiment NOT emprisonnement") == ["xx-test-markup"]


def test_phrase_is_exact(backend: SearchBackend) -> None:
    assert search(backend, '"justification mensongère"') == ["fr-law-legitext000006070719-art-324-1"]
    assert search(backend, '"mensongère justification"') == []


def test_prefix(backend: SearchBackend) -> None:
    assert "fr-law-legitext000006070719-art-222-34" in search(backend, "stupéf*")
    hit = backend.search(SearchRequest(query=parse_query("stupéf*"))).hits[0]
    assert "<mark>stupéfiants</mark>" in hit.snippet


def test_article_numbers_in_any_notation(backend: SearchBackend) -> None:
    assert search(backend, "第一百九十一条")[0] == "cn-law-刑法-art-191"
    assert search(backend, "第191条")[0] == "cn-law-刑法-art-191"
    assert search(backend, "324-1")[0] == "fr-law-legitext000006070719-art-324-1"


def test_field_filters_in_the_query(backend: SearchBackend) -> None:
    assert set(search(backend, "country:fr")) == {
        "fr-law-legitext000006070719-art-222-34",
        "fr-law-legitext000006070719-art-324-1",
    }
    assert search(backend, "毒品 kind:law") == []


def test_multi_select_facets(backend: SearchBackend) -> None:
    request = SearchRequest(filters={"country": ("FR",)}, facets=("country", "kind"))
    result = backend.search(request)
    assert result.total == 2
    countries = {b.value: b.count for b in result.facets["country"]}
    # Choosing FR does not shrink the country facet: the other countries stay, with their counts.
    assert countries == {"CN": 3, "FR": 2, "ES": 1, "BE": 1}
    assert [b.value for b in result.facets["country"] if b.selected] == ["FR"]
    # ...but it narrows the other facets.
    assert {b.value: b.count for b in result.facets["kind"]} == {"provision": 2}


def test_filters_or_within_a_field_and_across_fields(backend: SearchBackend) -> None:
    request = SearchRequest(filters={"country": ("FR", "ES"), "kind": ("provision",)})
    assert backend.search(request).total == 3


def test_sort_by_date_and_paging(backend: SearchBackend) -> None:
    ids = [h.id for h in backend.search(SearchRequest(sort="date_asc", page_size=3)).hits]
    assert ids[0] == "xx-test-markup"
    page2 = backend.search(SearchRequest(sort="date_asc", page_size=3, page=2))
    assert page2.total == len(DOCUMENTS)
    assert not set(ids) & {h.id for h in page2.hits}


def test_snippets_are_escaped_and_highlighted(backend: SearchBackend) -> None:
    hit = next(
        h
        for h in backend.search(SearchRequest(query=parse_query("blanchiment"))).hits
        if h.id == "xx-test-markup"
    )
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>blanchiment</mark>" in hit.snippet
    zh = backend.search(SearchRequest(query=parse_query("毒品"))).hits[0]
    assert "<mark>毒品</mark>" in zh.snippet  # one mark for the word, not one per character


def test_hits_carry_identity_titles_numbers(backend: SearchBackend) -> None:
    hit = backend.search(SearchRequest(query=parse_query("洗钱"))).hits[0]
    assert (hit.id, hit.kind, hit.number, hit.label, hit.heading) == (
        "cn-law-刑法-art-191",
        "provision",
        "191",
        "第一百九十一条",
        "洗钱罪",
    )
    assert hit.parent_id == "cn-law-刑法" and hit.parent_title == "中华人民共和国刑法"
    assert hit.country == "CN" and hit.language == "zh" and hit.date == dt.date(2023, 12, 29)


def test_upsert_replaces_and_delete_removes(backend: SearchBackend) -> None:
    changed = _doc(id="xx-test-markup", kind="decision", title="Changed", text="contrebande", language="fr")
    backend.upsert([changed])
    assert search(backend, "contrebande") == ["xx-test-markup"]
    assert "xx-test-markup" not in search(backend, "blanchiment")
    assert backend.count() == len(DOCUMENTS)
    backend.delete(["xx-test-markup"])
    assert search(backend, "contrebande") == []
    assert backend.count() == len(DOCUMENTS) - 1


def test_rebuild_switches_to_the_new_index(backend: SearchBackend) -> None:
    backend.rebuild(DOCUMENTS[:2])
    assert backend.count() == 2
    assert search(backend, "blanchiment") == []


def test_searches_are_answered_from_the_old_index_while_a_rebuild_runs(backend: SearchBackend) -> None:
    """Zero downtime: the index being rebuilt is invisible until it is complete, then replaces the old one
    at once."""
    during: list[list[str]] = []

    def documents() -> Iterator[IndexDocument]:
        for doc in DOCUMENTS[:2]:
            during.append(search(backend, "blanchiment"))
            yield doc

    backend.rebuild(documents())
    old_answer = {"fr-law-legitext000006070719-art-324-1", "xx-test-markup"}
    assert len(during) == 2 and all(set(ids) == old_answer for ids in during)
    assert backend.count() == 2 and search(backend, "blanchiment") == []


def test_year_and_date_ranges(backend: SearchBackend) -> None:
    assert search(backend, "year:2001") == ["xx-test-markup"]
    assert set(search(backend, "date:2026-01-01..2026-12-31")) == {
        "fr-law-legitext000006070719-art-324-1",
        "fr-law-legitext000006070719-art-222-34",
        "es-law-boe-a-1995-25444-art-301",
    }


def test_an_empty_index_folder_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    from sherloc.search.embedded import EmbeddedBackend

    with pytest.raises(SearchUnavailable):
        EmbeddedBackend(tmp_path / "none").search(SearchRequest())


def test_a_missing_build_is_unavailable_and_nothing_is_created(tmp_path: Path) -> None:
    from sherloc.search.embedded import SCHEMA_VERSION, EmbeddedBackend

    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "CURRENT").write_text(f"v{SCHEMA_VERSION}-missing\n")
    with pytest.raises(SearchUnavailable):
        EmbeddedBackend(tmp_path / "idx").search(SearchRequest())
    assert not (tmp_path / "idx" / f"v{SCHEMA_VERSION}-missing").exists()


def test_an_index_of_another_schema_version_is_refused_until_rebuilt(tmp_path: Path) -> None:
    from sherloc.search.embedded import EmbeddedBackend

    backend = EmbeddedBackend(tmp_path / "idx")
    assert backend.state() == "missing"
    backend.rebuild(DOCUMENTS[:2])
    assert backend.state() == "current"
    (tmp_path / "idx" / "CURRENT").write_text("v1-20250101T000000000000-1\n")  # as version 1 named it
    assert backend.state() == "outdated"
    for attempt in (
        lambda: backend.search(SearchRequest()),
        lambda: backend.upsert(DOCUMENTS[:1]),
        lambda: backend.delete([DOCUMENTS[0].id]),
    ):
        with pytest.raises(SearchUnavailable, match="index rebuild"):
            attempt()
    assert backend.rebuild(DOCUMENTS) == len(DOCUMENTS)
    assert backend.state() == "current" and backend.count() == len(DOCUMENTS)


@pytest.mark.parametrize(
    ("language", "text", "query"),
    [
        ("it", "Chiunque sostituisce o trasferisce denaro: riciclaggi e reimpieghi.", "riciclaggio"),
        ("nl", "Schuldig aan witwassen wordt gestraft; de witwassers worden vervolgd.", "witwasser"),
    ],
)
def test_italian_and_dutch_are_stemmed(tmp_path: Path, language: str, text: str, query: str) -> None:
    from sherloc.search.embedded import EmbeddedBackend

    backend = EmbeddedBackend(tmp_path / "idx")
    backend.rebuild([_doc(id=f"{language}-1", kind="provision", title="t", text=text, language=language)])
    assert search(backend, query) == [f"{language}-1"]


def test_a_word_with_nothing_to_search_is_dropped_not_matched(backend: SearchBackend) -> None:
    assert backend.search(SearchRequest(query=parse_query("§"))).total == len(DOCUMENTS)
    assert set(search(backend, "§ blanchiment")) == set(search(backend, "blanchiment"))
    assert set(search(backend, "blanchiment NOT …")) == set(search(backend, "blanchiment"))


@pytest.mark.parametrize("sort", ["date_asc", "date_desc"])
def test_after_continues_a_date_sort_where_the_last_page_ended(backend: SearchBackend, sort: str) -> None:
    everything = backend.search(SearchRequest(sort=sort, page_size=100)).hits
    keys = [h.sort_key for h in everything]
    assert None not in keys and len(set(keys)) == len(keys)  # a total order: the tie-breaker is built in
    assert keys == sorted(keys, reverse=sort == "date_desc")
    pages, after = [], None
    while True:
        result = backend.search(SearchRequest(sort=sort, page_size=2, after=after))
        assert result.total == len(DOCUMENTS)
        if not result.hits:
            break
        pages.extend(h.id for h in result.hits)
        after = result.hits[-1].sort_key
    assert pages == [h.id for h in everything]


def test_a_law_comes_before_its_provisions_on_the_same_day(backend: SearchBackend) -> None:
    ids = [h.id for h in backend.search(SearchRequest(sort="date_desc", filters={"country": ("CN",)})).hits]
    assert ids.index("cn-law-刑法") < ids.index("cn-law-刑法-art-191")


def test_interleave_gives_each_language_a_turn(backend: SearchBackend) -> None:
    query = parse_query("blanchiment OR 毒品 OR adquiera OR stupéfiants")
    plain = backend.search(SearchRequest(query=query))
    mixed = backend.search(SearchRequest(query=query, interleave="language", page_size=3))
    assert mixed.total == plain.total
    assert sorted(h.language or "" for h in mixed.hits) == ["es", "fr", "zh"]  # one each, then round two
    rest = backend.search(SearchRequest(query=query, interleave="language", page_size=3, page=2))
    assert {h.id for h in mixed.hits} | {h.id for h in rest.hits} == {h.id for h in plain.hits}


def test_a_term_bound_to_a_language_matches_only_there(backend: SearchBackend) -> None:
    from sherloc.search.query import Term

    def ids(term: Term) -> set[str]:
        return {h.id for h in backend.search(SearchRequest(query=term)).hits}

    assert ids(Term("blanchiment", language="fr")) == {
        "fr-law-legitext000006070719-art-324-1",
        "xx-test-markup",
    }
    assert ids(Term("blanchiment", language="es")) == set()
    assert ids(Term("毒品", language="zh")) == {"cn-law-刑法-art-191", "cn-law-刑法-art-347"}


def test_region_facet_and_filter(backend: SearchBackend) -> None:
    result = backend.search(SearchRequest(filters={"region": ("asia",)}, facets=("region",)))
    assert {h.country for h in result.hits} == {"CN"}
    assert {b.value: b.count for b in result.facets["region"]} == {"asia": 3, "europe": 4}


def test_interleave_keeps_records_without_a_value_of_the_field(backend: SearchBackend) -> None:
    backend.upsert([_doc(id="xx-no-language", kind="decision", title="t", text="blanchiment et stupéfiants")])
    query = parse_query("blanchiment OR 毒品")
    plain = {h.id for h in backend.search(SearchRequest(query=query, page_size=100)).hits}
    mixed = backend.search(SearchRequest(query=query, interleave="language", page_size=100))
    assert "xx-no-language" in plain and {h.id for h in mixed.hits} == plain
    assert mixed.total == len(plain)


def test_subdivisions_filter_and_count_under_their_country(backend: SearchBackend) -> None:
    catalan = _doc(
        id="es-law-dogc-1",
        kind="law",
        title="Llei",
        text="blanqueig",
        language="es",
        country="ES",
        subdivision="es-ct",
    )
    backend.upsert([catalan])
    result = backend.search(
        SearchRequest(filters={"subdivision": ("ES-CT",)}, facets=("subdivision", "country"))
    )
    assert [h.id for h in result.hits] == ["es-law-dogc-1"]
    assert {b.value: b.count for b in result.facets["subdivision"]} == {"ES-CT": 1}
    assert search(backend, "subdivision:es-ct") == ["es-law-dogc-1"]
