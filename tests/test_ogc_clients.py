"""OGC API - Features with clients nobody here wrote, against the live server: GDAL, OWSLib and ogctests.

(Its own module: the module-wide demo transaction of test_ogc.py would hide the data from the live server.)
"""

import os
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from access.models import ApiToken
from ogc.collections import COLLECTIONS
from registry.models import EnergySite, HeatSource

from .test_ogc import LIVE_COUNTS

ROOT = Path(__file__).resolve().parent.parent
OGCTESTS_PYTHON = ROOT / ".venv-ogctests" / "bin" / "python"


@pytest.fixture
def served(live_server, django_db_blocker):
    from django.core.management import call_command

    call_command("load_demo", stdout=open(os.devnull, "w"))
    from django.contrib.auth import get_user_model

    _, key = ApiToken.issue(user=get_user_model().objects.get(username="demo-viewer"), name="gis client")
    return f"{live_server.url}/ogc/", key


live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# OGR's names for the collections' declared geometry types
OGR_TYPES = {
    "Point": "Point",
    "MultiPoint": "MultiPoint",
    "LineString": "LineString",
    "MultiLineString": "MultiLineString",
    "MultiPolygon": "MultiPolygon",
}


@live
def test_gdal_lists_the_collections_and_copies_every_layer_to_a_geopackage(served, tmp_path):
    url, _key = served
    # as a planner runs GDAL: with the name and password of the account
    env = {**os.environ, "GDAL_HTTP_USERPWD": "demo-viewer:demo", "GDAL_HTTP_AUTH": "BASIC"}
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-q", f"OAPIF:{url}"], env=env, capture_output=True, text=True, timeout=120
    )
    assert listing.returncode == 0, listing.stderr
    for collection_id in COLLECTIONS:
        assert f": {collection_id} (" in listing.stdout
    target = tmp_path / "registry.gpkg"
    single = [cid for cid, c in COLLECTIONS.items() if c.layer.geometry_type != "Geometry"]
    mixed = [cid for cid in COLLECTIONS if cid not in single]
    # one geometry type per collection: a conformant GeoPackage without -nlt; only the combined ones need it
    for layers, options in ((single, []), (mixed, ["-update", "-nlt", "GEOMETRY"])):
        copied = subprocess.run(
            ["ogr2ogr", "-f", "GPKG", *options, str(target), f"OAPIF:{url}", *layers],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert copied.returncode == 0, copied.stderr
        assert "Warning" not in copied.stderr, copied.stderr
    info = pyogrio.list_layers(target)
    declared = dict(info.tolist())
    for collection_id, collection in COLLECTIONS.items():
        frame = gpd.read_file(target, layer=collection_id)
        assert len(frame) == LIVE_COUNTS[collection_id](), collection_id
        assert set(collection.properties) <= set(frame.columns), collection_id
        if collection_id in single:
            assert declared[collection_id] == OGR_TYPES[collection.layer.geometry_type], collection_id
            assert set(frame.geometry.geom_type) <= {collection.layer.geometry_type}, collection_id
    # nullable numbers empty on every line site are still numbers (typed from the collection's schema)
    lines = pyogrio.read_info(target, layer="sites-lines")
    types = dict(zip(lines["fields"], lines["dtypes"]))
    assert types["commissioning_year"].startswith("int") and types["capacity"] == "float64"
    stored = EnergySite.objects.get(external_id="demo:site:wind-existing:1")
    row = gpd.read_file(target, layer="sites").query("external_id == 'demo:site:wind-existing:1'").iloc[0]
    assert row["name"] == stored.name and row["capacity"] == pytest.approx(float(stored.capacity))
    lon, lat = stored.geometry.transform(4326, clone=True).coords
    assert (row.geometry.x, row.geometry.y) == pytest.approx((lon, lat), abs=1e-6)


@live
def test_owslib_reads_the_collections_and_their_features(served):
    from owslib.ogcapi.features import Features

    url, key = served
    service = Features(url, headers={"Authorization": f"Token {key}"})
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in service.conformance()["conformsTo"]
    assert [c["id"] for c in service.collections()["collections"]] == list(COLLECTIONS)
    sources = service.collection_items("heat-sources", limit=100)
    assert len(sources["features"]) == HeatSource.objects.live().count()
    first = sources["features"][0]
    assert service.collection_item("heat-sources", str(first["id"]))["properties"] == first["properties"]
    wind = service.collection_items("sites", type="wind", limit=1000)
    assert {f["properties"]["site_type"] for f in wind["features"]} == {"wind"}


@live
def test_the_ogctests_core_conformance_suite_passes(served, tmp_path):
    url, key = served
    junit = tmp_path / "ogctests.xml"
    run = subprocess.run(
        [str(OGCTESTS_PYTHON), str(ROOT / "tests" / "ogctests_runner.py"), url.rstrip("/"), key, str(junit)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    report = junit.read_text()
    assert 'failures="0"' in report and 'errors="0"' in report and 'skipped="0"' in report
    assert report.count("<testcase") >= 29
