"""The Content-Security-Policy and Cache-Control on every kind of response, including those middleware answers."""

import pytest

from .conftest import make_site


def assert_policy(response):
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "style-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_https_redirect_carries_the_policy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/map/", secure=False)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert_policy(response)


def test_a_static_file_carries_the_policy_and_stays_publicly_cacheable(client, settings, tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "probe.css").write_text("body { color: black; }\n")
    settings.STATIC_ROOT = tmp_path
    response = client.get("/static/css/probe.css")
    assert response.status_code == 200  # served by WhiteNoise, before any view
    assert_policy(response)
    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path",
    [
        "/api/sites/",
        "/api/progress/",
        "/api/exports/sites.geojson",
        "/api/exports/sites.xlsx",
        "/progress/reports/",
        "/map/registry.qgz",
        "/ogc/collections",
        "/wfs/?SERVICE=WFS&REQUEST=GetCapabilities",
        "/",
    ],
)
def test_responses_for_a_signed_in_user_are_private(client_for, path):
    make_site()
    response = client_for("viewer").get(path)
    assert response.status_code == 200, path
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert_policy(response)


def test_tiles_are_private_and_revalidated_with_their_etag(client_for):
    make_site()
    viewer = client_for("viewer")
    response = viewer.get("/tiles/sites/12/2170/1258.pbf")
    assert response.status_code in (200, 204)
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"private", "no-cache"}
    again = viewer.get("/tiles/sites/12/2170/1258.pbf", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert "private" in again["Cache-Control"]


def test_a_refusal_is_private_too(client):
    response = client.get("/api/sites/")
    assert response.status_code in (401, 403)
    assert "private" in response["Cache-Control"]
