"""GET /api/v1/export: a search's records as CSV or JSON lines, streamed, bounded, safe in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sherloc.search.base import Hit, IndexDocument, SearchRequest, SearchResult
from sherloc.search.embedded import EmbeddedBackend
from sherloc.services.export import (
    BOM,
    COLUMNS,
    EXPORT_LIMIT,
    csv_cell,
    csv_chunks,
    jsonl_chunks,
    start_export,
)
from sherloc.services.search import SearchParams

URL = "/api/v1/export"


def _export(client: FlaskClient, **args: object) -> TestResponse:
    response = client.get(URL, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def _csv_rows(response: TestResponse) -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _search_ids(client: FlaskClient, **args: object) -> list[str]:
    body = client.get("/api/v1/search", query_string={"page_size": 100, **args}).get_json()
    return [hit["id"] for hit in body["hits"]]


def test_csv_has_a_header_row_and_the_search_results_in_order(client: FlaskClient) -> None:
    response = _export(client, q="blanchiment", country="FR", limit=50)
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="sherloc-export-') and disposition.endswith('.csv"')
    assert response.get_data().startswith(BOM.encode("utf-8"))  # so that Excel reads UTF-8
    rows = _csv_rows(response)
    assert rows[0] == list(COLUMNS)
    records = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    expected = _search_ids(client, q="blanchiment", country="FR", sort="date_desc")[:50]
    assert [r["id"] for r in records] == expected
    article = next(r for r in records if r["id"] == "fr-law-legitext000006070719-art-324-1")
    assert article["kind"] == "provision" and article["country"] == "FR" and article["language"] == "fr"
    assert article["number"] == "324-1" and article["law_id"] == "fr-law-legitext000006070719"
    assert article["url"] == "http://localhost/records/fr-law-legitext000006070719-art-324-1"
    assert "money_laundering" in article["crime_types"].split("; ")
    assert "UNTOC 6" in article["instrument_articles"].split("; ")
    assert response.headers["X-Total-Count"] == str(len(_all_ids(client, q="blanchiment", country="FR")))


def _all_ids(client: FlaskClient, **args: object) -> list[str]:
    ids, cursor = [], None
    while True:
        query = {"sort": "date_desc", "facet": "kind", **args, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/search", query_string={"page_size": 100, **query}).get_json()
        ids += [hit["id"] for hit in body["hits"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def test_jsonl_has_one_object_per_line_with_lists_as_arrays(client: FlaskClient) -> None:
    response = _export(client, q="洗钱", format="jsonl", limit=30, sort="date_asc")
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Content-Disposition"].endswith('.jsonl"')
    text = response.get_data(as_text=True)
    assert text.endswith("\n") and not text.startswith(BOM)
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == 30 and all(list(row) == list(COLUMNS) for row in rows)
    assert [r["id"] for r in rows] == _search_ids(client, q="洗钱", sort="date_asc")[:30]
    assert all(isinstance(r["crime_types"], list) for r in rows)
    assert any("money_laundering" in r["crime_types"] for r in rows)
    dated = [r["date"] for r in rows if r["date"]]
    assert dated == sorted(dated)


def test_the_whole_corpus_is_exported_once_each_by_keyset(client: FlaskClient) -> None:
    response = _export(client, format="jsonl")  # no query: every record, past the first pages
    ids = [json.loads(line)["id"] for line in response.get_data(as_text=True).splitlines()]
    total = int(response.headers["X-Total-Count"])
    assert 1000 < total < EXPORT_LIMIT
    assert len(ids) == len(set(ids)) == total
    assert response.headers["X-Export-Truncated"] == "false"
    assert ids == _all_ids(client)


def test_the_bound_is_respected_and_said(client: FlaskClient) -> None:
    response = _export(client, limit=7)
    assert len(_csv_rows(response)) == 1 + 7
    assert response.headers["X-Export-Limit"] == "7"
    assert response.headers["X-Export-Truncated"] == "true"
    assert int(response.headers["X-Total-Count"]) > 7
    by_relevance = _export(client, q="pena", sort="relevance", limit=150, format="jsonl")
    ids = [json.loads(line)["id"] for line in by_relevance.get_data(as_text=True).splitlines()]
    assert len(ids) == len(set(ids)) == 150
    assert ids[:100] == _search_ids(client, q="pena", sort="relevance")  # the search's own ranking


def test_the_file_is_streamed(client: FlaskClient) -> None:
    response = client.get(URL, query_string={"limit": 500}, buffered=False)
    assert response.status_code == 200 and response.is_streamed
    assert not isinstance(response.response, list | tuple | bytes | str)  # an iterator, not a body
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    assert len(chunks) > 2  # the header row first, then a chunk per page
    assert chunks[0].decode("utf-8-sig").startswith("id,kind,")


def test_without_a_byte_order_mark(client: FlaskClient) -> None:
    assert _export(client, limit=1, bom="false").get_data().startswith(b"id,kind,")


@pytest.mark.parametrize(
    "args",
    [
        {"format": "xlsx"},
        {"limit": 0},
        {"limit": EXPORT_LIMIT + 1},
        {"limit": "many"},
        {"sort": "random"},
        {"facet": "kind"},  # an export counts no facets
        {"page": 2},  # nor pages: it is the whole result, up to the limit
        {"q": '"unclosed'},
        {"year": "soon"},
        {"bom": "perhaps"},
    ],
)
def test_bad_arguments_are_a_400_envelope(client: FlaskClient, args: dict[str, object]) -> None:
    response = client.get(URL, query_string=args)
    assert response.status_code == 400 and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == 400 and error["message"] and error["details"]


# -- the service, without the web layer ---------------------------------------------------------------


def _hit(**values: object) -> Hit:
    defaults: dict[str, object] = {"id": "x-1", "kind": "provision", "score": 0.0, "title": "A title"}
    return Hit(**{**defaults, **values})  # type: ignore[arg-type]


def _parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def test_commas_quotes_and_line_breaks_survive_a_round_trip() -> None:
    hit = _hit(
        title='Ley 10/2010, de 28 de abril, "de prevención"',
        heading="line one\nline two\r\nline three",
        label="Art. 1; 2",
        date=dt.date(2010, 4, 28),
        tags={"crime_type": ["money_laundering", "corruption"], "instrument_article": ["UNTOC 6"]},
    )
    text = "".join(csv_chunks([hit], lambda i: f"https://portal.example/records/{i}"))
    assert '"Ley 10/2010, de 28 de abril, ""de prevención"""' in text
    (row,) = _parse_csv(text)
    assert row["title"] == 'Ley 10/2010, de 28 de abril, "de prevención"'
    assert row["heading"] == "line one\nline two\r\nline three"
    assert row["label"] == "Art. 1; 2" and row["date"] == "2010-04-28"
    assert row["crime_types"] == "money_laundering; corruption" and row["instrument_articles"] == "UNTOC 6"
    assert row["cross_cutting"] == "" and row["law_id"] == "" and row["url"].endswith("/records/x-1")
    assert text.count("\r\n") >= 2  # RFC 4180 line ends


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil","click")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value: str) -> None:
    assert csv_cell(value) == "'" + value
    (row,) = _parse_csv("".join(csv_chunks([_hit(title=value, heading=value)], str)))
    assert row["title"] == row["heading"] == "'" + value


def test_ordinary_cells_are_left_as_they_are() -> None:
    for value in ("324-1", "第一百九十一条", "Статья 174.1", "a = b", "2010-04-28", "'quoted'"):
        assert csv_cell(value) == value
    assert csv_cell(None) == "" and csv_cell(["a", "b"]) == "a; b"


def test_jsonl_keeps_values_as_they_are() -> None:
    hit = _hit(title="=1+1", heading="a\nb", tags={"cross_cutting": ["jurisdiction"]})
    (line,) = "".join(jsonl_chunks([hit], str)).splitlines()
    row = json.loads(line)
    assert row["title"] == "=1+1" and row["heading"] == "a\nb" and row["cross_cutting"] == ["jurisdiction"]


class RecordingBackend:
    """The embedded engine over `size` real index documents (r-0000 the newest), recording each request."""

    def __init__(self, path: Path, size: int) -> None:
        self.engine = EmbeddedBackend(path)
        newest = dt.date(2026, 1, 1)
        self.engine.rebuild(
            IndexDocument(
                id=f"r-{k:04d}",
                kind="decision",
                title=f"Decision {k}",
                text="blanchiment",
                language="fr",
                country="FR",
                date=newest - dt.timedelta(days=k),
            )
            for k in range(size)
        )
        self.requests: list[SearchRequest] = []

    def search(self, request: SearchRequest) -> SearchResult:
        self.requests.append(request)
        return self.engine.search(request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


def _ids(*ks: int) -> list[str]:
    return [f"r-{k:04d}" for k in ks]


def test_pages_are_searched_as_they_are_read_and_not_beyond_the_limit(tmp_path: Path) -> None:
    backend = RecordingBackend(tmp_path, size=1234)
    export = start_export(backend, SearchParams(sort="date_desc"), limit=250)  # type: ignore[arg-type]
    assert len(backend.requests) == 1  # the first page, before the response starts
    first = backend.requests[0]
    assert first.page_size == 100 and first.facets == () and first.highlight is False
    hits = list(export.hits)
    assert [hit.id for hit in hits] == _ids(*range(250))
    # Keyset paging: each next page continues after the last hit of the one before, not by offset.
    assert [r.after for r in backend.requests] == [None, hits[99].sort_key, hits[199].sort_key]
    assert all(r.page == 1 for r in backend.requests)
    assert export.total == 1234 and export.truncated


def test_a_small_export_is_one_small_page(tmp_path: Path) -> None:
    backend = RecordingBackend(tmp_path, size=40)
    export = start_export(backend, SearchParams(sort="date_asc"), limit=10)  # type: ignore[arg-type]
    assert [hit.id for hit in export.hits] == _ids(*range(39, 29, -1))  # the oldest first
    assert [r.page_size for r in backend.requests] == [10]
    everything = start_export(backend, SearchParams(sort="date_asc"))  # type: ignore[arg-type]
    assert len(list(everything.hits)) == 40 and not everything.truncated


def test_the_limit_is_checked(tmp_path: Path) -> None:
    for limit in (0, EXPORT_LIMIT + 1):
        with pytest.raises(ValueError, match="limit"):
            start_export(RecordingBackend(tmp_path / str(limit), size=1), SearchParams(), limit=limit)  # type: ignore[arg-type]
