"""Input an attacker (or a careless script) sends the API: each is a 400 with a reason, and nothing is lost silently."""

import json

import pytest

from partnerships.models import ClimatePartnership
from registry.models import EnergySite

from .conftest import make_organisation, make_partnership


@pytest.fixture
def editor(client_for):
    return client_for("editor")


def post(client, path, body, **extra):
    return client.post(path, json.dumps(body) if not isinstance(body, str) else body, "application/json", **extra)


def site(coordinates, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": coordinates},
        "properties": {"name": "Havnen", "site_type": "solar", "planning_status": "idea", **properties},
    }


def test_a_deeply_nested_body_is_a_400_with_a_reason(editor):
    body = "[" * 100_000 + "]" * 100_000
    response = post(editor, "/api/organisations/", body)
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("coordinates", [[9.92, 57.04, 100], [9.92, 57.04, 100, 7]])
def test_a_point_with_height_is_stored_in_2d_with_a_note(editor, coordinates):
    response = post(editor, "/api/sites/?srid=4326", site(coordinates))
    assert response.status_code == 201, response.content
    body = response.json()
    stored = EnergySite.objects.get(pk=body["id"]).geometry
    assert not stored.hasz and stored.geom_type == "Point"
    assert round(body["geometry"]["coordinates"][0], 5) == 9.92 and len(body["geometry"]["coordinates"]) == 2
    assert body["notes"] == ["geometry: the height (third coordinate) was dropped; positions are stored in 2D."]


def test_organisations_sent_by_the_name_read_shows_are_refused_naming_the_field(editor):
    org = make_organisation()
    response = post(
        editor,
        "/api/partnerships/",
        {"title": "Ny", "sector": "industry", "organisations": [org.pk], "measures": [{"title": "x"}]},
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"organisations", "measures"}
    assert "organisation_ids" in errors["organisations"][0]
    assert not ClimatePartnership.objects.filter(title="Ny").exists()


def test_unknown_and_read_only_fields_are_refused_on_every_write(editor):
    org = make_organisation()
    response = post(editor, "/api/organisations/", {"name": "Nyt A/S", "kind": "company", "colour": "red"})
    assert response.status_code == 400 and list(response.json()) == ["colour"]
    response = editor.patch(
        f"/api/organisations/{org.pk}/", json.dumps({"created_at": "2020-01-01T00:00:00Z"}), "application/json"
    )
    assert response.status_code == 400 and "read-only" in response.json()["created_at"][0]
    response = post(editor, "/api/sites/?srid=4326", site([9.92, 57.04], municipality_code="0101", capacity_mw=3))
    assert response.status_code == 400
    assert set(response.json()) == {"municipality_code", "capacity_mw"}
    assert not EnergySite.objects.filter(name="Havnen").exists()


def test_a_geojson_feature_still_carries_its_type_and_id(editor):
    response = post(editor, "/api/sites/?srid=4326", {**site([9.92, 57.04]), "id": None, "bbox": [1, 2, 3, 4]})
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1e3", "9" * 30, "9" * 5000, "²"])
def test_a_bad_page_size_is_a_400(editor, value):
    response = editor.get("/api/partnerships/", {"page_size": value})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_a_page_size_over_the_maximum_is_capped_not_refused(editor):
    make_partnership()
    assert editor.get("/api/partnerships/", {"page_size": "5000"}).status_code == 200


@pytest.mark.parametrize("path", ["/api/partnerships/", "/api/organisations/", "/api/sites/"])
def test_a_null_character_in_a_query_is_a_400_object(editor, path):
    response = editor.get(path, {"search": "a\x00b"})
    assert response.status_code == 400
    assert isinstance(response.json(), dict) and "search" in response.json()


def test_a_body_over_the_upload_limit_is_a_json_413_with_the_limit(editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post(editor, "/api/organisations/", {"name": "x" * 20_000, "kind": "company"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "10" in response.json()["detail"]


@pytest.mark.parametrize("bbox", ["NaN,NaN,NaN,NaN", "9,57,inf,58", "-inf,57,10,58", "9,nan,10,58"])
def test_a_bbox_of_nan_or_infinity_is_a_400_on_the_api_and_the_exports(editor, bbox):
    for path in ("/api/sites/", "/api/exports/sites.csv"):
        response = editor.get(path, {"bbox": bbox})
        assert response.status_code == 400, path
        assert "finite" in response.json()["bbox"][0]


def test_a_body_sent_to_the_proposal_is_refused_not_dropped(editor):
    from decimal import Decimal

    from django.contrib.gis.geos import Point

    from registry.models import HeatSource

    source = HeatSource.objects.create(
        name="Køleanlæg",
        organisation=make_organisation(),
        location=Point(556_000, 6_322_900, srid=25832),
        surplus_heat_mwh_per_yr=Decimal(1000),
        temperature_c=Decimal(60),
    )
    response = post(editor, f"/api/heat-opportunities/{source.pk}/propose/", {"name": "Min symbiose"})
    assert response.status_code == 400 and list(response.json()) == ["name"]


def test_a_record_sent_back_as_the_api_shows_it_is_accepted(editor):
    """GET, edit, PUT (as scripts and the browsable API's form do): the read-only fields come back unchanged."""
    org = make_organisation()
    partnership = make_partnership(org)
    url = f"/api/partnerships/{partnership.pk}/"
    body = editor.get(url).json()
    body["title"] = "Nyt navn"
    response = editor.put(url, json.dumps({**body, "organisation_ids": [org.pk]}), "application/json")
    assert response.status_code == 200, response.content
    assert ClimatePartnership.objects.get(pk=partnership.pk).title == "Nyt navn"
    body = editor.get(url).json()
    body["created_at"] = "2020-01-01T00:00:00Z"
    response = editor.put(url, json.dumps({**body, "organisation_ids": [org.pk]}), "application/json")
    assert response.status_code == 400 and list(response.json()) == ["created_at"]


def test_a_feature_sent_back_as_the_api_shows_it_is_accepted(editor):
    created = post(editor, "/api/sites/?srid=4326", site([9.92, 57.04, 30])).json()  # with its "notes"
    created["properties"]["name"] = "Havnen Øst"
    response = editor.put(f"/api/sites/{created['id']}/?srid=4326", json.dumps(created), "application/json")
    assert response.status_code == 200, response.content
    assert EnergySite.objects.get(pk=created["id"]).name == "Havnen Øst"


@pytest.mark.parametrize("srid", ["²", "4" * 5000, "EPSG:٤٣٢٦"])
def test_an_srid_in_other_digits_is_a_400(editor, srid):
    response = editor.get("/api/sites/", {"srid": srid})
    assert response.status_code == 400 and "srid" in response.json()
