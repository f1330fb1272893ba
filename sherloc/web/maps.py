"""The world map of what the portal holds (views on the pages blueprint): /map, recoloured by the search
page's filters, each country linking to its profile."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, fields, post_load, validate
from werkzeug.datastructures import MultiDict

from sherloc.app import portal
from sherloc.schemas.search import FilterArgsSchema, args_to_dict, search_params
from sherloc.services import world_map
from sherloc.services.search import SearchParams, run_search
from sherloc.web.i18n import page_language
from sherloc.web.pages import bp

# Counted with the countries for the filter form's choices; a selected value never shrinks its own facet.
MAP_FACETS = ("country", "subdivision", "kind", "crime_type", "instrument_article", "language", "year")
FORM_FIELDS = ("kind", "crime_type", "instrument_article", "language", "year_from", "year_to")


class MapArgsSchema(FilterArgsSchema):
    """The search page's filters, and a year range; other search arguments (page, sort ...) are ignored."""

    class Meta:
        unknown = EXCLUDE

    year_from = fields.Integer(load_default=None, validate=validate.Range(min=0, max=9999))
    year_to = fields.Integer(load_default=None, validate=validate.Range(min=0, max=9999))

    @post_load
    def make_params(self, data: dict[str, Any], **_: Any) -> SearchParams:
        params = search_params(data, facets=MAP_FACETS, sort="date_desc", page_size=1, highlight=False)
        params.q = with_year_range(params.q, data["year_from"], data["year_to"])
        return params


def with_year_range(q: str, year_from: int | None, year_to: int | None) -> str:
    """The query narrowed to a range of years, in the query language (so search and facets read it too)."""
    if year_from is None and year_to is None:
        return q
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    clause = f"year:{'' if year_from is None else year_from}..{'' if year_to is None else year_to}"
    return f"({q}) {clause}" if q.strip() else clause


_map_args = MapArgsSchema()


@bp.get("/map", endpoint="map")
def world() -> str:
    given = MultiDict([(k, v) for k, v in request.args.items(multi=True) if v.strip()])  # the form's blanks
    args = args_to_dict(given)
    params: SearchParams = _map_args.load(args)
    app = portal()
    outcome = run_search(app.search, params, app.tagger if params.cross_language else None)
    counts = world_map.country_counts(outcome.result)
    scale = world_map.choose_scale(counts.values())
    labels, language = app.labels, page_language()
    subdivisions = world_map.subdivision_counts(outcome.result)
    countries = [
        world_map.MapCountry(
            code=c.code,
            name=c.name(language),
            count=counts.get(c.code, 0),
            colour=scale.colour(counts.get(c.code, 0)),
            url=url_for("pages.country", code=c.code) if counts.get(c.code) else None,
            subdivisions=subdivisions.get(c.code, {}),
        )
        for c in (labels.countries or [])
    ]
    shapes = world_map.join_shapes(labels.countries or world_map.Countries([]), world_map.shape_keys())
    tooltips = {c.code: _tooltip(c) for c in countries}
    assets = world_map.MapAssets(
        geo=url_for("static", filename=world_map.GEO_FILE),
        js=tuple(url_for("static", filename=f) for f in world_map.MAP_JS),
        css=tuple(url_for("static", filename=f) for f in world_map.MAP_CSS),
    )
    attribution = _(
        "Boundaries: Natural Earth (public domain) via world-atlas; country names: world-countries (ODbL)"
    )
    rendered = world_map.render_map(world_map.build_map(countries, shapes, assets, attribution, tooltips))
    listed = sorted((c for c in countries if c.count), key=lambda c: (-c.count, c.name))
    search_args = [(k, v) for k, v in given.items(multi=True) if k not in ("year_from", "year_to")]
    if params.q:
        search_args = [(k, v) for k, v in search_args if k != "q"] + [("q", params.q)]
    return render_template(
        "map.html",
        rendered=rendered,
        scale=scale,
        no_records=world_map.NO_RECORDS,
        countries=listed,
        total=outcome.result.total,
        facets=outcome.result.facets,
        form=_form_values(args),
        kept=[(k, v) for k, v in given.items(multi=True) if k not in FORM_FIELDS],
        search_url=url_for("pages.search") + ("?" + urlencode(search_args) if search_args else ""),
        unmapped=[c for c in listed if c.code not in shapes],
    )


def _tooltip(country: world_map.MapCountry) -> list[str]:
    lines = [
        country.name,
        _("Records: %(count)s", count=f"{country.count:,}") if country.count else _("No records"),
    ]
    lines += [f"{code}: {n:,}" for code, n in sorted(country.subdivisions.items())]
    return lines


def _form_values(args: dict[str, Any]) -> dict[str, Any]:
    """What the filter form shows as chosen (the first value of each repeatable filter)."""
    out: dict[str, Any] = {}
    for name in FORM_FIELDS:
        value = args.get(name)
        out[name] = (value[0] if value else "") if isinstance(value, list) else (value or "")
    return out
