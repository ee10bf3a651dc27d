"""Every list, drill-down, export, tile layer and the map search takes as many queries for a lot of data as
for a little: no query per row (an N+1) hides in any of them. Each request must answer 200 inside the count."""

from datetime import date
from decimal import Decimal

from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.common import tile_of
from config.api_urls import router
from partnerships.models import ExternalFunding, InternationalPartnership, RealisedReduction
from publish.catalogue import published
from publish.exports import FORMATS
from publish.layers import Output
from registry.models import HeatingNetwork, HeatSource, HeatSymbiosis, OrganisationSite

from .conftest import make_measure, make_organisation, make_partnership, make_site

CENTRE = (556_000, 6_322_900)
TILE = tile_of(9.92, 57.05, 10)


def populate(n: int, start: int) -> None:
    """n of every kind of record, all of them in Aalborg, linked the way real ones are."""
    for i in range(start, start + n):
        x, y = CENTRE[0] + 50 * i, CENTRE[1] + 30 * i
        org = make_organisation(name=f"Virksomhed {i}", cvr="")
        OrganisationSite.objects.create(organisation=org, name=f"Fabrik {i}", location=Point(x, y, srid=25832))
        site = make_site(name=f"Anlæg {i}", geometry=Point(x, y + 10, srid=25832), operator=org)
        area = Polygon.from_bbox((x, y, x + 40, y + 40))
        area.srid = 25832
        make_site(name=f"Solpark {i}", site_type="solar", geometry=area)
        signed = make_partnership(org, title=f"Aftale {i}", signed_on=date(2024, 3, 1))
        measure = make_measure(signed, tonnes="120.5", energy_site=site, title=f"Tiltag {i}")
        RealisedReduction.objects.create(measure=measure, year=2025, realised_t=Decimal("100"))
        dialogue = make_partnership(org, status="dialogue", title=f"Dialog {i}")
        make_measure(dialogue, tonnes="40", title=f"Muligt tiltag {i}")
        HeatSource.objects.create(
            name=f"Varmekilde {i}",
            organisation=org,
            location=Point(x + 5, y + 5, srid=25832),
            surplus_heat_mwh_per_yr=Decimal(1000),
            temperature_c=Decimal(60),
        )
        HeatingNetwork.objects.create(
            name=f"Fjernvarme {i}",
            operator=org,
            geometry=LineString((x, y), (x + 500, y), srid=25832),
            supply_temperature_c=Decimal(70),
        )
        HeatSymbiosis.objects.create(
            name=f"Symbiose {i}",
            source_organisation=org,
            receiving_network="Aalborg Forsyning",
            capacity_mw=Decimal(2),
            heat_mwh_per_yr=Decimal(8000),
            pipe_route=LineString((x, y), (x + 100, y + 100), srid=25832),
        )
        InternationalPartnership.objects.create(
            title=f"Partnerskab {i}", partner_name="Partner", country="DE", status="signed", signed_on=date(2024, 1, 1)
        )
        ExternalFunding.objects.create(
            title=f"Projekt {i}",
            funder="EUDP",
            source="danish",
            amount_dkk=Decimal(1_000_000),
            status="granted",
            granted_on=date(2024, 6, 1),
            partnership=signed,
        )


def urls() -> list[str]:
    lists = [f"/api/{prefix}/" for prefix, _viewset, _basename in router.registry]
    drill_downs = [
        "/api/progress/",
        "/api/progress/by-measure-type/",
        "/api/progress/measures/?sector=industry",
        "/api/progress/partnerships/?sector=industry",
        "/api/progress/realised/?sector=industry",
        "/api/heat-opportunities/",
    ]
    exports = [f"/api/exports/{layer}.{fmt}" for layer in published(Output.EXPORT) for fmt in FORMATS]
    z, x, y = TILE
    tiles = [f"/tiles/{layer}/{z}/{x}/{y}.pbf" for layer in published(Output.TILE)]
    ogc = [f"/ogc/collections/{layer}/items" for layer in published(Output.OGC, by_geometry_type=True)]
    return [*lists, *drill_downs, *exports, *tiles, *ogc, "/map/search?q=Anl"]


def count(client, url) -> int:
    client.get(url)  # once before counting: per-process caches (permissions, layer versions) fill on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code} {response.content[:300]}"
    return len(queries)


def test_the_catalogue_of_urls_is_complete():
    found = urls()
    assert len(found) > 40 and "/tiles/sites/" in " ".join(found) and "/api/sites/" in found


def test_no_request_takes_a_query_per_row(client_for):
    client = client_for("editor")
    populate(2, 0)
    small = {url: count(client, url) for url in urls()}
    populate(10, 2)
    from django.core.cache import cache

    cache.clear()  # tiles are cached per layer version; the writes above moved it anyway
    large = {url: count(client, url) for url in urls()}
    grew = {url: (small[url], large[url]) for url in small if large[url] > small[url]}
    assert not grew, f"queries grew with the data (small, large): {grew}"


def test_the_site_popup_takes_the_same_queries_for_more_partnerships(client_for):
    client = client_for("editor")
    counts = []
    for partnerships in (1, 8):
        site = make_site(name=f"Biogas {partnerships}")
        for i in range(partnerships):
            make_measure(make_partnership(title=f"P{i}"), tonnes="10", energy_site=site, title=f"M{i}")
        counts.append(count(client, f"/map/sites/{site.pk}/partnerships"))
    assert counts[0] == counts[1], counts
