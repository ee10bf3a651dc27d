"""Hostile parameters on /ogc/: each a 400 naming the parameter and the reason, never a 500. Then Schemathesis
against the OGC API - Features definition (/ogc/api), signed in, over every operation: zero server errors, and
every response (status, content type, headers, body) as the definition documents it.

Every check runs but positive_data_acceptance: that one expects every schema-valid request to succeed, and
some rules are not JSON Schema's to say (a bbox's min <= max, an interval's order, a municipality code that
exists). negative_data_rejection stays: a request the definition rules out must be refused, not ignored.

Bounded here (a few examples per operation) to keep CI fast; for a longer run by hand:
  st run http://127.0.0.1:8000/ogc/api -H "Authorization: Token <key>" -n 200 \
    -c all --exclude-checks positive_data_acceptance
"""

import pytest
from django.contrib.gis.geos import Point

from tests.conftest import AALBORG_CENTRE, make_site

from .fuzzing import run_schemathesis

ITEMS = "/ogc/collections/sites/items"
HUGE = "9" * 5000  # past the 4,300 digits Python's int() converts
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.fixture
def viewer(db, client_for):
    make_site()
    return client_for("viewer")


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "NaN,NaN,NaN,NaN"},
        {"bbox": "-inf,-inf,inf,inf"},
        {"bbox": "9,57,10,inf"},
        {"bbox": "9.8,57.1,9.9,57.0"},  # north below south
        {"bbox": "9,-100,10,100"},  # latitude out of range for CRS84
        {"bbox": "-200,56,10,57"},  # longitude out of range for CRS84
        {"bbox": "9,56,10"},
        {"bbox": "9,56,0,10,57"},
        {"bbox": "9,56,0,10,57,0,1"},
        {"bbox": "9,56,ten,57"},
        {"bbox": "9,56,10,57", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4258"},
        {"bbox": "9,56,10,57,0,nan"},
        {"bbox-crs": "EPSG:4326"},  # without a bbox: refused too, not ignored
        {"datetime": "2024-13-45"},
        {"datetime": "yesterday/tomorrow"},
        {"datetime": "../.."},
        {"datetime": "2025-01-01/2024-01-01"},
        {"limit": "abc"},
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "\u00b2"},  # a digit to str.isdigit(), not to int()
        {"after": "-1"},
        {"after": "\u00b2"},
        {"after": "99999999999999999999"},  # past the largest id
        {"after": HUGE},
        {"offset": "10"},
        {"organisation": ""},  # django-filter ignores an empty value
        {"type": ["wind", ""]},
    ],
)
def test_bad_items_parameters_are_400_naming_the_parameter(viewer, params):
    response = viewer.get(ITEMS, params)
    assert response.status_code == 400, (params, response.content)
    body = response.json()
    named = "bbox-crs" if "bbox-crs" in params else next(iter(params))
    assert body["code"] == "invalid" and body["description"][named][0], body


def test_a_limit_above_the_maximum_is_the_maximum_however_many_digits(viewer):
    make_site(name="Second site", geometry=Point(558_000, 6_322_900, srid=25832))
    for limit, returned in (("10001", 2), (HUGE, 2), ("00000000000000000000000001", 1)):
        response = viewer.get(ITEMS, {"limit": limit})
        assert response.status_code == 200, (limit, response.content)
        assert response.json()["numberReturned"] == returned, limit


def test_a_lon_lat_bbox_larger_than_denmark_finds_every_site_and_one_elsewhere_none(viewer):
    make_site(name="Second site", geometry=Point(558_000, 6_322_900, srid=25832))
    lon, lat = AALBORG_CENTRE.transform(4326, clone=True).coords
    for bbox, returned in (
        ("-180,-90,180,90", 2),
        ("0,50,20,60", 2),
        (f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}", 1),
        ("100,0,110,10", 0),
        ("-180,-90,-179,-89", 0),
        (f"{lon},{lat - 1},{lon},{lat - 1}", 0),  # a point box
    ):
        response = viewer.get(ITEMS, {"bbox": bbox, "bbox-crs": CRS84_URI})
        assert response.status_code == 200, (bbox, response.content)
        assert response.json()["numberReturned"] == returned, bbox


def test_a_feature_id_no_feature_can_have_is_404(viewer):
    for feature_id in ("\u00b2", HUGE, "99999999999999999999", "-1"):
        response = viewer.get(f"{ITEMS}/{feature_id}")
        assert response.status_code == 404, (feature_id, response.content)
        assert response.json()["code"] == "not_found"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_ogc_operation_answers_as_documented_and_never_with_a_server_error(live_server, client):
    options = ("-n", "6", "-c", "all", "--exclude-checks", "positive_data_acceptance")
    selected = run_schemathesis(f"{live_server.url}/ogc/api", *options, tail=20000)
    operations = sum(len(methods) for methods in client.get("/ogc/api").json()["paths"].values())
    # Schemathesis may leave out GET /api, which has no parameter to vary; every other operation is tested
    assert selected >= operations - 1
