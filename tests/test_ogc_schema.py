"""OGC API collections that GIS clients can type: one geometry type per collection, a schema with field types."""

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon

from ogc.collections import COLLECTIONS

from .conftest import make_site

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def viewer(client_for):
    return client_for("viewer")


@pytest.fixture
def mixed_sites(db):
    box = Polygon.from_bbox((555_000, 6_320_000, 556_000, 6_321_000))
    box.srid = 25832
    route = LineString((556_000, 6_322_000), (558_000, 6_323_000), srid=25832)
    return {
        "point": make_site(name="Vindmølle Vester Hassing", site_type="wind", commissioning_year=2027),
        "area": make_site(name="Solpark Sønderholm", site_type="solar", geometry=box),
        "line": make_site(name="Brintrør Aalborg Øst", site_type="hydrogen_pipe", geometry=route),
    }


def items(client, collection_id):
    response = client.get(f"/ogc/collections/{collection_id}/items", {"limit": 1000}, **JSON)
    assert response.status_code == 200, response.content
    return response.json()["features"]


def test_a_mixed_layer_has_one_collection_per_geometry_type(viewer, mixed_sites):
    combined = {f["id"]: f["geometry"]["type"] for f in items(viewer, "sites")}
    assert sorted(combined.values()) == ["LineString", "Point", "Polygon"]
    parts = {part: items(viewer, f"sites-{part}") for part in ("points", "areas", "lines")}
    assert [f["id"] for f in parts["points"]] == [mixed_sites["point"].pk]
    assert [f["id"] for f in parts["areas"]] == [mixed_sites["area"].pk]
    assert [f["id"] for f in parts["lines"]] == [mixed_sites["line"].pk]
    # each declares one type, and its features have it: as the multi-geometry (a wind farm is several points)
    assert [f["geometry"]["type"] for f in parts["points"]] == ["MultiPoint"]
    assert [f["geometry"]["type"] for f in parts["areas"]] == ["MultiPolygon"]
    assert [f["geometry"]["type"] for f in parts["lines"]] == ["MultiLineString"]
    assert parts["areas"][0]["geometry"]["coordinates"][0] == combined_geometry(viewer, mixed_sites["area"].pk)


def combined_geometry(client, pk):
    return client.get(f"/ogc/collections/sites/items/{pk}", **JSON).json()["geometry"]["coordinates"]


def test_the_schema_gives_every_property_its_type(viewer, mixed_sites):
    description = viewer.get("/ogc/collections/sites-lines", **JSON).json()
    described_by = next(link for link in description["links"] if link["rel"] == "describedBy")
    assert described_by["type"] == "application/schema+json"
    feature = viewer.get(described_by["href"]).json()
    properties = feature["properties"]["properties"]["properties"]
    # empty on every line site, and still a number to QGIS and GDAL
    assert properties["commissioning_year"]["type"] == "integer"
    assert properties["capacity"]["type"] == "number"
    assert properties["name"]["type"] == "string"
    assert properties["municipality_code"]["type"] == "string"
    assert properties["updated_at"] == {"title": "updated at", "type": "string", "format": "date-time"}
    assert properties["operator_name"]["type"] == "string"  # the organisation's name beside its id
    schema = viewer.get("/ogc/collections/sites-lines/schema").json()
    assert schema["properties"]["geometry"] == {"x-ogc-role": "primary-geometry", "format": "geometry-multilinestring"}
    assert {name: p.get("type") for name, p in schema["properties"].items() if name != "geometry"} == {
        name: p["type"] for name, p in properties.items()
    }
    assert viewer.get("/ogc/collections/sites-lines/schema?profile=xml").status_code == 400


@pytest.mark.parametrize(
    ("collection_id", "geometry"),
    [
        ("sites", "geometry-any"),
        ("sites-points", "geometry-multipoint"),
        ("sites-areas", "geometry-multipolygon"),
        ("partnerships", "geometry-multipoint"),
        ("symbioses", "geometry-linestring"),
        ("heating-networks-pipes", "geometry-multilinestring"),
    ],
)
def test_every_collection_declares_its_geometry_type(viewer, collection_id, geometry):
    schema = viewer.get(f"/ogc/collections/{collection_id}/schema").json()
    assert schema["properties"]["geometry"]["format"] == geometry


def test_every_collection_has_a_schema_path_in_the_api_definition(viewer):
    paths = viewer.get("/ogc/api").json()["paths"]
    assert all(f"/collections/{cid}/schema" in paths for cid in COLLECTIONS)
    items_schema = paths["/collections/sites/items"]["get"]["responses"]["200"]["content"]["application/geo+json"]
    feature = items_schema["schema"]["properties"]["features"]["items"]
    assert feature["properties"]["properties"]["properties"]["commissioning_year"]["type"] == "integer"


def test_a_collection_of_one_point_has_an_extent(viewer, db):
    site = make_site(geometry=Point(9.9187, 57.0488, srid=4326))
    found = viewer.get("/ogc/collections/sites-points", **JSON)
    assert found.status_code == 200
    lon, lat = site.geometry.transform(4326, clone=True).coords
    assert found.json()["extent"]["spatial"]["bbox"][0] == pytest.approx([lon, lat, lon, lat], abs=1e-6)
