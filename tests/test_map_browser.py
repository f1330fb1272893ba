"""The world map in Chromium: it draws the countries from local assets only, a filter recolours it, a
country's tooltip speaks the page's language, and a click opens the country's profile.

The portal server and the page checks (no request outside 127.0.0.1, no console error, nothing wider than
the viewport) are test_browser's; the map page is allowed more than its page budget (Leaflet alone is
147 KB, the shapes 108 KB) and MAP_BUDGET holds it instead. Screenshots go to tests/.screenshots/map/.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.test_browser import SCREENSHOTS, Browse, browse, browser, portal_url

__all__ = ["browse", "browser", "portal_url"]  # test_browser's fixtures, shared
pytestmark = pytest.mark.browser

MAP_BUDGET = 400 * 1024  # bytes: HTML, CSS, scripts and the shapes, as sent
FRANCE = (46.6, 2.4)  # a point inside mainland France (its shape also holds French Guiana)
SHOTS = SCREENSHOTS / "map"


@pytest.fixture
def map_browse(browse: Browse) -> Browse:
    """test_browser's page checks, with the map's own budget instead of the page budget."""
    browse.budget = MAP_BUDGET
    return browse


def open_map(browse: Browse, path: str, name: str) -> None:
    browse.goto(path, name, screenshot=False)
    ready(browse.page)
    weight = browse.weight()  # now that the shapes are in too
    assert weight < MAP_BUDGET, f"{path}: {weight:,} bytes"
    shot(browse, name)


def ready(page: Page) -> None:
    """Wait until the shapes are fetched and drawn."""
    expect(page.locator(".leaflet-container[data-ready='true']")).to_have_count(1)


def shot(browse: Browse, name: str) -> None:
    lang = browse.page.evaluate("document.documentElement.lang")
    SHOTS.mkdir(parents=True, exist_ok=True)
    browse.page.screenshot(path=SHOTS / f"{browse.viewport}-{lang}-{name}.png", full_page=True)


def fills(page: Page) -> dict[str, str]:
    """Country code -> fill colour of its shape, as drawn."""
    found: dict[str, str] = page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('path.country'))
             .map(p => [Array.from(p.classList).find(c => c.startsWith('country-')) || '',
                        p.getAttribute('fill')])
             .filter(([c]) => c))"""
    )
    return found


def point_of(page: Page, lat_lng: tuple[float, float]) -> tuple[float, float]:
    """Where in the viewport a place is drawn (the map is `map_world`), scrolled into view."""
    page.locator("#map_world").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([lat, lng]) => {
             const p = map_world.latLngToContainerPoint([lat, lng]);
             const r = map_world.getContainer().getBoundingClientRect();
             return [r.left + p.x, r.top + p.y];
           }""",
        list(lat_lng),
    )
    return float(x), float(y)


def test_the_map_draws_and_a_filter_recolours_it(map_browse: Browse) -> None:
    page = map_browse.page
    open_map(map_browse, "/map", "map")
    expect(page.locator(".leaflet-container")).to_be_visible()
    assert page.locator("path.country").count() > 150
    expect(page.locator("path.country-FR")).to_have_count(1)
    expect(page.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")
    before, legend = fills(page), page.locator(".map-legend").inner_text()
    assert before["country-FR"] != before.get("country-BR"), "France has records, Brazil none"

    page.get_by_label("Crime type", exact=True).select_option("drug_trafficking")
    map_browse.responses.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Show on the map").click()
    map_browse.loaded("map-filtered", screenshot=False)
    ready(page)
    assert "crime_type=drug_trafficking" in page.url
    assert fills(page) != before or page.locator(".map-legend").inner_text() != legend
    shot(map_browse, "map-filtered")


def test_tooltip_in_arabic(map_browse: Browse) -> None:
    page = map_browse.page
    open_map(map_browse, "/ar/map", "map")
    assert map_browse.html_lang_dir() == ("ar", "rtl")
    x, y = point_of(page, FRANCE)
    page.mouse.move(x - 5, y)
    page.mouse.move(x, y, steps=3)
    expect(page.locator(".leaflet-tooltip")).to_contain_text("فرنسا")
    shot(map_browse, "map-tooltip")


def test_a_click_opens_the_country_profile(map_browse: Browse) -> None:
    page = map_browse.page
    open_map(map_browse, "/map", "map")
    if map_browse.viewport == "phone":
        page.mouse.move(*point_of(page, FRANCE))  # no hover on a phone: a tap goes straight to the profile
    map_browse.responses.clear()
    with page.expect_navigation() as navigation:
        page.mouse.click(*point_of(page, FRANCE))
    assert unquote(urlsplit(page.url).path) == "/countries/FR"
    response = navigation.value
    if response is not None and response.status == 404:
        pytest.skip("/countries/FR answers 404: the country profile page is not there yet")
    map_browse.loaded("country-from-map")
