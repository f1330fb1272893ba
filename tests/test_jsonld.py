"""schema.org JSON-LD of record pages, from a pure function: valid JSON, right @type, safe in <script>."""

from __future__ import annotations

import datetime as dt
import json

from sherloc.services.jsonld import RecordFacts, record_jsonld, script_body

LAW = RecordFacts(
    id="fr-law-legitext000006070719",
    kind="law",
    title="Code pénal",
    url="https://example.org/l/FR/law/legitext000006070719",
    country="FR",
    country_name="France",
    language="fr",
    date_adopted=dt.date(1992, 7, 22),
    date_amended=dt.date(2026, 4, 2),
    status="in_force",
)


def test_a_law_is_legislation_with_jurisdiction_dates_and_force() -> None:
    doc = record_jsonld(LAW)
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "Legislation"
    assert doc["legislationIdentifier"] == LAW.id and doc["legislationType"] == "law"
    assert doc["legislationJurisdiction"] == {"@type": "Country", "name": "France", "identifier": "FR"}
    assert doc["legislationDate"] == "1992-07-22" and doc["legislationDateVersion"] == "2026-04-02"
    assert doc["legislationLegalForce"] == "https://schema.org/InForce" and doc["inLanguage"] == "fr"


def test_a_provision_is_legislation_part_of_its_law() -> None:
    provision = RecordFacts(
        id=LAW.id + "-art-324-1",
        kind="provision",
        title="Code pénal, Article 324-1",
        label="Article 324-1",
        url=LAW.url + "-art-324-1",
        country="FR",
        parent=LAW,
        status="repealed",
    )
    doc = record_jsonld(provision)
    assert doc["@type"] == "Legislation" and doc["legislationType"] == "article"
    assert doc["isPartOf"]["@id"] == LAW.url and doc["isPartOf"]["@type"] == "Legislation"
    assert doc["alternateName"] == "Article 324-1"
    assert doc["legislationLegalForce"] == "https://schema.org/NotInForce"


def test_a_decision_is_a_creative_work_with_court_date_and_case_number() -> None:
    decision = RecordFacts(
        id="cn-decision-test_query-290",
        kind="decision",
        title="判决书",
        url="https://example.org/d",
        country="CN",
        date_decided=dt.date(2020, 5, 1),
        attributes={"court": "某人民法院", "case_number": "（2020）刑初1号", "charges": ["洗钱罪"]},
    )
    doc = record_jsonld(decision)
    assert doc["@type"] == "CreativeWork" and doc["genre"] == "court decision"
    assert doc["author"] == {"@type": "GovernmentOrganization", "name": "某人民法院"}
    assert doc["dateCreated"] == "2020-05-01" and "（2020）刑初1号" in doc["identifier"]
    assert doc["about"] == ["洗钱罪"]


def test_empty_fields_are_left_out() -> None:
    doc = record_jsonld(RecordFacts(id="x", kind="decision", title="t", url="u"))
    assert "author" not in doc and "dateCreated" not in doc and "spatialCoverage" not in doc


def test_script_body_cannot_close_the_script_element() -> None:
    hostile = RecordFacts(id="x", kind="law", title="</script><script>alert(1)</script> & <!--", url="u")
    body = script_body(record_jsonld(hostile))
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body)["name"] == "</script><script>alert(1)</script> & <!--"


def test_script_body_is_json_with_unicode_kept() -> None:
    body = script_body({"name": "刑法 \u2028 قانون"})
    assert "刑法" in body and "\u2028" not in body and json.loads(body) == {"name": "刑法 \u2028 قانون"}
