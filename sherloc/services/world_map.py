"""The world map of what the portal holds: counts per country, their colour scale, the join of countries to
the map's shapes, and the folium (Leaflet) map drawn from them, its assets served by the portal itself.

Counts come from the search backend's country facet (run_search with the page's filters), so the map, the
search page and GET /api/v1/facets agree by construction. The shapes are world-atlas countries-110m
(TopoJSON; Natural Earth, public domain; ISC), served as a static file the browser caches and joined to
corpus/vocab/countries.json by ISO 3166-1 numeric code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

from sherloc.search.base import SearchResult
from sherloc.vocab.places import Countries

STATIC_DIR = Path(__file__).resolve().parent.parent / "web" / "static"
GEO_FILE = "map/world-atlas/countries-110m.json"  # under STATIC_DIR
GEO_OBJECT = "countries"  # the TopoJSON object holding one shape per country
# Assets Leaflet needs, under STATIC_DIR (vendored from npm: leaflet 1.9.4, topojson-client 3.1.0).
MAP_JS = ("map/leaflet/leaflet.js", "map/topojson-client/topojson-client.min.js")
MAP_CSS = ("map/leaflet/leaflet.css", "map/map.css")

LOG_RATIO = 20  # a log scale when the largest count is more than this many times the smallest
CLASSES = 6  # colour classes at most
PALETTE = ("#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c")  # ColorBrewer Blues, 7 less one
NO_RECORDS = "#e3e6eb"  # a country with no records for the filters
BORDER = "#ffffff"
# Antarctica (010): it wraps the whole bottom of a flat map and holds no legislation.
HIDDEN_SHAPES = ("010",)


# --- counts -------------------------------------------------------------------------------------------------


def country_counts(result: SearchResult) -> dict[str, int]:
    """Records per country (ISO alpha-2) from a search result's country facet."""
    return {b.value: b.count for b in result.facets.get("country", []) if b.count > 0}


def subdivision_counts(result: SearchResult) -> dict[str, dict[str, int]]:
    """Records per subdivision (ISO 3166-2, "ES-CT") by country ("ES"), from a search result's subdivision
    facet: the same filters as the country counts. Empty when no record has a subdivision."""
    out: dict[str, dict[str, int]] = {}
    for bucket in result.facets.get("subdivision", []):
        if bucket.count > 0:
            out.setdefault(bucket.value.split("-", 1)[0], {})[bucket.value] = bucket.count
    return out


# --- the colour scale ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleClass:
    low: int  # inclusive
    high: int  # inclusive
    colour: str


@dataclass(frozen=True)
class Scale:
    kind: Literal["linear", "log"]
    classes: tuple[ScaleClass, ...] = ()
    low: int = 0  # the smallest and largest count shown
    high: int = 0

    def colour(self, count: int) -> str:
        for entry in self.classes:
            if entry.low <= count <= entry.high:
                return entry.colour
        return NO_RECORDS

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "min": self.low,
            "max": self.high,
            "classes": [{"min": c.low, "max": c.high, "colour": c.colour} for c in self.classes],
            "no_records": NO_RECORDS,
        }


def use_log_scale(counts: Iterable[int]) -> bool:
    """Whether the counts are skewed enough (max/min > LOG_RATIO) that a linear scale would paint all but
    the largest country the same colour."""
    positive = [c for c in counts if c > 0]
    return bool(positive) and max(positive) > LOG_RATIO * min(positive)


def choose_scale(counts: Iterable[int], classes: int = CLASSES) -> Scale:
    """Up to `classes` colour classes over the positive counts: equal steps, or equal ratios (log) when
    the counts are skewed. Classes are whole-number ranges with no gaps and none empty of numbers."""
    positive = sorted(c for c in counts if c > 0)
    kind: Literal["linear", "log"] = "log" if use_log_scale(positive) else "linear"
    if not positive:
        return Scale(kind)
    low, high = positive[0], positive[-1]
    top = high + 1  # edges are exclusive at the top
    if kind == "log":
        edges = [round(low * (top / low) ** (i / classes)) for i in range(classes + 1)]
    else:
        edges = [round(low + (top - low) * i / classes) for i in range(classes + 1)]
    edges[0], edges[-1] = low, top
    edges = sorted(set(edges))
    ranges = list(zip(edges, edges[1:], strict=False))
    colours = _spread(PALETTE, len(ranges))
    return Scale(
        kind,
        tuple(ScaleClass(a, b - 1, colour) for (a, b), colour in zip(ranges, colours, strict=True)),
        low,
        high,
    )


def _spread(palette: Sequence[str], n: int) -> list[str]:
    """n colours from the palette, evenly spread from its lightest to its darkest."""
    if n <= 1:
        return list(palette[-1:]) * n
    last = len(palette) - 1
    return [palette[round(i * last / (n - 1))] for i in range(n)]


# --- the shapes ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def shape_keys(geo_path: Path = STATIC_DIR / GEO_FILE) -> tuple[tuple[str, str], ...]:
    """(key, name) of every shape in the TopoJSON: its id (ISO 3166-1 numeric) or, without one, its name."""
    topology = json.loads(geo_path.read_text(encoding="utf-8"))
    out = []
    for geometry in topology["objects"][GEO_OBJECT]["geometries"]:
        name = str((geometry.get("properties") or {}).get("name", ""))
        out.append((str(geometry.get("id") or name), name))
    return tuple(out)


def join_shapes(countries: Countries, keys: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Country code (alpha-2) -> the key of its shape. Shapes carry the numeric code as a zero-padded string
    ("004"), as countries.json does; the few without one (Kosovo) are matched by English name."""
    by_numeric = {c.numeric.zfill(3): c.code for c in countries if c.numeric}
    by_name = {c.name("en"): c.code for c in countries}
    out: dict[str, str] = {}
    for key, name in keys:
        code = by_numeric.get(key.zfill(3)) if key.isdigit() else by_name.get(name)
        if code is not None:
            out[code] = key
    return out


# --- the map ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapCountry:
    code: str
    name: str  # in the page's language
    count: int
    colour: str
    url: str | None  # its profile
    subdivisions: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MapAssets:
    """Local URLs of what the map loads (the page passes url_for("static", ...) of each)."""

    geo: str
    js: tuple[str, ...]
    css: tuple[str, ...]


@dataclass(frozen=True)
class RenderedMap:
    css: tuple[str, ...]
    js: tuple[str, ...]
    html: str  # the map's element
    script: str  # the script drawing it (after `js` is loaded)


class _Choropleth(MacroElement):
    """The countries layer: fetches the shapes, colours each by its record count, a tooltip with the name
    and count, a click opening the country's profile. The data is the page's, the shapes a cached file."""

    _template = Template(
        """{% macro script(this, kwargs) %}
(function (map) {
  var data = {{ this.data_json }};
  function key(f) { return String(f.id || (f.properties && f.properties.name) || ""); }
  // Rings cut at the antimeridian (Russia, Fiji) hold both -180 and 180: on a flat map that edge would
  // streak across the world, so their western half is moved east of 180.
  function unwrap(f) {
    var g = f.geometry, polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        var lons = ring.map(function (c) { return c[0]; });
        if (Math.max.apply(null, lons) - Math.min.apply(null, lons) > 180) {
          ring.forEach(function (c) { if (c[0] < 0) { c[0] += 360; } });
        }
      });
    });
  }
  fetch({{ this.geo_json }}).then(function (r) { return r.json(); }).then(function (topo) {
    var shapes = topojson.feature(topo, topo.objects[{{ this.object_json }}]);
    shapes.features.forEach(unwrap);
    L.geoJSON(shapes, {
      attribution: {{ this.attribution_json }},
      filter: function (f) { return {{ this.hidden_json }}.indexOf(key(f)) < 0; },
      style: function (f) {
        var d = data[key(f)];
        return {fillColor: d ? d.colour : {{ this.none_json }}, fillOpacity: 1,
                color: {{ this.border_json }}, weight: 0.6,
                className: d ? "country country-" + d.code + (d.url ? " linked" : "") : "country"};
      },
      onEachFeature: function (f, layer) {
        var d = data[key(f)];
        if (!d) { return; }
        var tip = document.createElement("div");
        d.lines.forEach(function (line, i) {
          var p = document.createElement(i ? "div" : "strong");
          p.textContent = line;
          tip.appendChild(p);
        });
        layer.bindTooltip(tip, {sticky: true, direction: "top"});
        if (d.url) { layer.on("click", function () { window.location.href = d.url; }); }
      }
    }).addTo(map);
    map.getContainer().setAttribute("data-ready", "true");
  });
})({{ this._parent.get_name() }});
{% endmacro %}"""
    )

    def __init__(self, data: Mapping[str, Any], geo_url: str, attribution: str) -> None:
        super().__init__()
        self._name = "Choropleth"
        self.data_json = _js(data)
        self.geo_json = _js(geo_url)
        self.object_json = _js(GEO_OBJECT)
        self.attribution_json = _js(attribution)
        self.none_json = _js(NO_RECORDS)
        self.border_json = _js(BORDER)
        self.hidden_json = _js(HIDDEN_SHAPES)


def _js(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return (
        json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def build_map(
    countries: Iterable[MapCountry],
    shapes: Mapping[str, str],
    assets: MapAssets,
    attribution: str,
    tooltip_lines: Mapping[str, Sequence[str]],
) -> folium.Map:
    """The folium map: no tiles (the choropleth is the map), its Leaflet and TopoJSON client from `assets`.
    `shapes`: country code -> shape key (join_shapes); `tooltip_lines`: code -> the tooltip's lines."""
    world = folium.Map(
        location=(25, 10),
        zoom_start=2,
        min_zoom=1,
        max_zoom=7,
        tiles=None,
        world_copy_jump=False,
        max_bounds=True,
        control_scale=False,
        width="100%",
        height="100%",
    )
    world._id = "world"  # a stable name (map_world) for the page's script and tests, not a random hash
    # Serve Leaflet from the portal: folium's defaults are CDN URLs (and jQuery, Bootstrap ... unused here).
    world.default_js = [(Path(url).stem, url) for url in assets.js]
    world.default_css = [(Path(url).stem, url) for url in assets.css]
    data = {
        shapes[c.code]: {
            "code": c.code,
            "colour": c.colour,
            "url": c.url,
            "lines": list(tooltip_lines.get(c.code, (c.name,))),
        }
        for c in countries
        if c.code in shapes
    }
    _Choropleth(data, assets.geo, attribution).add_to(world)
    return world


def render_map(world: folium.Map) -> RenderedMap:
    """The map's element and script, for the portal's own page template. folium's header is left out: it
    sets html and body to 100% height and forbids zooming the page; the page links the assets itself."""
    figure = world.get_root()
    assert isinstance(figure, Figure)  # a folium.Map is always placed in a Figure
    figure.render()
    return RenderedMap(
        css=tuple(url for _, url in world.default_css),
        js=tuple(url for _, url in world.default_js),
        html=figure.html.render(),
        script=figure.script.render(),
    )
