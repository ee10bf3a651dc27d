"""WFS 2.0 under /wfs/ (django-gisserver): what each request returns, types, counts, CRS, paging, sign-in."""

import base64
import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree

from access.models import ApiToken
from partnerships.models import ClimatePartnership
from registry.models import EnergySite, OrganisationSite
from wfs.views import LAYERS, XML_NAMESPACE

pytestmark = pytest.mark.django_db
NS = {
    "wfs": "http://www.opengis.net/wfs/2.0",
    "gml": "http://www.opengis.net/gml/3.2",
    "ows": "http://www.opengis.net/ows/1.1",
    "xsd": "http://www.w3.org/2001/XMLSchema",
    "app": XML_NAMESPACE,
}
UTM = "urn:ogc:def:crs:EPSG::25832"
# Per feature type: the API list it counts like, and the geometry types (GeoJSON names) it holds
API_LISTS = {
    "sites": ("/api/sites/", None),
    "sites-points": ("/api/sites/", {"Point", "MultiPoint"}),
    "sites-areas": ("/api/sites/", {"Polygon", "MultiPolygon"}),
    "sites-lines": ("/api/sites/", {"LineString", "MultiLineString"}),
    "partnerships": ("/api/partnerships/", None),
    "organisation-sites": ("/api/organisation-sites/", None),
    "symbioses": ("/api/symbioses/", None),
    "heat-sources": ("/api/heat-sources/", None),
    "heating-networks": ("/api/heating-networks/", None),
    "heating-networks-areas": ("/api/heating-networks/", {"Polygon", "MultiPolygon"}),
    "heating-networks-pipes": ("/api/heating-networks/", {"LineString", "MultiLineString"}),
}


@pytest.fixture
def viewer(demo_db, client_for):
    return client_for("viewer")


def wfs(client, request, headers=None, **params):
    return client.get("/wfs/", {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": request, **params}, **(headers or {}))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def xml(response):
    assert response.status_code == 200, body(response)[:2000]
    return etree.fromstring(body(response))


def basic(username: str, password: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def api_count(client, layer_id: str) -> int:
    path, types = API_LISTS[layer_id]
    listed = client.get(path, {"page_size": 1000}).json()
    if types is None:
        return listed["count"]
    assert listed["count"] == len(listed["features"]), "one page holds the whole demo list"
    return sum(1 for f in listed["features"] if f["geometry"]["type"] in types)


def listed_types(client) -> list[str]:
    names = xml(wfs(client, "GetCapabilities")).xpath("//wfs:FeatureType/wfs:Name/text()", namespaces=NS)
    return [name.removeprefix("app:") for name in names]


def test_capabilities_list_every_layer_and_part_with_both_crss(viewer):
    assert API_LISTS.keys() == LAYERS.keys()
    document = xml(wfs(viewer, "GetCapabilities"))
    assert listed_types(viewer) == list(LAYERS)
    sites = document.xpath("//wfs:FeatureType[wfs:Name='app:sites-points']", namespaces=NS)[0]
    assert sites.findtext("wfs:Title", namespaces=NS) == "Energy sites (points)"
    assert sites.findtext("wfs:DefaultCRS", namespaces=NS) == UTM
    assert sites.xpath("wfs:OtherCRS/text()", namespaces=NS) == ["urn:ogc:def:crs:EPSG::4326"]
    lower = sites.findtext("ows:WGS84BoundingBox/ows:LowerCorner", namespaces=NS).split()
    assert 8 < float(lower[0]) < 11 and 56 < float(lower[1]) < 58  # lon lat, around Aalborg
    formats = document.xpath("//ows:Operation[@name='GetFeature']//ows:Value/text()", namespaces=NS)
    assert {"application/gml+xml; version=3.2", "application/json; subtype=geojson; charset=utf-8"} <= set(formats)


def element_types(client, type_name: str) -> dict[str, str]:
    schema = xml(wfs(client, "DescribeFeatureType", TYPENAMES=type_name))
    complex_type = schema.xpath(f"//xsd:complexType[@name='{type_name[0].upper()}{type_name[1:]}Type']", namespaces=NS)
    return {e.get("name"): e.get("type") for e in complex_type[0].iterfind(".//xsd:element", namespaces=NS)}


def test_describe_feature_type_types_every_field_and_declares_each_geometry_type(viewer):
    sites = element_types(viewer, "sites")
    assert (sites["commissioning_year"], sites["capacity"], sites["name"]) == ("integer", "double", "string")
    assert (sites["operator"], sites["operator_name"], sites["updated_at"]) == ("integer", "string", "dateTime")
    partnerships = element_types(viewer, "partnerships")
    assert partnerships["signed_on"] == partnerships["dialogue_started_on"] == "date"
    geometry = {type_name: element_types(viewer, type_name)["geometry"] for type_name in LAYERS}
    assert geometry == {
        "sites": "gml:GeometryPropertyType",
        "sites-points": "gml:MultiPointPropertyType",
        "sites-areas": "gml:MultiSurfacePropertyType",
        "sites-lines": "gml:MultiCurvePropertyType",
        "partnerships": "gml:MultiPointPropertyType",
        "organisation-sites": "gml:PointPropertyType",
        "symbioses": "gml:CurvePropertyType",
        "heat-sources": "gml:PointPropertyType",
        "heating-networks": "gml:GeometryPropertyType",
        "heating-networks-areas": "gml:MultiSurfacePropertyType",
        "heating-networks-pipes": "gml:MultiCurvePropertyType",
    }
    every = xml(wfs(viewer, "DescribeFeatureType"))
    assert len(every.xpath("/xsd:schema/xsd:element", namespaces=NS)) == len(LAYERS)


@pytest.mark.parametrize("type_name", list(API_LISTS))
def test_every_feature_type_counts_what_the_api_lists(viewer, type_name):
    hits = xml(wfs(viewer, "GetFeature", TYPENAMES=type_name, RESULTTYPE="hits"))
    expected = api_count(viewer, type_name)
    assert expected > 0 and int(hits.get("numberMatched")) == expected


def test_parts_hold_their_geometry_type_as_multi_geometries(viewer):
    surfaces = xml(wfs(viewer, "GetFeature", TYPENAMES="sites-areas"))
    assert len(surfaces.xpath("//app:geometry/*", namespaces=NS)) == api_count(viewer, "sites-areas")
    assert {etree.QName(g).localname for g in surfaces.xpath("//app:geometry/*", namespaces=NS)} == {"MultiSurface"}
    pipes = xml(wfs(viewer, "GetFeature", TYPENAMES="heating-networks-pipes"))
    assert {etree.QName(g).localname for g in pipes.xpath("//app:geometry/*", namespaces=NS)} == {"MultiCurve"}


def all_pages(client, **params) -> tuple[list[str], int]:
    """Follow the `next` links; (gml:ids, number of pages)."""
    response = wfs(client, "GetFeature", **params)
    ids, pages = [], 0
    while True:
        document = xml(response)
        ids += document.xpath("//wfs:member/*/@gml:id", namespaces=NS)
        pages += 1
        if not document.get("next"):
            return ids, pages
        response = client.get(document.get("next"))


def test_paging_by_count_and_startindex_returns_every_feature_once(viewer):
    ids, pages = all_pages(viewer, TYPENAMES="sites", COUNT=7)
    assert len(ids) == len(set(ids)) == EnergySite.objects.live().count()
    assert pages == -(-len(ids) // 7)
    second = xml(wfs(viewer, "GetFeature", TYPENAMES="sites", COUNT=7, STARTINDEX=7))
    assert second.xpath("//wfs:member/*/@gml:id", namespaces=NS) == ids[7:14]


def test_bbox_in_utm_and_in_lat_lon(viewer):
    box = Polygon.from_bbox((553_000, 6_318_000, 560_000, 6_326_000))
    box.srid = 25832
    expected = {
        f"sites.{pk}" for pk in EnergySite.objects.live().filter(geometry__intersects=box).values_list("pk", flat=True)
    }
    assert expected, "the demo data has sites around Aalborg"
    in_utm, _ = all_pages(viewer, TYPENAMES="sites", BBOX=f"553000,6318000,560000,6326000,{UTM}")
    assert set(in_utm) == expected
    lon1, lat1, lon2, lat2 = box.transform(4326, clone=True).extent
    in_degrees, _ = all_pages(viewer, TYPENAMES="sites", BBOX=f"{lat1},{lon1},{lat2},{lon2},urn:ogc:def:crs:EPSG::4326")
    assert expected <= set(in_degrees)  # the lat/lon box holds the UTM box and a sliver more
    copenhagen, _ = all_pages(viewer, TYPENAMES="sites", BBOX="55.6,12.5,55.7,12.6,urn:ogc:def:crs:EPSG::4326")
    assert copenhagen == []


def test_partnerships_by_bbox_are_those_with_a_site_inside(viewer):
    box = Polygon.from_bbox((553_000, 6_318_000, 560_000, 6_326_000))
    box.srid = 25832
    inside = ClimatePartnership.objects.live().filter(
        memberships__organisation__sites__location__intersects=box,
        memberships__organisation__sites__archived_at__isnull=True,
    )
    expected = {f"partnerships.{pk}" for pk in inside.values_list("pk", flat=True)}
    assert expected
    found, _ = all_pages(viewer, TYPENAMES="partnerships", BBOX=f"553000,6318000,560000,6326000,{UTM}", COUNT=10)
    assert set(found) == expected and len(found) == len(expected)


def test_property_names_and_sorting_work_on_wrapped_geometries_and_flattened_names(viewer):
    document = xml(
        wfs(
            viewer,
            "GetFeature",
            TYPENAMES="sites-areas",
            PROPERTYNAME="name,operator_name,geometry",
            SORTBY="name DESC",
        )
    )
    names = document.xpath("//app:name/text()", namespaces=NS)
    assert names == sorted(names, reverse=True) and len(names) == api_count(viewer, "sites-areas")
    assert not document.xpath("//app:capacity", namespaces=NS)
    assert len(document.xpath("//app:geometry/gml:MultiSurface", namespaces=NS)) == len(names)


def test_a_page_reads_its_features_in_a_fixed_number_of_queries(viewer):
    xml(wfs(viewer, "GetFeature", TYPENAMES="sites", COUNT=1))  # the user's permissions are read once
    with CaptureQueriesContext(connection) as queries:
        document = xml(wfs(viewer, "GetFeature", TYPENAMES="sites", COUNT=100))
    assert len(document.xpath("//wfs:member", namespaces=NS)) == EnergySite.objects.live().count()
    assert len(document.xpath("//app:operator_name/text()", namespaces=NS)) > 1
    # the user, the features, their operators' names (one prefetch); no count: the page holds them all
    assert len(queries) == 3, [q["sql"][:80] for q in queries]


def position(client, site, **params) -> list[float]:
    params = {"TYPENAMES": "sites-points", "RESOURCEID": f"sites-points.{site.pk}", **params}
    found = xml(wfs(client, "GetFeature", **params)).xpath("//app:geometry//gml:pos/text()", namespaces=NS)
    return [float(v) for v in found[0].split()]


def test_coordinates_in_utm_and_in_wgs84(viewer):
    site = EnergySite.objects.get(external_id="demo:site:wind-existing:1")
    assert position(viewer, site) == pytest.approx([site.geometry.x, site.geometry.y], abs=0.001)
    lon, lat = site.geometry.transform(4326, clone=True).coords
    assert position(viewer, site, SRSNAME="urn:ogc:def:crs:EPSG::4326") == pytest.approx([lat, lon], abs=1e-7)
    by_id = {"TYPENAMES": "sites-points", "RESOURCEID": f"sites-points.{site.pk}"}
    geojson = wfs(viewer, "GetFeature", SRSNAME="EPSG:4326", OUTPUTFORMAT="geojson", **by_id)  # legacy name: lon/lat
    feature = json.loads(body(geojson))["features"][0]
    assert feature["geometry"]["type"] == "MultiPoint"  # the points part: a wind farm may be several points
    assert feature["geometry"]["coordinates"] == [pytest.approx([lon, lat], abs=1e-7)]
    assert feature["properties"]["capacity"] == float(site.capacity)  # a number, not the string of a Decimal


def test_partnerships_are_drawn_at_their_organisations_sites(viewer):
    sites = Count(
        "memberships__organisation__sites", filter=Q(memberships__organisation__sites__archived_at__isnull=True)
    )
    partnership = ClimatePartnership.objects.live().annotate(sites=sites).order_by("-sites", "pk").first()
    assert partnership.sites > 1, "the demo data has a partnership of organisations with more than one site"
    document = xml(wfs(viewer, "GetFeature", TYPENAMES="partnerships", RESOURCEID=f"partnerships.{partnership.pk}"))
    points = document.xpath("//app:geometry/gml:MultiPoint//gml:pos/text()", namespaces=NS)
    expected = OrganisationSite.objects.live().filter(organisation__memberships__partnership=partnership)
    assert sorted(tuple(round(float(v), 3) for v in p.split()) for p in points) == sorted(
        (round(s.location.x, 3), round(s.location.y, 3)) for s in expected
    )
    assert document.findtext(".//app:title", namespaces=NS) == partnership.title


def test_the_apis_filters_narrow_a_layer_and_a_bad_value_is_400(viewer):
    wind = xml(wfs(viewer, "GetFeature", TYPENAMES="sites", type="wind"))
    assert set(wind.xpath("//app:site_type/text()", namespaces=NS)) == {"wind"}
    assert int(wind.get("numberMatched")) == EnergySite.objects.live().filter(site_type="wind").count()
    refused = wfs(viewer, "GetFeature", TYPENAMES="sites", type="nuclear")
    assert refused.status_code == 400 and b"InvalidParameterValue" in body(refused)


def test_a_filter_and_get_property_value_read_the_flattened_organisation_name(viewer):
    site = EnergySite.objects.live().filter(operator__isnull=False).order_by("pk").first()
    fes = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
        f"<fes:ValueReference>operator_name</fes:ValueReference><fes:Literal>{site.operator.name}</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    found = xml(wfs(viewer, "GetFeature", TYPENAMES="sites", FILTER=fes))
    assert f"sites.{site.pk}" in found.xpath("//wfs:member/*/@gml:id", namespaces=NS)
    assert set(found.xpath("//app:operator_name/text()", namespaces=NS)) == {site.operator.name}
    values = xml(wfs(viewer, "GetPropertyValue", TYPENAMES="sites", VALUEREFERENCE="operator_name", FILTER=fes))
    assert site.operator.name in etree.tostring(values, encoding=str)


def test_without_credentials_or_with_wrong_ones_the_answer_asks_for_basic(client, demo_db, role_users):
    for headers in ({}, basic("demo-viewer", "wrong"), {"HTTP_AUTHORIZATION": "Token not-a-token"}):
        for request in ("GetCapabilities", "DescribeFeatureType", "GetFeature"):
            response = client.get("/wfs/", {"SERVICE": "WFS", "REQUEST": request, "TYPENAMES": "sites"}, **headers)
            assert response.status_code == 401, (headers, request)
            assert response["WWW-Authenticate"].startswith("Basic realm=")
    token, key = ApiToken.issue(user=role_users["viewer"], name="qgis")
    assert wfs(client, "GetCapabilities", basic("anyone", key)).status_code == 200  # Basic with a token
    token.revoke()
    for headers in (basic("anyone", key), {"HTTP_AUTHORIZATION": f"Token {key}"}):
        assert client.get("/wfs/", {"REQUEST": "GetCapabilities"}, **headers).status_code == 401
    assert client.get("/wfs/", **basic("demo-viewer", "demo")).status_code == 200  # the HTML page, signed in


def test_basic_over_plain_http_is_refused_where_https_is_required(client, demo_db, role_users, settings):
    settings.BASIC_AUTH_HTTPS_ONLY = True
    refused = wfs(client, "GetCapabilities", basic("demo-viewer", "demo"))
    assert refused.status_code == 401 and b"HTTPS" in refused.content
    assert wfs(client, "GetCapabilities", {**basic("demo-viewer", "demo"), "secure": True}).status_code == 200
    _, key = ApiToken.issue(user=role_users["viewer"], name="script")
    assert wfs(client, "GetCapabilities", {"HTTP_AUTHORIZATION": f"Bearer {key}"}).status_code == 200


def test_a_layer_needs_its_view_permission(client, demo_db, django_user_model):
    outsider = django_user_model.objects.create_user("no-role", password="secret-enough-1")
    client.force_login(outsider)
    assert listed_types(client) == []
    for request, params in (
        ("DescribeFeatureType", {}),
        ("GetFeature", {"TYPENAMES": "sites"}),
        ("DescribeFeatureType", {"TYPENAMES": "sites-points"}),
        ("GetPropertyValue", {"TYPENAMES": "sites", "VALUEREFERENCE": "name"}),
        ("GetFeature", {"STOREDQUERY_ID": "urn:ogc:def:query:OGC-WFS::GetFeatureById", "ID": "sites.1"}),
    ):
        response = wfs(client, request, **params)
        assert response.status_code == 403 and b"PermissionDenied" in body(response), request
    sites_only = Group.objects.create(name="sites readers")
    sites_only.permissions.add(Permission.objects.get(codename="view_energysite"))
    outsider.groups.add(sites_only)
    outsider = django_user_model.objects.get(pk=outsider.pk)  # permissions are cached per user object
    client.force_login(outsider)
    assert listed_types(client) == [name for name in LAYERS if name.startswith("sites")]
    assert wfs(client, "GetFeature", TYPENAMES="partnerships").status_code == 403


def test_anonymous_reading_when_it_is_open(client, demo_db, settings):
    settings.API_ANONYMOUS_READ = True
    assert listed_types(client) == list(LAYERS)
    assert int(xml(wfs(client, "GetFeature", TYPENAMES="heat-sources", RESULTTYPE="hits")).get("numberMatched")) > 0


def test_a_session_post_needs_its_csrf_token(demo_db, role_users):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(role_users["viewer"])
    query = f'<wfs:GetCapabilities service="WFS" xmlns:wfs="{NS["wfs"]}"/>'
    assert browser.post("/wfs/", query, content_type="text/xml").status_code == 403
    assert browser.get("/wfs/", {"SERVICE": "WFS", "REQUEST": "GetCapabilities"}).status_code == 200


def test_xml_post_requests_are_answered(client, demo_db):
    query = (
        '<wfs:GetFeature service="WFS" version="2.0.0" count="3" xmlns:wfs="http://www.opengis.net/wfs/2.0" '
        f'xmlns:app="{XML_NAMESPACE}"><wfs:Query typeNames="app:heat-sources"/></wfs:GetFeature>'
    )
    response = client.post("/wfs/", query, content_type="text/xml", **basic("demo-viewer", "demo"))
    assert len(xml(response).xpath("//wfs:member", namespaces=NS)) == 3


def test_the_html_page_lists_what_the_user_may_read(viewer):
    page = viewer.get("/wfs/")
    assert page.status_code == 200
    assert set(re.findall(r"sites-points|heat-sources", page.content.decode())) == {"sites-points", "heat-sources"}
