"""Vector tiles: what a tile holds, filters, permissions, and caching that is never stale."""

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from bench.common import tile_of
from registry.models import EnergySite

from .conftest import make_site


def decode(body: bytes, layer: str) -> list[dict]:
    return mapbox_vector_tile.decode(body).get(layer, {}).get("features", [])


@pytest.fixture
def viewer(role_users):
    client = APIClient()
    client.force_login(role_users["viewer"])  # tiles are for the browser's map: session sign-in
    return client


@pytest.fixture
def sites(db):
    return {
        "wind": make_site(name="Vindmølle Nørhalne", site_type="wind", geometry=Point(9.92, 57.05, srid=4326)),
        "solar": make_site(
            name="Solpark Sønderholm",
            site_type="solar",
            planning_status="approved",
            geometry=Point(9.93, 57.045, srid=4326),
        ),
    }


def test_a_tile_holds_the_sites_inside_it_with_their_attributes(viewer, sites):
    z, x, y = tile_of(9.92, 57.05, 12)
    response = viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = {f["properties"]["name"]: f["properties"] for f in decode(response.content, "sites")}
    assert set(features) == {"Vindmølle Nørhalne", "Solpark Sønderholm"}
    assert features["Solpark Sønderholm"]["planning_status"] == "approved"
    far = viewer.get("/tiles/sites/12/0/0.pbf")
    assert decode(far.content, "sites") == []


def test_tiles_honour_the_list_filters(viewer, sites):
    z, x, y = tile_of(9.92, 57.05, 12)
    features = decode(viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf?type=wind").content, "sites")
    assert [f["properties"]["name"] for f in features] == ["Vindmølle Nørhalne"]
    assert viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf?type=volcano").status_code == 400


def test_tiles_need_a_role(role_users, sites):
    from django.contrib.auth import get_user_model

    z, x, y = tile_of(9.92, 57.05, 12)
    assert APIClient().get(f"/tiles/sites/{z}/{x}/{y}.pbf").status_code == 401
    nobody = APIClient()
    nobody.force_login(get_user_model().objects.create_user("nobody"))
    assert nobody.get(f"/tiles/sites/{z}/{x}/{y}.pbf").status_code == 403


@pytest.mark.parametrize("path", ["/tiles/sites/23/0/0.pbf", "/tiles/sites/3/8/0.pbf", "/tiles/people/3/1/1.pbf"])
def test_impossible_tiles_are_404(viewer, path):
    assert viewer.get(path).status_code == 404


def test_an_edited_site_is_never_served_stale(viewer, role_users, sites):
    z, x, y = tile_of(9.92, 57.05, 12)
    url = f"/tiles/sites/{z}/{x}/{y}.pbf"
    first = viewer.get(url)
    assert viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304  # cached and unchanged
    editor = APIClient()
    editor.force_authenticate(role_users["editor"])
    moved = editor.patch(
        f"/api/sites/{sites['wind'].pk}/",
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [10.3, 57.3]}},
        format="json",
    )
    assert moved.status_code == 200
    after = viewer.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert [f["properties"]["name"] for f in decode(after.content, "sites")] == ["Solpark Sønderholm"]
    z2, x2, y2 = tile_of(10.3, 57.3, 12)
    there = decode(viewer.get(f"/tiles/sites/{z2}/{x2}/{y2}.pbf").content, "sites")
    assert [f["properties"]["name"] for f in there] == ["Vindmølle Nørhalne"]


def test_even_a_write_around_the_app_invalidates_tiles(viewer, sites):
    z, x, y = tile_of(9.92, 57.05, 12)
    url = f"/tiles/sites/{z}/{x}/{y}.pbf"
    viewer.get(url)
    EnergySite.objects.filter(pk=sites["solar"].pk).update(name="Renamed in SQL")  # no signals, no save()
    names = {f["properties"]["name"] for f in decode(viewer.get(url).content, "sites")}
    assert "Renamed in SQL" in names


def test_partnership_and_symbiosis_tiles(viewer, demo_db):
    z, x, y = tile_of(9.95, 57.03, 9)
    partnerships = decode(viewer.get(f"/tiles/partnerships/{z}/{x}/{y}.pbf").content, "partnerships")
    assert partnerships and {"title", "status", "sector", "organisation_name"} <= set(partnerships[0]["properties"])
    signed_2024 = decode(viewer.get(f"/tiles/partnerships/{z}/{x}/{y}.pbf?year_signed=2024").content, "partnerships")
    assert signed_2024 and {f["properties"]["year_signed"] for f in signed_2024} == {2024}
    symbioses = decode(viewer.get(f"/tiles/symbioses/{z}/{x}/{y}.pbf").content, "symbioses")
    assert len(symbioses) == 5


def test_a_tile_is_a_fixed_number_of_queries(viewer, sites, django_assert_max_num_queries):
    z, x, y = tile_of(9.92, 57.05, 12)
    viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    for i in range(20):
        make_site(name=f"extra {i}", geometry=Point(9.921 + i / 10000, 57.05, srid=4326))
    with django_assert_max_num_queries(4):
        viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf?type=biogas")


def test_losing_the_role_takes_effect_at_once(viewer, role_users, sites):
    z, x, y = tile_of(9.92, 57.05, 12)
    assert viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf").status_code == 200  # permissions now cached
    role_users["viewer"].groups.clear()
    assert viewer.get(f"/tiles/sites/{z}/{x}/{y}.pbf").status_code == 403
