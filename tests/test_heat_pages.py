"""The surplus-heat opportunity page and the map's heat layer, used as a planner and an editor would."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client

from registry.heat_opportunities import opportunities
from registry.models import HeatSource, HeatSymbiosis

from .browser import ARTIFACTS, chromium, watch_console
from .test_map_browser import _screen_point, rendered, wait_for_tiles


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(response) -> list[str]:
    """The heat sources in the table, in the order shown."""
    return re.findall(r'<tr data-source="\d+"><td>\d+</td><td>([^<]+)', response.content.decode())


@pytest.mark.django_db
def test_the_page_lists_the_ranked_demo_opportunities_and_an_editor_proposes_one(role_users):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # not the module-wide demo_db: the map test is live
    viewer, editor = signed_in(role_users["viewer"]), signed_in(role_users["editor"])
    page = viewer.get("/heat/opportunities/").content.decode()
    expected = [row["source_name"] for row in opportunities()]
    assert len(expected) == HeatSource.objects.live().count() >= 5
    assert rows_of(viewer.get("/heat/opportunities/")) == expected
    assert "Propose symbiosis" not in page  # a viewer only looks
    assert "Propose symbiosis" in editor.get("/heat/opportunities/").content.decode()
    near = viewer.get("/heat/opportunities/", {"max_distance_m": "1000"})
    assert rows_of(near) == [row["source_name"] for row in opportunities() if row["distance_m"] <= 1000]
    refused = viewer.get("/heat/opportunities/", {"max_distance_m": "-5"})
    assert refused.status_code == 200 and "<strong>Max. distance (m)</strong>:" in refused.content.decode()

    first = opportunities()[0]
    assert viewer.post(f"/heat/opportunities/{first['source_id']}/propose/").status_code == 403
    response = editor.post(
        f"/heat/opportunities/{first['source_id']}/propose/",
        {"pipe_cost_dkk_per_m": "6000", "emission_factor_kg_per_mwh": "200"},
    )
    symbiosis = HeatSymbiosis.objects.get(heat_source_id=first["source_id"])
    assert (
        response.status_code == 302 and response["Location"] == f"/admin/registry/heatsymbiosis/{symbiosis.pk}/change/"
    )
    assert first["source_name"] not in rows_of(editor.get("/heat/opportunities/"))
    with_proposed = editor.get("/heat/opportunities/", {"include_proposed": "true"}).content.decode()
    assert f"/admin/registry/heatsymbiosis/{symbiosis.pk}/change/" in with_proposed
    again = editor.post(f"/heat/opportunities/{first['source_id']}/propose/", follow=True).content.decode()
    assert f"already has a symbiosis (#{symbiosis.pk})" in again


@pytest.mark.django_db
def test_a_filter_left_blank_is_no_filter_and_errors_name_the_fields_as_the_form_does(role_users):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    viewer = signed_in(role_users["viewer"])
    # what the form sends when "Anvend" is pressed with every field left blank
    blank = {
        "network_kind": "",
        "max_distance_m": "",
        "min_heat_mwh_per_yr": "",
        "min_temperature_c": " ",
        "ordering": "",
    }
    page = viewer.get("/heat/opportunities/", blank, HTTP_ACCEPT_LANGUAGE="da")
    assert 'role="alert"' not in page.content.decode()
    assert rows_of(page) == [row["source_name"] for row in opportunities()]
    # one filled in, the rest blank: that one filter
    near = viewer.get("/heat/opportunities/", {**blank, "max_distance_m": "1000"})
    assert rows_of(near) == [row["source_name"] for row in opportunities() if row["distance_m"] <= 1000]
    # the exports and the API the page links to read the same query
    assert viewer.get("/api/heat-opportunities/", blank).status_code == 200
    wrong = viewer.get(
        "/heat/opportunities/", {**blank, "network_kind": "lava", "min_heat_mwh_per_yr": "x"}, HTTP_ACCEPT_LANGUAGE="da"
    ).content.decode()
    assert "<strong>Nettype</strong>:" in wrong and "<strong>Min. varme (MWh/år)</strong>:" in wrong
    assert "network_kind" not in wrong.split('role="alert"')[1].split("</div>")[0]
    # every column has a header, the proposal column's for screen readers only
    assert "<th></th>" not in page.content.decode()
    assert re.search(r'<th><span class="visually-hidden">\w+</span></th></tr></thead>', page.content.decode())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_map_shows_networks_sources_and_opportunities_and_an_editor_proposes_from_a_popup(live_server, settings):
    settings.MAP_BASEMAP_TILES = ""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    kiln = next(row for row in opportunities() if row["source_name"].startswith("Rørdal kiln"))
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        errors = watch_console(page)
        page.goto(live_server.url + "/")
        page.click("button[value=editor]")
        page.goto(live_server.url + "/map/?layers=heat,boundary")
        wait_for_tiles(page)
        assert len(set(rendered(page, "heat-source-point"))) == HeatSource.objects.live().count()
        assert rendered(page, "heat-network-area") and rendered(page, "heat-network-line")
        assert set(rendered(page, "opportunity-line", "source_name")) == {
            row["source_name"] for row in opportunities() if row["distance_m"] > 0
        }
        # click the middle of the kiln's connecting line
        line = json.loads(next(r for r in opportunities(srid=4326) if r["source_id"] == kiln["source_id"])["geometry"])
        (x1, y1), (x2, y2) = line["coordinates"][0], line["coordinates"][-1]
        middle = [(x1 + x2) / 2, (y1 + y2) / 2]
        page.evaluate("([lon, lat]) => window.registryMap.jumpTo({center: [lon, lat], zoom: 15})", middle)
        wait_for_tiles(page)
        page.mouse.click(*_screen_point(page, *middle))
        popup = page.wait_for_selector(".maplibregl-popup-content")
        assert (
            kiln["source_name"] in popup.inner_html() and "2,300 m" in popup.inner_html()
        )  # grouped as the page's language writes it
        page.click(".maplibregl-popup-content .propose-symbiosis")
        page.wait_for_selector("#map-message:not([hidden])")
        assert "Proposed:" in page.text_content("#map-message")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "map-heat.png"))
        assert [e for e in errors if "GL Driver Message" not in e] == []
    symbiosis = HeatSymbiosis.objects.get(heat_source_id=kiln["source_id"])
    assert symbiosis.pipe_route.length == pytest.approx(float(kiln["distance_m"]), abs=0.1)
