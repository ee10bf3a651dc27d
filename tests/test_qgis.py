"""QGIS 3.22 as planners use it, against the live server: OGC API - Features, WFS and vector tiles through a Basic
auth config (a password, or an API token as the password), and the QGIS project the map page offers.

QGIS runs in its own process (tests/qgis_client.py under the system's Python, see tests/qgis.py): one per test.
(Its own module, like test_ogc_clients.py: a module-wide demo transaction would hide the data from the server.)
"""

import io
import os
import re
import zipfile
from xml.etree import ElementTree

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.gis.db.models import Extent
from django.test import Client

from access.authentication import REALM
from access.models import ApiToken
from ogc.collections import COLLECTIONS
from publish import qgis_project, symbols
from publish.catalogue import published
from publish.layers import Output
from registry.models import EnergySite

from . import qgis
from .test_ogc import LIVE_COUNTS

BASEMAP = "OpenStreetMap"  # no internet in the tests: the basemap layer is valid but draws nothing
# the collections of one geometry type, and that type (the mixed ones declare "Geometry")
ONE_TYPE = {cid: c.layer.geometry_type for cid, c in COLLECTIONS.items() if c.layer.geometry_type != "Geometry"}
# QGIS 3.22's WFS provider reads xsd:date as a string (only dateTime has a type of its own there)
QVARIANT_TYPES = {"integer": {"int", "qlonglong"}, "number": {"double"}, "date": {"QString"}, "datetime": {"QDateTime"}}

live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def served(live_server, settings):
    """The live server with the demo data; its URL."""
    from django.core.management import call_command

    settings.BASIC_AUTH_HTTPS_ONLY = False  # the live server speaks plain HTTP
    call_command("load_demo", stdout=open(os.devnull, "w"))
    return live_server.url


def viewer():
    return get_user_model().objects.get(username="demo-viewer")


def around_the_sites() -> list[float]:
    box = EnergySite.objects.live().aggregate(box=Extent("geometry"))["box"]
    return [box[0] - 2000, box[1] - 2000, box[2] + 2000, box[3] + 2000]


def assert_loaded(layer: dict, collection_id: str):
    assert layer["valid"], (collection_id, layer["log"])
    assert layer["sign_in_requests"] == [], collection_id
    assert layer["feature_count"] == LIVE_COUNTS[collection_id](), collection_id
    if collection_id in ONE_TYPE:
        assert layer["geometry_types"] == [ONE_TYPE[collection_id]], collection_id
        assert layer["wkb_type"] == ONE_TYPE[collection_id], collection_id
    assert set(COLLECTIONS[collection_id].properties) <= set(layer["fields"]), collection_id
    assert layer["drawn_pixels"] > 0, collection_id


@live
def test_every_ogc_collection_loads_in_qgis_with_a_password_or_a_token_and_a_wrong_one_is_refused(served, tmp_path):
    token = ApiToken.issue(user=viewer(), name="QGIS")[1]
    job = {
        **qgis.sign_ins(password=("demo-viewer", "demo"), token=("qgis", token), wrong=("demo-viewer", "not it")),
        "layers": [
            *(qgis.oapif(served, cid, "password") for cid in COLLECTIONS),
            *(qgis.oapif(served, cid, "token") for cid in COLLECTIONS),  # any user name, the token as the password
            qgis.oapif(served, "sites-points", "wrong"),  # last: failures count toward the sign-in limit
        ],
    }
    answer = qgis.run(job, tmp_path)
    assert set(answer["authcfg"]) == {"password", "token", "wrong"}
    *signed_in, refused = answer["layers"]
    for spec, layer in zip(job["layers"][:-1], signed_in, strict=True):
        assert_loaded(layer, spec["name"])
    assert not refused["valid"]
    assert any("Host requires authentication" in line for line in refused["log"]), refused["log"]
    assert refused["sign_in_requests"] == [REALM]


@live
def test_vector_tiles_load_in_qgis_with_basic_sign_in_and_draw_nothing_with_a_wrong_password(served, tmp_path):
    tile_layers = list(published(Output.TILE))
    job = {
        **qgis.sign_ins(viewer=("demo-viewer", "demo"), wrong=("demo-viewer", "not it")),
        "layers": [
            *(qgis.vector_tiles(served, layer, "viewer") for layer in tile_layers),
            qgis.vector_tiles(served, "sites", "wrong"),
        ],
        "render": {"extent": around_the_sites()},
    }
    *signed_in, refused = qgis.run(job, tmp_path)["layers"]
    assert len(signed_in) == len(tile_layers)
    for layer in signed_in:
        assert layer["valid"] and layer["crs"] == "EPSG:3857", layer
        assert layer["drawn_pixels"] > 0 and layer["sign_in_requests"] == [], layer
    # a vector tile layer stays valid (it has no capabilities to fetch): every tile is refused and nothing drawn
    assert refused["drawn_pixels"] == 0 and set(refused["sign_in_requests"]) == {REALM}


def wfs_feature_types(base_url: str) -> list[str]:
    response = requests.get(
        f"{base_url}/wfs/",
        params={"SERVICE": "WFS", "REQUEST": "GetCapabilities", "VERSION": "2.0.0"},
        auth=("demo-viewer", "demo"),
        timeout=60,
    )
    assert response.status_code == 200, response.text[:2000]
    names = ElementTree.fromstring(response.content).iter("{http://www.opengis.net/wfs/2.0}Name")
    return [name.text for name in names]


@live
def test_every_wfs_feature_type_loads_in_qgis_with_typed_fields(served, tmp_path):
    names = wfs_feature_types(served)
    collections = [name.split(":")[-1] for name in names]
    assert sorted(collections) == sorted(COLLECTIONS), names
    job = {**qgis.sign_ins(viewer=("demo-viewer", "demo")), "layers": [qgis.wfs(served, n, "viewer") for n in names]}
    for collection_id, layer in zip(collections, qgis.run(job, tmp_path)["layers"], strict=True):
        assert_loaded(layer, collection_id)
        assert layer["crs"] == "EPSG:25832"
        collection = COLLECTIONS[collection_id]
        for prop in collection.layer.properties_for(Output.OGC):  # typed from DescribeFeatureType, not guessed
            expected = QVARIANT_TYPES.get(collection.layer.property_type(prop))
            if expected:
                assert layer["field_types"][prop.name] in expected, (collection_id, prop.name, layer["field_types"])


# -- the QGIS project ---------------------------------------------------------------------------------------------
def download_project(base_url: str, user) -> bytes:
    """GET /map/registry.qgz from the live server, signed in to the site (the map page's link)."""
    client = Client()
    client.force_login(user)
    cookie = django_settings.SESSION_COOKIE_NAME
    response = requests.get(
        f"{base_url}/map/registry.qgz",
        cookies={cookie: client.cookies[cookie].value},
        headers={"Accept-Language": "en"},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:2000]
    return response.content


def project_document(qgz: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(qgz)) as archive:
        assert archive.namelist() == ["registry.qgs"]
        return archive.read("registry.qgs").decode()


def project_collections() -> list[str]:
    """The collections the project holds: every OGC collection of one geometry type (mixed ones as their parts)."""
    return [cid for cid, collection in COLLECTIONS.items() if not collection.layer.parts]


def assert_styled_like_the_map(layers: dict):
    sites = {c["value"]: c["colour"] for c in layers["registry_sites_points"]["categories"]}
    assert sites == symbols.SITE_COLOURS  # the web map draws with the same table (its config.colours)
    rings = {c["value"]: c["outline"] for c in layers["registry_partnerships"]["categories"]}
    assert rings == symbols.PARTNERSHIP_COLOURS
    for layer_id in ("registry_sites_lines", "registry_sites_areas"):
        assert layers[layer_id]["classified_by"] == "site_type"
    assert layers["registry_symbioses"]["colour"] == symbols.SYMBIOSIS
    assert layers["registry_partnerships"]["label_field"] == "title"
    assert layers["registry_sites_points"]["label_field"] == "name"
    assert layers["registry_sites_points"]["label_scale"] == [50000, 1]  # names from 1:50,000 in
    assert layers["registry_sites_points"]["aliases"]["planning_status"] == "Planning status"


def assert_opens_with_every_layer_grouped_like_the_map(project: dict):
    assert project["read"] and project["crs"] == "EPSG:25832"
    assert [g["name"] for g in project["groups"]] == [
        "Energy sites",
        "Climate partnerships",
        "Surplus-heat symbioses",
        "Surplus heat",
        "Municipality boundary",
        "Basemap",
    ]
    assert project["groups"][0]["layers"] == ["Energy sites (points)", "Energy sites (lines)", "Energy sites (areas)"]
    layers = {layer["id"]: layer for layer in project["layers"]}
    expected = {qgis_project.layer_tree_id(cid): cid for cid in project_collections()}
    assert set(layers) == {*expected, "registry_boundary", "registry_basemap"}
    for layer in project["layers"]:
        if layer["name"] != BASEMAP:
            assert layer["valid"], (layer["name"], layer["error"], project["log"])
    for qgis_id, collection_id in expected.items():
        assert layers[qgis_id]["name"] == str(COLLECTIONS[collection_id].title)
        assert layers[qgis_id]["feature_count"] == LIVE_COUNTS[collection_id](), collection_id
        assert layers[qgis_id]["provider"] == qgis_project.PROVIDER
    assert layers["registry_boundary"]["feature_count"] == 1
    assert_styled_like_the_map(layers)
    assert project["drawn_pixels"] > 2000 and not project["render_errors"]
    assert project["sign_in_requests"] == []


@live
def test_the_downloaded_project_asks_only_for_the_sign_in_and_opens_in_qgis_like_the_map(served, tmp_path):
    qgz = download_project(served, viewer())
    assert not re.search(r"authcfg|password=|user(name)?=", project_document(qgz))  # no credentials in the file
    path = tmp_path / "registry.qgz"
    path.write_bytes(qgz)
    job = {
        **qgis.sign_ins(viewer=("demo-viewer", "demo")),  # what the planner types into QGIS's sign-in dialog
        "projects": [{"path": str(path)}, {"path": str(path), "sign_in": "viewer", "server": f"{served}/"}],
        "render": {"skip": [BASEMAP], "size": 400},
    }
    as_it_is, signed_in = qgis.run(job, tmp_path)["projects"]
    # as it is: every request of a data layer is a 401 asking for Basic, where QGIS Desktop shows its sign-in dialog
    web = [layer for layer in as_it_is["layers"] if layer["provider"] == qgis_project.PROVIDER]
    assert len(web) == len(project_collections()) and not any(layer["valid"] for layer in web)
    assert set(as_it_is["sign_in_requests"]) == {REALM}
    assert any("Host requires authentication" in line for line in as_it_is["log"]), as_it_is["log"]
    others = [layer["valid"] for layer in as_it_is["layers"] if layer["provider"] != qgis_project.PROVIDER]
    assert others == [True, True]  # the boundary (carried in the file) and the basemap ask for nothing
    assert_opens_with_every_layer_grouped_like_the_map(signed_in)


# -- the download itself (no QGIS) -------------------------------------------------------------------------------
def test_the_project_needs_the_map_pages_permission(client, django_user_model):
    assert client.get("/map/registry.qgz").status_code == 302  # to the sign-in page
    client.force_login(django_user_model.objects.create_user("no-role"))
    assert client.get("/map/registry.qgz").status_code == 403


def test_the_project_points_at_this_servers_layers_that_the_user_may_read(client_for):
    response = client_for("viewer").get("/map/registry.qgz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-qgis-project-container"
    assert response["Content-Disposition"] == 'attachment; filename="registry.qgz"'
    document = ElementTree.fromstring(project_document(response.content))
    sources = {e.findtext("layername"): e.findtext("datasource") for e in document.iter("maplayer")}
    expected = {str(COLLECTIONS[cid].title): qgis_project.WFS_PREFIX + ":" + cid for cid in project_collections()}
    data = {name: source for name, source in sources.items() if name not in {BASEMAP, "Municipality boundary"}}
    assert {name: re.search(r"typename='([^']+)'", source).group(1) for name, source in data.items()} == expected
    assert all("url='http://testserver/wfs/'" in source for source in data.values())
    assert document.find("projectCrs/spatialrefsys/authid").text == "EPSG:25832"


def test_a_user_who_reads_only_energy_sites_gets_only_their_layers(client, django_user_model):
    user = django_user_model.objects.create_user("sites-only")
    user.user_permissions.add(Permission.objects.get(codename="view_energysite"))
    client.force_login(user)
    document = project_document(client.get("/map/registry.qgz").content)
    typenames = re.findall(r"typename='([^']+)'", document)
    assert set(typenames) == {"app:sites-points", "app:sites-lines", "app:sites-areas"}


def test_the_project_speaks_the_users_language_and_has_the_map_pages_basemap(client_for, settings):
    settings.MAP_DATAFORSYNINGEN_TOKEN = "a-token"
    response = client_for("viewer").get("/map/registry.qgz", HTTP_ACCEPT_LANGUAGE="da")
    document = ElementTree.fromstring(project_document(response.content))
    groups = [group.get("name") for group in document.find("layer-tree-group").findall("layer-tree-group")]
    assert groups[0] == "Energianlæg" and "Kommunegrænse" in groups
    layers = {layer.findtext("id"): layer for layer in document.iter("maplayer")}
    categories = layers["registry_sites_points"].findall("renderer-v2/categories/category")
    assert {c.get("value"): c.get("label") for c in categories}["wind"] == "Vindmøller"
    basemap = layers["registry_basemap"]
    assert basemap.findtext("layername") == "Skærmkort (Dataforsyningen)"
    assert "token%3Da-token" in basemap.findtext("datasource")
