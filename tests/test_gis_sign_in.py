"""Sign-in that GIS clients can use: HTTP Basic (name and password, or an API token as the password), Bearer.

The planner's account is made as an administrator makes one: a user with a password, in the viewer group, with
no staff status (QGIS never sees the admin).
"""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.test import Client

from access.models import ApiToken, SignInFailure
from access.roles import VIEWER, sync_roles
from bench.common import tile_of

from .conftest import make_site

PASSWORD = "Limfjorden-2030"
GIS_URLS = (
    "/ogc/collections",
    "/ogc/collections/sites-points/items?limit=5",
    "/api/exports/sites.geojson",
    "/api/sites/?page_size=1",
    "/wfs/?SERVICE=WFS&REQUEST=GetCapabilities&VERSION=2.0.0",
)


def basic(username: str, password: str) -> dict:
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {encoded}"}


@pytest.fixture
def planner(db):
    sync_roles()
    user = get_user_model().objects.create_user("planlaegger1", password=PASSWORD)
    user.groups.add(Group.objects.get(name=VIEWER))
    make_site()
    return user


@pytest.fixture
def site_tile(planner):
    make_site(name="Vindmølle Nørre Tranders", site_type="wind", geometry=Point(10.0, 57.04, srid=4326))
    z, x, y = tile_of(10.0, 57.04, 12)
    return f"/tiles/sites/{z}/{x}/{y}.pbf"


def urls(site_tile):
    return (*GIS_URLS, site_tile)


def assert_challenged(response):
    assert response.status_code == 401, response.content
    assert response["WWW-Authenticate"].startswith("Basic realm=")


def test_basic_with_name_and_password_opens_every_gis_path(planner, site_tile):
    for url in urls(site_tile):
        response = Client().get(url, **basic("planlaegger1", PASSWORD))
        assert response.status_code == 200, (url, response.content[:300])
    assert Client().get(site_tile, **basic("planlaegger1", PASSWORD))["Content-Type"] == (
        "application/vnd.mapbox-vector-tile"
    )


def test_an_api_token_works_as_the_basic_password_with_any_name_and_as_bearer(planner, site_tile):
    _, key = ApiToken.issue(user=planner, name="QGIS")
    for url in urls(site_tile):
        assert Client().get(url, **basic("qgis", key)).status_code == 200, url
        assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200, url
        assert Client().get(url, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200, url


def test_no_wrong_or_revoked_credentials_get_a_basic_challenge(planner, site_tile):
    token, key = ApiToken.issue(user=planner, name="QGIS")
    token.revoke()
    for url in urls(site_tile):
        assert_challenged(Client().get(url))
        assert_challenged(Client().get(url, **basic("planlaegger1", "wrong")))
        assert_challenged(Client().get(url, **basic("planlaegger1", key)))
        assert_challenged(Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}"))


def test_a_user_without_the_layers_permission_is_forbidden(planner, site_tile):
    get_user_model().objects.create_user("no-role", password=PASSWORD)
    layer_urls = (
        "/ogc/collections/sites-points",
        "/ogc/collections/sites-points/items?limit=5",
        "/api/exports/sites.geojson",
        "/api/sites/?page_size=1",
        "/wfs/?SERVICE=WFS&REQUEST=GetFeature&VERSION=2.0.0&TYPENAMES=sites-points",
        site_tile,
    )
    # the lists of layers (OGC collections, WFS capabilities) are empty for such a user; each layer refuses
    assert Client().get("/ogc/collections", **basic("no-role", PASSWORD)).json()["collections"] == []
    for url in layer_urls:
        assert Client().get(url, **basic("no-role", PASSWORD)).status_code == 403, url


def test_wrong_basic_passwords_count_toward_the_sign_in_limit(planner, settings):
    settings.SIGN_IN_FAILURE_LIMIT = 3
    for _attempt in range(3):
        assert_challenged(Client().get("/ogc/collections", **basic("planlaegger1", "guess")))
    assert SignInFailure.objects.filter(username="planlaegger1").count() == 3
    # past the limit even the right password is not tried
    assert_challenged(Client().get("/ogc/collections", **basic("planlaegger1", PASSWORD)))


def test_a_changed_password_ends_what_was_remembered(planner):
    assert Client().get("/ogc/collections", **basic("planlaegger1", PASSWORD)).status_code == 200
    planner.set_password("Nyt-kodeord-2031")
    planner.save()
    assert_challenged(Client().get("/ogc/collections", **basic("planlaegger1", PASSWORD)))
    assert Client().get("/ogc/collections", **basic("planlaegger1", "Nyt-kodeord-2031")).status_code == 200
    planner.is_active = False
    planner.save()
    assert_challenged(Client().get("/ogc/collections", **basic("planlaegger1", "Nyt-kodeord-2031")))


def test_basic_over_plain_http_is_refused_in_production(planner, settings, site_tile):
    settings.BASIC_AUTH_HTTPS_ONLY = True
    _, key = ApiToken.issue(user=planner, name="QGIS")
    for url in urls(site_tile):
        refused = Client().get(url, **basic("planlaegger1", PASSWORD))
        assert_challenged(refused)
        assert "HTTPS" in refused.content.decode(), url
        assert Client().get(url, **basic("qgis", key)).status_code == 401
        assert Client().get(url, secure=True, **basic("planlaegger1", PASSWORD)).status_code == 200, url
    # a token in its own header is not a password: it stays usable (it is revocable and never a sign-in secret)
    assert Client().get("/ogc/collections", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_tiles_follow_the_api_read_rule(planner, settings, site_tile):
    assert_challenged(Client().get(site_tile))
    settings.API_ANONYMOUS_READ = True
    assert Client().get(site_tile).status_code == 200
    client = Client()
    client.force_login(planner)  # the browser's map: its session
    settings.API_ANONYMOUS_READ = False
    assert client.get(site_tile).status_code == 200
