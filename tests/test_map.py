"""The world map page (/map): counts equal the search facet's, the join of countries to shapes, the colour
scale, and nothing loaded from outside the portal."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from sherloc.services import world_map
from sherloc.services.world_map import LOG_RATIO, Scale, choose_scale, join_shapes, shape_keys, use_log_scale
from sherloc.settings import REPO_ROOT
from sherloc.vocab.places import load_countries

COUNTRIES = load_countries(REPO_ROOT / "corpus" / "vocab")
MAP_DATA = re.compile(r"var data = (\{.*?\});\n", re.S)


def map_data(html: str) -> dict[str, dict[str, object]]:
    """The per-shape data the page's script colours the map with."""
    found = MAP_DATA.search(html)
    assert found, "no map data in the page"
    data: dict[str, dict[str, object]] = json.loads(found.group(1))
    return data


def shown_counts(html: str) -> dict[str, int]:
    """Country code -> count as the tooltips say it."""
    out = {}
    for entry in map_data(html).values():
        lines = entry["lines"]
        assert isinstance(lines, list)
        digits = re.sub(r"\D", "", lines[1]) if len(lines) > 1 else ""
        if digits:
            out[str(entry["code"])] = int(digits)
    return out


def facet_counts(client: FlaskClient, query: str) -> dict[str, int]:
    body = client.get(f"/api/v1/facets?facet=country&{query}").get_json()
    return {b["value"]: b["count"] for b in body["facets"]["country"]}


@pytest.mark.parametrize("lang", ["en", "ar", "zh"])
def test_the_map_renders_in_each_language(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/{lang}/map")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert 'id="map_world"' in html and "L.map(" in html
    france = next(e for e in map_data(html).values() if e["code"] == "FR")
    assert france["lines"][0] == COUNTRIES.get("FR").name(lang)  # type: ignore[union-attr,index]
    assert france["url"] == f"/{lang}/countries/FR"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "crime_type=money_laundering",
        "kind=provision",
        "crime_type=money_laundering&kind=provision",
        "q=blanchiment",
        "language=zh&year_from=2000&year_to=2030",
    ],
)
def test_counts_are_the_search_facet_counts(client: FlaskClient, query: str) -> None:
    html = client.get(f"/map?{query}").get_data(as_text=True)
    api_query = query.replace("year_from=2000&year_to=2030", "q=year:2000..2030")
    expected = facet_counts(client, api_query)
    assert expected, "the demo corpus has records for these filters"
    assert shown_counts(html) == expected


def test_a_filter_recolours_the_map(client: FlaskClient) -> None:
    unfiltered = client.get("/map").get_data(as_text=True)
    everything = {e["code"]: e["colour"] for e in map_data(unfiltered).values()}
    filtered = client.get("/map?crime_type=drug_trafficking").get_data(as_text=True)
    assert {e["code"]: e["colour"] for e in map_data(filtered).values()} != everything


def test_only_local_urls(client: FlaskClient) -> None:
    html = client.get("/map").get_data(as_text=True)
    assert not re.search(r"https?://", html), "the map page names an outside address"
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    for url in assets:
        assert url.startswith(("/", "?", "#")), url
    assert "/static/map/leaflet/leaflet.js" in assets and "/static/map/leaflet/leaflet.css" in assets
    geo = "/static/" + world_map.GEO_FILE  # fetched by the script
    for url in [u for u in assets if u.startswith("/static/")] + [geo]:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_every_country_of_the_store_has_a_shape(client: FlaskClient) -> None:
    stored = facet_counts(client, "")
    shapes = join_shapes(COUNTRIES, shape_keys())
    assert set(stored) <= set(shapes)
    assert shapes["AF"] == "004" and shapes["FR"] == "250" and shapes["XK"] == "Kosovo"
    assert len(shapes) >= 170  # the 110m shapes all but a few non-ISO territories


def test_numeric_codes_join_zero_padded() -> None:
    shapes = join_shapes(COUNTRIES, [("4", "Afghanistan"), ("036", "Australia"), ("", "Nowhere")])
    assert shapes == {"AF": "4", "AU": "036"}


def test_log_scale_for_skewed_counts() -> None:
    assert not use_log_scale([5, 5 * LOG_RATIO])
    assert use_log_scale([5, 5 * LOG_RATIO + 1])
    assert not use_log_scale([])
    skewed = choose_scale([1, 3, 40, 1000, 2500])
    assert skewed.kind == "log"
    assert skewed.classes[0].low == 1 and skewed.classes[-1].high == 2500
    widths = [c.high - c.low + 1 for c in skewed.classes]
    assert widths == sorted(widths) and widths[-1] > 10 * widths[0]
    even = choose_scale([10, 20, 30, 60])
    assert even.kind == "linear"
    assert len(even.classes) == world_map.CLASSES
    assert even.classes[0].low == 10 and even.classes[-1].high == 60
    widths = [c.high - c.low + 1 for c in even.classes]
    assert max(widths) - min(widths) <= 1  # equal steps, give or take rounding


def test_scale_classes_cover_every_count() -> None:
    for counts in ([1], [7, 7], [1, 2], [1, 2, 3, 1000], list(range(1, 300, 7))):
        scale = choose_scale(counts)
        for count in counts:
            assert scale.colour(count) != world_map.NO_RECORDS, (counts, count)
        assert scale.colour(0) == world_map.NO_RECORDS
        assert all(a.high + 1 == b.low for a, b in zip(scale.classes, scale.classes[1:], strict=False))
    assert choose_scale([]) == Scale("linear")


def test_the_legend_says_log(client: FlaskClient) -> None:
    html = client.get("/map").get_data(as_text=True)
    counts = facet_counts(client, "")
    assert ("Logarithmic scale" in html) == use_log_scale(counts.values())
    assert "Legend" in html and "No records" in html


def test_bad_years_are_a_400(client: FlaskClient) -> None:
    assert client.get("/map?year_from=abc").status_code == 400


def test_unknown_search_arguments_are_ignored(client: FlaskClient) -> None:
    assert client.get("/map?sort=date_desc&page=3&crime_type=money_laundering").status_code == 200


def test_the_form_blanks_mean_all(client: FlaskClient) -> None:
    blank = client.get("/map?kind=&crime_type=money_laundering&language=&year_from=&year_to=")
    assert blank.status_code == 200
    html = blank.get_data(as_text=True)
    assert shown_counts(html) == facet_counts(client, "crime_type=money_laundering")


def test_subdivisions_are_counted_under_their_country_from_the_facet() -> None:
    from sherloc.search.base import FacetBucket, SearchResult

    result = SearchResult(
        total=7,
        hits=[],
        facets={"subdivision": [FacetBucket("ES-CT", 4), FacetBucket("ES-AN", 2), FacetBucket("CN-GD", 1)]},
    )
    assert world_map.subdivision_counts(result) == {"ES": {"ES-CT": 4, "ES-AN": 2}, "CN": {"CN-GD": 1}}
    assert world_map.subdivision_counts(SearchResult(total=0, hits=[])) == {}
