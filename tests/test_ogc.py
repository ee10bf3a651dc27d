"""OGC API - Features under /ogc/: our own assertions, then clients nobody here wrote (GDAL, OWSLib, ogctests)."""

import json
from datetime import date

import pytest
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.models import ApiToken
from ogc.collections import COLLECTIONS, CRS84, STORAGE_CRS
from partnerships.models import ClimatePartnership
from registry.models import EnergySite, HeatingNetwork, HeatSource, HeatSymbiosis, OrganisationSite

pytestmark = pytest.mark.django_db
GEOJSON = {"HTTP_ACCEPT": "application/geo+json"}
LIVE_COUNTS = {
    "sites": lambda: EnergySite.objects.live().count(),
    "partnerships": lambda: ClimatePartnership.objects.live().count(),
    "organisation-sites": lambda: OrganisationSite.objects.live().count(),
    "symbioses": lambda: HeatSymbiosis.objects.live().count(),
    "heat-sources": lambda: HeatSource.objects.live().count(),
    "heating-networks": lambda: HeatingNetwork.objects.live().count(),
}
# one collection per geometry type: counted here from GEOS's type names, not from the server's SQL
PART_TYPES = {
    "points": {"Point", "MultiPoint"},
    "areas": {"Polygon", "MultiPolygon"},
    "lines": {"LineString", "MultiLineString"},
    "pipes": {"LineString", "MultiLineString"},
}


def ids_of_geometry_type(model, field: str, suffix: str) -> list[int]:
    return sorted(
        pk for pk, geometry in model.objects.live().values_list("pk", field) if geometry.geom_type in PART_TYPES[suffix]
    )


for _layer, _model, _field in (("sites", EnergySite, "geometry"), ("heating-networks", HeatingNetwork, "geometry")):
    for _suffix in ("points", "areas", "lines") if _layer == "sites" else ("areas", "pipes"):
        LIVE_COUNTS[f"{_layer}-{_suffix}"] = lambda m=_model, f=_field, s=_suffix: len(ids_of_geometry_type(m, f, s))


@pytest.fixture
def viewer(demo_db, client_for):
    return client_for("viewer")


def all_pages(client, url, **params):
    """Follow the next links; (features, number of pages)."""
    features, pages = [], 0
    response = client.get(url, params, **GEOJSON)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        features += body["features"]
        pages += 1
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        if not following:
            return features, pages
        response = client.get(following[0], **GEOJSON)


def test_the_service_description_is_public_and_the_data_is_not(client, demo_db):
    for path in ("/ogc/", "/ogc/conformance", "/ogc/api"):
        assert client.get(path).status_code == 200, path
    landing = client.get("/ogc/", HTTP_ACCEPT="application/json")
    assert landing["Content-Type"] == "application/json"
    assert {"service-desc", "service-doc", "conformance", "data"} <= {link["rel"] for link in landing.json()["links"]}
    conforms = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conforms
    for path in (
        "/ogc/collections",
        "/ogc/collections/sites",
        "/ogc/collections/sites/items",
        f"/ogc/collections/sites/items/{EnergySite.objects.first().pk}",
    ):
        assert client.get(path).status_code == 401, path


def test_a_token_reads_like_on_the_api_and_a_layer_needs_its_view_permission(
    client, demo_db, role_users, django_user_model
):
    _, key = ApiToken.issue(user=role_users["viewer"], name="qgis")
    listed = client.get("/ogc/collections", HTTP_AUTHORIZATION=f"Token {key}").json()["collections"]
    assert [c["id"] for c in listed] == list(COLLECTIONS)
    outsider = django_user_model.objects.create_user("no-role")
    _, key = ApiToken.issue(user=outsider, name="none")
    assert client.get("/ogc/collections", HTTP_AUTHORIZATION=f"Token {key}").json()["collections"] == []
    assert client.get("/ogc/collections/sites/items", HTTP_AUTHORIZATION=f"Token {key}").status_code == 403


def test_collections_describe_extent_crs_and_dates(viewer):
    sites = viewer.get("/ogc/collections/sites").json()
    assert sites["crs"][0] == CRS84 and STORAGE_CRS in sites["crs"] and sites["storageCrs"] == STORAGE_CRS
    west, south, east, north = sites["extent"]["spatial"]["bbox"][0]
    for site in EnergySite.objects.live():
        lon, lat = site.geometry.transform(4326, clone=True).centroid.coords
        assert west <= lon <= east and south <= lat <= north
    years = EnergySite.objects.live().exclude(commissioning_year=None).values_list("commissioning_year", flat=True)
    assert sites["extent"]["temporal"]["interval"] == [
        [f"{min(years)}-01-01T00:00:00Z", f"{max(years)}-12-31T23:59:59Z"]
    ]
    assert "temporal" not in viewer.get("/ogc/collections/symbioses").json()["extent"]


@pytest.mark.parametrize("collection_id", list(COLLECTIONS))
def test_paging_by_next_links_returns_every_feature_once(viewer, collection_id):
    features, pages = all_pages(viewer, f"/ogc/collections/{collection_id}/items", limit=7)
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == LIVE_COUNTS[collection_id]()
    assert pages == max(1, -(-len(ids) // 7))  # no empty last page: a page asks for one row more than it shows


def test_a_page_never_counts_the_whole_layer(viewer):
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get("/ogc/collections/sites/items", {"limit": 5, "after": 10}, **GEOJSON)
    assert response.status_code == 200 and len(response.json()["features"]) == 5
    assert "numberMatched" not in response.json()
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_bbox_in_lon_lat_and_in_utm(viewer):
    box = Polygon.from_bbox((553_000, 6_318_000, 560_000, 6_326_000))
    box.srid = 25832
    expected = set(EnergySite.objects.live().filter(geometry__intersects=box).values_list("pk", flat=True))
    assert expected, "the demo data has sites around Aalborg"
    in_utm, _ = all_pages(
        viewer, "/ogc/collections/sites/items", bbox="553000,6318000,560000,6326000", **{"bbox-crs": STORAGE_CRS}
    )
    assert {f["id"] for f in in_utm} == expected
    lon_lat = box.transform(4326, clone=True).extent
    in_degrees, _ = all_pages(viewer, "/ogc/collections/sites/items", bbox=",".join(map(str, lon_lat)))
    # the lon/lat box holds the UTM box (and a sliver more)
    assert expected <= {f["id"] for f in in_degrees}
    outside, _ = all_pages(viewer, "/ogc/collections/sites/items", bbox="12.5,55.6,12.6,55.7")  # Copenhagen
    assert outside == []


def test_crs_by_reference_returns_utm_coordinates_and_says_so(viewer):
    site = EnergySite.objects.live().filter(site_type="wind").order_by("pk").first()
    response = viewer.get(f"/ogc/collections/sites/items/{site.pk}", {"crs": STORAGE_CRS}, **GEOJSON)
    assert response["Content-Crs"] == f"<{STORAGE_CRS}>"
    assert response.json()["geometry"]["coordinates"] == pytest.approx([site.geometry.x, site.geometry.y], abs=0.01)
    default = viewer.get(f"/ogc/collections/sites/items/{site.pk}", **GEOJSON)
    assert default["Content-Crs"] == f"<{CRS84}>"
    lon, lat = site.geometry.transform(4326, clone=True).coords
    assert default.json()["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)
    assert viewer.get("/ogc/collections/sites/items", {"crs": "EPSG:3857"}).status_code == 400


def test_datetime_selects_by_signing_date_and_by_commissioning_year(viewer):
    features, _ = all_pages(viewer, "/ogc/collections/partnerships/items", datetime="2024-01-01/2024-12-31")
    expected = set(ClimatePartnership.objects.live().filter(signed_on__year=2024).values_list("pk", flat=True))
    assert expected and {f["id"] for f in features} == expected
    open_start, _ = all_pages(viewer, "/ogc/collections/partnerships/items", datetime="../2023-12-31")
    assert {f["id"] for f in open_start} == set(
        ClimatePartnership.objects.live().filter(signed_on__lte=date(2023, 12, 31)).values_list("pk", flat=True)
    )
    in_2025, _ = all_pages(viewer, "/ogc/collections/sites/items", datetime="2025-06-01T00:00:00Z")
    assert {f["id"] for f in in_2025} == set(
        EnergySite.objects.live().filter(commissioning_year=2025).values_list("pk", flat=True)
    )
    # a collection without dates keeps every feature
    symbioses, _ = all_pages(viewer, "/ogc/collections/symbioses/items", datetime="2024-01-01")
    assert len(symbioses) == HeatSymbiosis.objects.live().count()
    assert viewer.get("/ogc/collections/sites/items", {"datetime": "last tuesday"}).status_code == 400


def test_attribute_filters_are_the_apis(viewer):
    ogc, _ = all_pages(viewer, "/ogc/collections/sites/items", type="wind", status="operating")
    api = viewer.get("/api/sites/", {"type": "wind", "status": "operating", "page_size": 1000}).json()
    assert sorted(f["id"] for f in ogc) == sorted(f["id"] for f in api["features"]) and ogc
    sectors, _ = all_pages(viewer, "/ogc/collections/partnerships/items", sector="agriculture")
    assert {f["properties"]["sector"] for f in sectors} == {"agriculture"}
    refused = viewer.get("/ogc/collections/sites/items", {"type": "nuclear"})
    assert refused.status_code == 400 and "type" in refused.json()["description"]


def test_bad_and_unknown_parameters_are_400_and_a_huge_limit_is_capped(viewer):
    for params in (
        {"limit": "unlimited"},
        {"limit": "0"},
        {"ooga": "booga"},
        {"bbox": "1,2,3"},
        {"bbox": "10,57,9,56"},
        {"after": "x"},
        {"f": "xml"},
    ):
        response = viewer.get("/ogc/collections/sites/items", params)
        assert response.status_code == 400, params
        assert response.json()["code"] and response.json()["description"]
    capped = viewer.get("/ogc/collections/sites/items", {"limit": "999999999"}, **GEOJSON)
    assert capped.status_code == 200 and len(capped.json()["features"]) == EnergySite.objects.live().count()
    assert viewer.get("/ogc/collections/nope/items").status_code == 404
    assert viewer.get("/ogc/collections/sites/items/999999").status_code == 404
    assert viewer.get("/ogc/collections/sites/items/abc").status_code == 404


def test_archived_records_are_not_served(viewer):
    site = EnergySite.objects.live().order_by("pk").first()
    site.archive()
    assert viewer.get(f"/ogc/collections/sites/items/{site.pk}").status_code == 404
    features, _ = all_pages(viewer, "/ogc/collections/sites/items", limit=1000)
    assert site.pk not in {f["id"] for f in features}


def test_every_document_has_an_html_encoding(viewer):
    site = EnergySite.objects.live().first()
    for path in (
        "/ogc/",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/sites",
        "/ogc/collections/sites/items",
        f"/ogc/collections/sites/items/{site.pk}",
    ):
        response = viewer.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html"), path
    page = viewer.get("/ogc/collections/sites/items", {"f": "html", "limit": 3}).content.decode()
    assert site.name in viewer.get(f"/ogc/collections/sites/items/{site.pk}", {"f": "html"}).content.decode()
    assert "after=" in page  # a next-page link


def test_the_openapi_definition_documents_the_ogc_parameters(client, demo_db):
    document = json.loads(client.get("/ogc/api").content)
    items = document["paths"]["/collections/sites/items"]["get"]["parameters"]
    by_name = {p["name"]: p for p in items}
    assert by_name["bbox"]["schema"] == {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}
    assert {"limit", "datetime", "crs", "bbox-crs", "type", "status", "search"} <= set(by_name)
