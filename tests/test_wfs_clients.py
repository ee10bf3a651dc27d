"""WFS 2.0 with clients nobody here wrote, against the live server: GDAL's WFS driver and OWSLib.

(Its own module, like test_ogc_clients.py: a module-wide demo transaction would hide the data from the live server.)
"""

import json
import os
import re
import subprocess

import geopandas as gpd
import pytest
import requests

from publish.layers import Output
from registry.models import EnergySite
from wfs.views import LAYERS

from .test_wfs import API_LISTS

live = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DEMO_VIEWER = ("demo-viewer", "demo")
# OGR field and geometry types as GDAL reads them from DescribeFeatureType. GDAL takes GML 3.2's
# MultiSurface/MultiCurve/Curve property types for its curve-capable types; the features in them are linear.
OGR_TYPES = {"integer": "Integer", "number": "Real", "string": "String", "date": "Date", "datetime": "DateTime"}
OGR_GEOMETRIES = {
    "Point": "Point",
    "MultiPoint": "Multi Point",
    "LineString": "Compound Curve",
    "MultiLineString": "Multi Curve",
    "MultiPolygon": "Multi Surface",
    "Geometry": "Unknown (any)",
}


@pytest.fixture
def served(live_server):
    from django.core.management import call_command

    call_command("load_demo", stdout=open(os.devnull, "w"))
    return live_server.url


def api_counts(base: str) -> dict[str, int]:
    """Per feature type, the number of records the API lists (by geometry type for the parts)."""
    counts = {}
    for type_name, (path, types) in API_LISTS.items():
        listed = requests.get(f"{base}{path}", {"page_size": 1000}, auth=DEMO_VIEWER, timeout=60).json()
        if types is None:
            counts[type_name] = listed["count"]
        else:
            counts[type_name] = sum(1 for f in listed["features"] if f["geometry"]["type"] in types)
    return counts


def gdal(*args, timeout=300) -> str:
    env = {**os.environ, "GDAL_HTTP_USERPWD": ":".join(DEMO_VIEWER), "GDAL_HTTP_AUTH": "BASIC"}
    run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stderr[-4000:]
    return run.stdout


def ogr_types(path, layer: str) -> dict[str, str]:
    """The layer's field types, and its geometry type under `Geometry`."""
    summary = gdal("ogrinfo", "-ro", "-so", str(path), layer)
    return dict(re.findall(r"^(\w+): (\w[\w ()]*?)(?: \(\d+\.\d+\))?$", summary, flags=re.MULTILINE))


@live
def test_gdal_copies_every_feature_type_to_a_geopackage_with_the_apis_counts_and_typed_fields(served, tmp_path):
    url = f"WFS:{served}/wfs/"
    listing = gdal("ogrinfo", "-ro", "-q", url)
    for type_name in LAYERS:
        assert re.search(rf": app:{re.escape(type_name)} \(", listing), (type_name, listing)
    target = tmp_path / "registry.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(target), url)
    expected = api_counts(served)
    for type_name, layer in LAYERS.items():
        frame = gpd.read_file(target, layer=f"app:{type_name}")  # GDAL keeps the namespace prefix in layer names
        assert len(frame) == expected[type_name], type_name
        types = ogr_types(target, f"app:{type_name}")
        assert types["Geometry"] == OGR_GEOMETRIES[layer.geometry_type], type_name
        for prop in layer.properties_for(Output.OGC):
            assert types[prop.name] == OGR_TYPES[layer.property_type(prop)], (type_name, prop.name)
    stored = EnergySite.objects.get(external_id="demo:site:wind-existing:1")
    row = gpd.read_file(target, layer="app:sites-points").query("external_id == 'demo:site:wind-existing:1'").iloc[0]
    assert row["name"] == stored.name and row["capacity"] == pytest.approx(float(stored.capacity))
    (point,) = row.geometry.geoms  # the points part is MultiPoint throughout
    assert (point.x, point.y) == pytest.approx((stored.geometry.x, stored.geometry.y), abs=0.001)


@live
def test_owslib_lists_the_feature_types_and_reads_features(served):
    from owslib.wfs import WebFeatureService

    service = WebFeatureService(f"{served}/wfs/", version="2.0.0", username="demo-viewer", password="demo")
    assert [name.removeprefix("app:") for name in service.contents] == list(LAYERS)
    sites = service.contents["app:sites-points"]
    assert [str(crs) for crs in sites.crsOptions][:1] == ["urn:ogc:def:crs:EPSG::25832"]
    expected = api_counts(served)
    response = service.getfeature(typename=["app:heat-sources"], outputFormat="application/json")
    features = json.loads(response.read())["features"]
    assert len(features) == expected["heat-sources"]
    assert {"name", "organisation", "organisation_name", "surplus_heat_mwh_per_yr"} <= set(features[0]["properties"])
    schema = service.get_schema("app:sites")
    assert schema["properties"]["commissioning_year"] == "integer"
