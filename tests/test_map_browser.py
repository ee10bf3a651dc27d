"""The planners' map in headless Chromium, used as a planner and an editor would."""

import io
from urllib.parse import parse_qs, urlsplit

import mapbox_vector_tile
import pandas as pd
import pytest
from django.core.management import call_command

from bench.common import tile_of
from publish.exports import FORMATS
from registry.models import EnergySite

from .browser import ARTIFACTS, chromium, watch_console

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def rendered(page, layer, prop=None):
    return page.evaluate(
        """([layer, prop]) => window.registryMap.queryRenderedFeatures({layers: [layer]})
             .map(f => prop ? f.properties[prop] : f.properties.name)""",
        [layer, prop],
    )


def wait_for_tiles(page):
    page.wait_for_function(
        "() => document.body.dataset.mapReady === 'true' && window.registryMap.loaded()"
        " && window.registryMap.areTilesLoaded()",
        timeout=20000,
    )
    page.wait_for_timeout(300)


@pytest.fixture
def map_page(live_server, settings):
    settings.MAP_BASEMAP_TILES = ""  # no internet here: the map must work on its plain background
    call_command("load_demo", stdout=open("/dev/null", "w"))
    with chromium() as browser:

        def open_as(role, path="/map/", locale=None):
            page = browser.new_context(viewport={"width": 1400, "height": 900}, locale=locale).new_page()
            errors = watch_console(page)
            page.goto(live_server.url + "/")
            page.click(f"button[value={role}]")
            page.goto(live_server.url + path)
            wait_for_tiles(page)
            return page, errors

        yield open_as, live_server.url


def test_the_map_draws_the_demo_sites_without_errors(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    names = rendered(page, "sites-point")
    assert len(names) >= 20
    assert rendered(page, "partnerships-point", "title")
    assert rendered(page, "symbioses-line")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map.png"))
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_a_filter_hides_what_it_should_and_the_url_keeps_it(map_page):
    open_as, base = map_page
    page, errors = open_as("viewer")
    assert "wind" in rendered(page, "sites-point", "site_type")
    page.uncheck("#filter-type input[value=wind]")
    page.wait_for_timeout(300)
    types = set(rendered(page, "sites-point", "site_type"))
    assert "wind" not in types and types
    assert "type=" in page.url and "wind" not in page.url.split("type=")[1].split("&")[0].split("#")[0]
    page.select_option("#filter-sector", "agriculture")
    page.wait_for_timeout(300)
    assert set(rendered(page, "partnerships-point", "sector")) == {"agriculture"}
    # the URL alone restores the same map
    shared = page.url
    page2, _ = open_as("viewer", shared.replace(base, ""))
    assert "wind" not in set(rendered(page2, "sites-point", "site_type"))
    assert not page2.is_checked("#filter-type input[value=wind]")
    assert [e for e in errors if "GL Driver Message" not in e] == []


def _screen_point(page, lon, lat):
    return page.evaluate(
        "([lon, lat]) => { const p = window.registryMap.project([lon, lat]);"
        " const r = document.getElementById('map').getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [lon, lat],
    )


def _click_site(page, site, zoom):
    """Show only the sites layer, centre the map on the site and click it; returns its lon/lat point."""
    for layer in ("partnerships", "symbioses"):
        page.uncheck(f"input[name=layer][value={layer}]")
    point = site.geometry.transform(4326, clone=True)
    page.evaluate(
        "([lon, lat, zoom]) => window.registryMap.jumpTo({center: [lon, lat], zoom})", [point.x, point.y, zoom]
    )
    wait_for_tiles(page)
    page.mouse.click(*_screen_point(page, point.x, point.y))
    return point


def test_a_click_shows_the_right_popup(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    site = EnergySite.objects.filter(site_type="biogas").order_by("id").first()
    _click_site(page, site, zoom=15)
    popup = page.wait_for_selector(".maplibregl-popup-content")
    assert popup.query_selector("h3").text_content() == site.name
    assert f"/admin/registry/energysite/{site.pk}/change/" in popup.inner_html()
    assert "Move this site" not in popup.inner_html()  # a viewer cannot edit
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_an_editor_moves_a_site_and_the_next_tile_has_it(map_page):
    open_as, base = map_page
    page, errors = open_as("editor")
    site = EnergySite.objects.filter(site_type="biochar").order_by("id").first()
    point = _click_site(page, site, zoom=14)
    page.click(".maplibregl-popup-content .move-site")
    target_lon, target_lat = point.x + 0.004, point.y + 0.002
    page.mouse.click(*_screen_point(page, target_lon, target_lat))
    page.wait_for_selector("#map-message:has-text('moved')")
    moved = EnergySite.objects.get(pk=site.pk).geometry.transform(4326, clone=True)
    assert (moved.x, moved.y) == pytest.approx((target_lon, target_lat), abs=0.0005)
    # the next tile at the new place holds the site (the browser's session asks for it)
    z, x, y = tile_of(moved.x, moved.y, 15)
    tile = page.request.get(f"{base}/tiles/sites/{z}/{x}/{y}.pbf").body()
    names = [f["properties"]["name"] for f in mapbox_vector_tile.decode(tile)["sites"]["features"]]
    assert site.name in names
    wait_for_tiles(page)
    page.screenshot(path=str(ARTIFACTS / "map-after-move.png"))
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_a_bad_move_is_refused_with_the_reason(map_page):
    open_as, _ = map_page
    page, errors = open_as("editor")
    site = EnergySite.objects.filter(site_type="biochar").order_by("id").first()
    before = site.geometry
    status = page.evaluate(
        """async (id) => {
        const token = document.cookie.split('; ').find(c => c.startsWith('csrftoken=')).split('=')[1];
        const r = await fetch(`/api/sites/${id}/`, {method: 'PATCH', headers: {'Content-Type': 'application/json',
          'X-CSRFToken': token}, body: JSON.stringify({type: 'Feature', properties: {},
          geometry: {type: 'Point', coordinates: [9.99, 53.55]}})});
        return [r.status, await r.text()]; }""",
        site.pk,
    )
    assert status[0] == 400 and "outside Denmark" in status[1]
    assert EnergySite.objects.get(pk=site.pk).geometry.equals(before)


def test_search_finds_an_organisation_and_flies_to_it(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    page.fill("#search-input", "Limfjord Cement")
    button = page.wait_for_selector("#search-results button")
    assert "Limfjord Cement" in button.text_content()
    button.click()
    page.wait_for_function("() => window.registryMap.getZoom() > 13", timeout=10000)
    assert [e for e in errors if "GL Driver Message" not in e] == []


def _download_links(page, layer):
    """format (csv-da for the Danish CSV) -> the link's address, of one layer's download links."""
    return page.evaluate(
        """(layer) => Object.fromEntries([...document.querySelectorAll(
             `#map-downloads [data-export-layer="${layer}"] a`)].map(a => [
             a.dataset.format + (a.dataset.dialect ? "-" + a.dataset.dialect : ""), a.getAttribute("href")]))""",
        layer,
    )


def _fetch(page, url) -> str:
    """The body of a link, fetched by the page with its session (as a click on the link would)."""
    return page.evaluate(
        "async (url) => { const r = await fetch(url); if (!r.ok) throw new Error(r.status); return r.text(); }", url
    )


def test_the_download_links_carry_the_filters_and_follow_the_layers_shown(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    sites = _download_links(page, "sites")
    assert set(sites) == set(FORMATS)  # every format; the Danish CSV only in Danish
    assert sites["csv"] == "/api/exports/sites.csv"  # no filter yet: the whole layer
    assert set(_download_links(page, "heat-opportunities")) == set(FORMATS)
    links = page.get_by_role("link", name="GeoPackage")
    assert links.count() >= 6  # a real, named link per layer, in the list item that names the layer
    assert "Energy sites" in page.text_content("#map-downloads [data-export-layer=sites]")

    page.uncheck("#filter-type input[value=wind]")
    page.select_option("#filter-sector", "agriculture")
    page.select_option("#filter-year", "2024")
    query = parse_qs(urlsplit(_download_links(page, "sites")["gpkg"]).query)
    assert "wind" not in query["type"] and len(query["type"]) == len(EnergySite.SiteType) - 1
    csv_url = _download_links(page, "sites")["csv"]
    frame = pd.read_csv(io.StringIO(_fetch(page, csv_url)))
    assert len(frame) == EnergySite.objects.live().exclude(site_type="wind").count() > 0
    partnerships = parse_qs(urlsplit(_download_links(page, "partnerships")["xlsx"]).query)
    assert partnerships == {"sector": ["agriculture"], "year_signed": ["2024"]}
    assert '"FeatureCollection"' in _fetch(page, _download_links(page, "partnerships")["geojson"])

    page.uncheck("input[name=layer][value=sites]")
    assert page.is_hidden("#map-downloads [data-export-layer=sites]")
    assert page.is_visible("#map-downloads [data-export-layer=partnerships]")
    for layer in ("partnerships", "symbioses", "heat", "boundary"):
        page.uncheck(f"input[name=layer][value={layer}]")
    assert page.is_visible("#map-downloads-none")
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_the_map_in_danish_offers_the_danish_csv_with_the_filters(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer", "/map/?type=solar,wind", locale="da-DK")
    danish = _download_links(page, "sites")["csv-da"]
    assert parse_qs(urlsplit(danish).query) == {"type": ["solar", "wind"], "dialect": ["da"]}
    assert "csv" in _download_links(page, "sites")  # and the international CSV too
    body = _fetch(page, danish)
    header, first = body.split("\r\n")[:2]
    assert header.startswith('"id";"external_id";"name";"site_type"') and ";" in first
    assert [e for e in errors if "GL Driver Message" not in e] == []


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


def test_the_legend_has_a_symbol_for_everything_drawn(map_page):
    from publish import symbols

    open_as, _ = map_page
    page, errors = open_as("viewer")
    swatches = page.evaluate(
        """() => Object.fromEntries(["filter-type", "filter-site-status", "filter-partnership-status"].map(id =>
             [id, [...document.querySelectorAll(`#${id} label`)].map(l => {
               const s = getComputedStyle(l.querySelector("span"));
               return [l.querySelector("input").value, s.backgroundColor, s.borderTopColor, s.opacity]; })]))"""
    )
    types = {value: (bg, border) for value, bg, border, _ in swatches["filter-type"]}
    for value, colour in symbols.SITE_COLOURS.items():
        assert _rgb(colour) in types[value]
    rings = {value: border for value, _, border, _ in swatches["filter-partnership-status"]}
    assert rings == {value: _rgb(colour) for value, colour in symbols.PARTNERSHIP_COLOURS.items()}
    # planning status is drawn (and legended) by opacity: the earliest stage palest, operating solid
    opacity = {value: float(o) for value, _, _, o in swatches["filter-site-status"]}
    assert len(opacity) == len(EnergySite.PlanningStatus) and opacity["operating"] == 1 > opacity["idea"]
    paint = page.evaluate("() => window.registryMap.getPaintProperty('sites-point', 'circle-opacity')")
    assert paint[0] == "match" and "operating" in paint
    others = page.evaluate(
        """() => [...document.querySelectorAll('#map-panel [data-swatch]')].map(s => { const c = getComputedStyle(s);
             return [s.dataset.swatch, c.borderTopColor, c.backgroundColor, c.borderTopStyle]; })"""
    )
    found = {(name, style) for name, border, bg, style in others}
    assert {("symbiosis", "dashed"), ("boundary", "dashed"), ("heat", "dotted"), ("heat", "solid")} <= found
    colours = {name: {border, bg} for name, border, bg, _ in others}
    assert _rgb(symbols.SYMBIOSIS) in colours["symbiosis"] and _rgb(symbols.BOUNDARY) in colours["boundary"]
    assert _rgb(symbols.HEAT) in colours["heat"] and _rgb(symbols.HEAT_AREA) in colours["heatArea"]
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_only_this_and_show_all_on_a_filter_group(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    page.get_by_role("button", name="only this: Wind").click()
    wait_for_tiles(page)
    assert set(rendered(page, "sites-point", "site_type")) == {"wind"}
    checked = page.eval_on_selector_all("#filter-type input:checked", "els => els.map(e => e.value)")
    assert checked == ["wind"] and "type=wind" in page.url
    page.click("#filter-type button.all")
    wait_for_tiles(page)
    assert page.eval_on_selector_all("#filter-type input:not(:checked)", "els => els.length") == 0
    assert len(set(rendered(page, "sites-point", "site_type"))) > 2 and "type=" not in page.url
    page.get_by_role("button", name="only this: Energy sites").click()  # the layers have it too
    assert page.eval_on_selector_all("input[name=layer]:checked", "els => els.map(e => e.value)") == ["sites"]
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_a_search_result_is_marked_and_the_list_closes(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    page.fill("#search-input", "Limfjord Cement")
    page.wait_for_selector("#search-results button").click()
    page.wait_for_function("() => window.registryMap.getZoom() > 13", timeout=10000)
    assert page.eval_on_selector_all("#search-results li", "els => els.length") == 0
    marker = page.wait_for_selector(".search-marker")
    assert "Limfjord Cement" in marker.get_attribute("aria-label")
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_every_feature_in_view_is_reachable_by_keyboard(map_page):
    open_as, _ = map_page
    page, errors = open_as("viewer")
    page.wait_for_selector("#features-in-view-list button")
    site = EnergySite.objects.filter(site_type="biogas").order_by("id").first()
    point = site.geometry.transform(4326, clone=True)
    page.evaluate("([lon, lat]) => window.registryMap.jumpTo({center: [lon, lat], zoom: 15})", [point.x, point.y])
    wait_for_tiles(page)
    page.wait_for_function(
        "(name) => document.querySelector('#features-in-view-list').textContent.includes(name)", arg=site.name
    )
    button = page.locator("#features-in-view-list button", has_text=site.name).first
    button.focus()
    page.keyboard.press("Enter")
    popup = page.wait_for_selector(".maplibregl-popup-content")
    assert popup.query_selector("h3").text_content() == site.name
    assert page.evaluate("() => document.activeElement.classList.contains('maplibregl-popup-content')")
    page.keyboard.press("Tab")  # into the popup: its link
    assert page.evaluate("() => !!document.activeElement.closest('.maplibregl-popup')")
    page.keyboard.press("Escape")
    page.wait_for_selector(".maplibregl-popup", state="detached")
    assert page.evaluate("() => document.activeElement.closest('#features-in-view-list') !== null")
    count = page.text_content("#features-in-view-count")
    assert any(ch.isdigit() for ch in count)
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_a_site_popup_shows_the_partnerships_and_tonnes_that_point_at_it(map_page):
    from partnerships.models import ClimatePartnership, Measure

    open_as, _ = map_page
    page, errors = open_as("viewer")
    counted = Measure.objects.live().filter(
        energy_site__isnull=False,
        partnership__archived_at__isnull=True,
        partnership__status__in=ClimatePartnership.COUNTED_STATUSES,
    )
    site = next(m.energy_site for m in counted.order_by("id") if m.energy_site.geometry.geom_type == "Point")
    here = counted.filter(energy_site=site)
    _click_site(page, site, zoom=15)
    section = page.wait_for_selector(".maplibregl-popup-content .site-partnerships")
    text = section.text_content()
    for measure in here:
        assert measure.partnership.title in text and measure.title in text
    total = float(section.query_selector(".site-tonnes").get_attribute("data-value"))
    assert total == pytest.approx(float(sum(m.annual_reduction_t for m in here)))
    assert [e for e in errors if "GL Driver Message" not in e] == []


def test_the_map_has_a_heading_and_maplibre_speaks_the_page_language(map_page):
    open_as, _ = map_page
    for locale in (None, "da-DK"):
        page, errors = open_as("viewer", locale=locale)
        assert page.locator("h1").count() == 1 and page.locator("h1").is_visible()
        labels = page.evaluate("() => JSON.parse(document.getElementById('map-config').textContent).mapLocale")
        assert page.get_attribute(".maplibregl-ctrl-zoom-in", "title") == labels["NavigationControl.ZoomIn"]
        assert page.get_attribute(".maplibregl-ctrl-zoom-out", "title") == labels["NavigationControl.ZoomOut"]
        if locale is None:
            assert labels["NavigationControl.ZoomIn"] == "Zoom in"
        assert [e for e in errors if "GL Driver Message" not in e] == []
