"""One geometry may not hold more vertices than MAX_GEOMETRY_VERTICES, on every path into the registry, and a
detailed geometry costs a tile no more than the tile can show."""

import io
import json
import math

import geopandas as gpd
import mapbox_vector_tile
import pyproj
import pytest
import shapely
import shapely.affinity
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from bench.common import tile_of
from gis.validation import validate_geometries, validate_geometry
from imports.models import ImportRun
from registry.models import EnergySite

from .conftest import make_site

LIMIT = 200  # small, so the tests stay fast; the rule is the same at the default
CENTRE = (556_000, 6_322_900)  # Aalborg, EPSG:25832
SIMPLIFY = " Simplify it (e.g. in QGIS: Vector > Geometry Tools > Simplify) and try again."


def star(vertices: int, radius_m: float = 500) -> shapely.Polygon:
    """A detailed polygon near Aalborg in EPSG:25832 with exactly `vertices` coordinates (the ring is closed)."""
    corners = vertices - 1
    angles = [2 * math.pi * i / corners for i in range(corners)]
    radii = [radius_m * (1 + 0.05 * math.sin(9 * a)) for a in angles]
    ring = [(CENTRE[0] + r * math.cos(a), CENTRE[1] + r * math.sin(a)) for r, a in zip(radii, angles)]
    polygon = shapely.Polygon(ring)
    assert shapely.get_num_coordinates(polygon) == vertices
    return polygon


def refusal(vertices: int) -> str:
    return f"The geometry has {vertices:,} vertices; at most {LIMIT:,} are allowed."


def as_feature(polygon: shapely.Polygon) -> dict:
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(polygon),
        "properties": {"name": "Solpark Sønderholm", "site_type": "solar"},
    }


@pytest.fixture
def limit(settings):
    settings.MAX_GEOMETRY_VERTICES = LIMIT
    return LIMIT


@pytest.fixture
def editor_api(role_users):
    client = APIClient()
    client.force_authenticate(role_users["editor"])
    return client


def test_the_api_refuses_a_geometry_over_the_limit_naming_the_field_and_the_limit(editor_api, limit):
    response = editor_api.post("/api/sites/?srid=25832", as_feature(star(limit + 1)), format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    [message] = response.json()["geometry"]
    assert message == refusal(limit + 1) + SIMPLIFY
    assert not EnergySite.objects.exists()


def test_the_api_accepts_a_geometry_at_the_limit(editor_api, limit):
    response = editor_api.post("/api/sites/?srid=25832", as_feature(star(limit)), format="json")
    assert response.status_code == 201, response.content
    assert EnergySite.objects.get().geometry.num_coords == limit


def test_the_admin_form_refuses_a_geometry_over_the_limit(client_for, limit):
    geometry = GEOSGeometry(star(limit + 1).wkt, srid=25832).ewkt
    form = {"name": "Solpark Sønderholm", "site_type": "solar", "planning_status": "idea", "capacity_unit": "MW"}
    response = client_for("editor").post("/admin/registry/energysite/add/", {**form, "geometry": geometry})
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["geometry"]
    assert message.startswith(refusal(limit + 1))
    assert not EnergySite.objects.exists()

    at_limit = GEOSGeometry(star(limit).wkt, srid=25832).ewkt
    saved = client_for("editor").post("/admin/registry/energysite/add/", {**form, "geometry": at_limit})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert EnergySite.objects.get().geometry.num_coords == limit


def test_an_import_with_a_geometry_over_the_limit_is_refused_naming_the_row(tmp_path, db, limit):
    parks = gpd.GeoDataFrame(
        {"projekt_id": ["SOL-1", "SOL-2"], "projektnavn": ["Lille park", "Detaljeret park"], "teknologi": "solceller"},
        geometry=[star(limit), star(limit + 1)],
        crs=25832,
    )
    path = tmp_path / "solparker.gpkg"
    parks.to_file(path, engine="pyogrio")
    with pytest.raises(CommandError):
        call_command("import", str(path), "--kind", "sites", stdout=io.StringIO(), stderr=io.StringIO())
    run = ImportRun.objects.latest("pk")
    assert (run.status, run.rejected_count) == ("rejected", 1)
    [rejection] = run.rejections
    assert rejection["row"] == 2  # the second feature of the layer
    assert rejection["field"] == "geometry" and rejection["reason"].startswith(refusal(limit + 1))
    assert not EnergySite.objects.exists()


def test_a_tile_draws_a_detailed_outline_with_only_the_vertices_it_can_show(role_users):
    # a 1 km square surveyed with a vertex every 0.25 m: at zoom 14 one tile unit is ~5 m on the ground
    square = shapely.segmentize(shapely.box(CENTRE[0] - 500, CENTRE[1] - 500, CENTRE[0] + 500, CENTRE[1] + 500), 0.25)
    site = make_site(name="Solpark Sønderholm", site_type="solar", geometry=GEOSGeometry(square.wkt, srid=25832))
    assert site.geometry.num_coords > 15_000
    viewer = APIClient()
    viewer.force_login(role_users["viewer"])
    centre = GEOSGeometry(f"SRID=25832;POINT({CENTRE[0]} {CENTRE[1]})").transform(4326, clone=True)
    z, x, y = tile_of(centre.x, centre.y, 14)
    response = viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    [feature] = mapbox_vector_tile.decode(response.content)["sites"]["features"]
    drawn = shapely.geometry.shape(feature["geometry"])
    assert drawn.geom_type == "Polygon" and shapely.get_num_coordinates(drawn) <= 10  # a square, clipped at most


def test_the_vertex_count_comes_before_the_costlier_checks(limit):
    """A geometry over the limit is refused for that alone: validity, transform and the Danish extent (each
    costing time per vertex) are not tried, whether one geometry is checked or a whole file."""
    in_germany = shapely.affinity.translate(star(limit + 1), yoff=-400_000)
    with pytest.raises(ValidationError) as refused:
        validate_geometry(GEOSGeometry(in_germany.wkt, srid=25832))
    assert refused.value.messages == [refusal(limit + 1) + SIMPLIFY]
    stored, messages = validate_geometries([in_germany, star(limit)], pyproj.CRS.from_epsg(25832), ("Polygon",))
    assert messages == [refusal(limit + 1) + SIMPLIFY, None]
    assert stored[0] is None and shapely.get_num_coordinates(stored[1]) == limit


def test_the_api_geojson_is_rest_framework_gis_s_rounded_the_same_way():
    """The API writes geometries in C (gis.api.geojson_geometry); the coordinates are those drf-gis gave."""

    from django.contrib.gis.geos import MultiPolygon, Polygon
    from rest_framework_gis.fields import GeometryField

    from gis.api import geojson_geometry

    ring = [(556_000 + 900 * math.cos(i / 50), 6_322_900 + 700 * math.sin(i / 50)) for i in range(314)]
    geom = MultiPolygon(Polygon([*ring, ring[0]]), srid=25832).transform(4326, clone=True)
    reference = GeometryField(precision=6).to_representation(geom)
    assert geojson_geometry(geom, 6) == json.loads(json.dumps(reference))


def test_check_deploy_names_geometries_stored_over_the_limit(db, settings):
    """A record stored before the limit (or by raw SQL) is named by check --deploy, with its id."""
    from django.contrib.gis.geos import Point

    from gis.checks import geometries_over_the_vertex_limit
    from registry.models import EnergySite

    from .conftest import make_site

    settings.MAX_GEOMETRY_VERTICES = 200
    small, big = make_site(name="Lille"), make_site(name="Stor")
    EnergySite.objects.filter(pk=big.pk).update(geometry=Point(556_000, 6_322_900, srid=25832).buffer(500, 100))
    warnings = [w for w in geometries_over_the_vertex_limit() if w.id == "geo.W001"]
    assert len(warnings) == 1 and f"ids {big.pk}." in warnings[0].msg and str(small.pk) not in warnings[0].msg
    assert "energy sites" in warnings[0].msg
