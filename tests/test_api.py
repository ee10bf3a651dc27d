"""The REST API: every record type, each role, filters, tokens, and bad input on every writable field."""

import json

import pytest
from django.contrib.gis.geos import Point
from rest_framework.test import APIClient

from access.models import ApiToken
from partnerships.models import ClimatePartnership, Measure, Target
from registry.models import EnergySite

from .conftest import make_measure, make_organisation, make_partnership, make_site

ENDPOINTS = [
    "organisations",
    "organisation-sites",
    "sites",
    "symbioses",
    "partnerships",
    "measures",
    "realised-reductions",
    "international-partnerships",
    "funding",
    "targets",
]


@pytest.fixture
def api(role_users):
    def client(role=None):
        api_client = APIClient()
        if role:
            api_client.force_authenticate(role_users[role])
        return api_client

    return client


def site_feature(**properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [9.95, 57.03]},
        "properties": {
            "name": "Solar park Sønderholm",
            "site_type": "solar",
            "planning_status": "screening",
            "capacity": 12.5,
            "capacity_unit": "MW",
            **properties,
        },
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_nothing_from_any_endpoint(api, endpoint):
    assert api().get(f"/api/{endpoint}/").status_code == 401


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("role", ["viewer", "editor", "administrator"])
def test_every_role_reads_every_endpoint(api, endpoint, role):
    assert api(role).get(f"/api/{endpoint}/").status_code == 200


def test_anonymous_read_only_when_the_setting_opens_it(api, settings):
    make_site()
    settings.API_ANONYMOUS_READ = True
    assert api().get("/api/sites/").json()["count"] == 1
    assert api().post("/api/sites/", site_feature(), format="json").status_code == 401


@pytest.mark.parametrize(
    "endpoint, payload",
    [
        ("organisations", {"name": "Nibe Mejeri A/S", "cvr": "29403473", "kind": "company"}),
        ("sites", site_feature()),
        (
            "international-partnerships",
            {"title": "Twinning", "partner_name": "Kiel", "country": "DE", "status": "exploring"},
        ),
        ("funding", {"title": "LIFE", "funder": "EU LIFE", "source": "eu", "amount_dkk": 1000000, "status": "applied"}),
    ],
)
def test_viewer_cannot_write_and_editor_can(api, endpoint, payload):
    assert api("viewer").post(f"/api/{endpoint}/", payload, format="json").status_code == 403
    response = api("editor").post(f"/api/{endpoint}/", payload, format="json")
    assert response.status_code == 201, response.json()


def test_only_administrators_change_targets(api):
    target = Target.objects.get(indicator="reduction_t", sector="industry")
    assert api("editor").patch(f"/api/targets/{target.pk}/", {"value": 1}, format="json").status_code == 403
    assert api("administrator").patch(f"/api/targets/{target.pk}/", {"value": 120000}, format="json").status_code == 200
    assert api("administrator").delete(f"/api/targets/{target.pk}/").status_code == 405


def test_site_round_trip_in_wgs84_and_utm32(api):
    editor = api("editor")
    created = editor.post("/api/sites/", site_feature(), format="json").json()
    site = EnergySite.objects.get(pk=created["id"])
    assert site.geometry.srid == 25832
    assert site.municipality_code == "0851"
    back = editor.get(f"/api/sites/{site.pk}/").json()
    assert back["geometry"]["coordinates"] == pytest.approx([9.95, 57.03], abs=1e-7)
    utm = editor.get(f"/api/sites/{site.pk}/?srid=25832").json()["geometry"]["coordinates"]
    assert utm == pytest.approx([site.geometry.x, site.geometry.y], abs=0.01)
    # and posting metres with ?srid=25832 stores the same place
    feature = site_feature(name="Same place")
    feature["geometry"]["coordinates"] = utm
    again = editor.post("/api/sites/?srid=25832", feature, format="json").json()
    stored = EnergySite.objects.get(pk=again["id"]).geometry
    assert stored.distance(site.geometry) < 0.01


def test_partnership_with_organisations_and_measures(api, role_users):
    editor = api("editor")
    lead, partner = make_organisation(), make_organisation(name="Havn A/S", cvr="29403473")
    response = editor.post(
        "/api/partnerships/",
        {
            "title": "Klimapartnerskab: Havn",
            "sector": "industry",
            "status": "signed",
            "signed_on": "2025-02-01",
            "organisation_ids": [lead.pk, partner.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    measure = editor.post(
        "/api/measures/",
        {
            "partnership": pk,
            "title": "Shore power",
            "measure_type": "electrification",
            "annual_reduction_t": 850,
            "first_year": 2026,
            "method": "calculated",
            "source": "Port energy audit",
        },
        format="json",
    )
    assert measure.status_code == 201, measure.json()
    body = editor.get(f"/api/partnerships/{pk}/").json()
    assert [(o["name"], o["role"]) for o in body["organisations"]] == [
        ("Limfjord Cement A/S", "lead"),
        ("Havn A/S", "partner"),
    ]
    assert [m["annual_reduction_t"] for m in body["measures"]] == [850]
    assert Measure.objects.get().entered_by == role_users["editor"]


def test_delete_archives_and_restore_brings_back(api):
    partnership = make_partnership(make_organisation())
    editor = api("editor")
    assert editor.delete(f"/api/partnerships/{partnership.pk}/").status_code == 204
    assert ClimatePartnership.objects.get(pk=partnership.pk).is_archived
    assert editor.get("/api/partnerships/").json()["count"] == 0
    assert editor.get("/api/partnerships/?archived=true").json()["count"] == 1
    assert api("viewer").post(f"/api/partnerships/{partnership.pk}/restore/").status_code == 403
    assert editor.post(f"/api/partnerships/{partnership.pk}/restore/").status_code == 200
    assert not ClimatePartnership.objects.get(pk=partnership.pk).is_archived


@pytest.mark.parametrize(
    "query, expected",
    [
        ("sector=agriculture", {"farm"}),
        ("status=dialogue", {"talks"}),
        ("year_signed=2023", {"old"}),
        ("search=Havn", {"old"}),
        ("cvr=29403473", {"old"}),
        ("status=signed&status=dialogue", {"new", "talks", "farm"}),
    ],
)
def test_partnership_filters(api, query, expected):
    cement, port = make_organisation(), make_organisation(name="Havn A/S", cvr="29403473")
    from datetime import date

    make_partnership(port, title="old", signed_on=date(2023, 5, 1), status="active")
    make_partnership(cement, title="new", signed_on=date(2025, 5, 1))
    make_partnership(cement, title="talks", status="dialogue")
    make_partnership(make_organisation(name="Farm", cvr="25313763"), title="farm", sector="agriculture")
    body = api("viewer").get(f"/api/partnerships/?{query}").json()
    assert {p["title"] for p in body["results"]} == expected


def test_organisation_filter_and_ordering(api):
    org = make_organisation()
    make_partnership(org, title="b")
    make_partnership(org, title="a")
    make_partnership(make_organisation(name="Other", cvr="29403473"), title="c")
    body = api("viewer").get(f"/api/partnerships/?organisation={org.pk}&ordering=title").json()
    assert [p["title"] for p in body["results"]] == ["a", "b"]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("type=wind", {"wind"}),
        ("status=operating", {"solar"}),
        ("bbox=9.90,57.00,10.00,57.10", {"wind", "solar"}),
        ("bbox=550000,6300000,570000,6340000", {"wind", "solar"}),
        ("in_municipality=true", {"wind", "solar"}),
        ("in_municipality=0751", {"aarhus"}),
        (
            "within="
            + json.dumps(
                {
                    "type": "Polygon",
                    "coordinates": [[[9.9, 57.0], [9.94, 57.0], [9.94, 57.1], [9.9, 57.1], [9.9, 57.0]]],
                }
            ),
            {"wind"},
        ),
        ("within=POLYGON((9.9 57.0, 9.94 57.0, 9.94 57.1, 9.9 57.1, 9.9 57.0))", {"wind"}),
        ("search=aarhus", {"aarhus"}),
        ("ordering=-name&page_size=1", {"wind"}),
    ],
)
def test_site_filters(api, query, expected):
    make_site(name="wind", site_type="wind", geometry=Point(9.92, 57.05, srid=4326))
    make_site(name="solar", site_type="solar", planning_status="operating", geometry=Point(9.97, 57.04, srid=4326))
    make_site(name="aarhus", site_type="solar", geometry=Point(10.2, 56.15, srid=4326))
    body = api("viewer").get(f"/api/sites/?{query}").json()
    assert body["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in body["features"]} == expected


@pytest.mark.parametrize(
    "query, field",
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=10,57,9,56", "bbox"),
        ("within=not-a-polygon", "within"),
        ("within=POINT(9 57)", "within"),
        ("in_municipality=9999", "in_municipality"),
        ("srid=3857", "srid"),
        ("type=volcano", "type"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(api, query, field):
    response = api("viewer").get(f"/api/sites/?{query}")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "properties, geometry, field, reason",
    [
        ({"name": ""}, None, "name", "blank"),
        ({"site_type": "volcano"}, None, "site_type", "not a valid choice"),
        ({"planning_status": "dreaming"}, None, "planning_status", "not a valid choice"),
        ({"capacity": -5}, None, "capacity", "greater than or equal to 0"),
        ({"capacity": "lots"}, None, "capacity", "valid number"),
        ({"capacity_unit": "horsepower"}, None, "capacity_unit", "not a valid choice"),
        ({"commissioning_year": 1850}, None, "commissioning_year", "between 1900 and 2050"),
        ({"operator": 999999}, None, "operator", "does not exist"),
        ({}, {"type": "Point", "coordinates": [57.03, 9.95]}, "geometry", "swapped"),
        ({}, {"type": "Point", "coordinates": [9.99, 53.55]}, "geometry", "outside Denmark"),
        ({}, {"type": "Point", "coordinates": [0, 0]}, "geometry", "0,0"),
        (
            {},
            {"type": "Polygon", "coordinates": [[[9.9, 57], [9.95, 57.05], [9.95, 57], [9.9, 57.05], [9.9, 57]]]},
            "geometry",
            "not valid",
        ),
        ({}, {"type": "Pointy", "coordinates": [9.9, 57]}, "geometry", ""),
        ({"site_type": "co2_pipe"}, None, "geometry", "LineString"),
    ],
)
def test_bad_site_input_is_a_400_naming_field_and_reason(api, properties, geometry, field, reason):
    feature = site_feature(**properties)
    if geometry is not None:
        feature["geometry"] = geometry
    response = api("editor").post("/api/sites/", feature, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert reason in " ".join(errors[field])
    assert not EnergySite.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"cvr": "12345678"}, "cvr"),
        ({"cvr": "1234"}, "cvr"),
        ({"kind": "pirate"}, "kind"),
        ({"name": ""}, "name"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_bad_organisation_input(api, payload, field):
    response = api("editor").post("/api/organisations/", {"name": "X A/S", "kind": "company", **payload}, format="json")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"annual_reduction_t": -1}, "annual_reduction_t"),
        ({"annual_reduction_t": "many"}, "annual_reduction_t"),
        ({"first_year": 1999}, "first_year"),
        ({"first_year": 2051}, "first_year"),
        ({"measure_type": "magic"}, "measure_type"),
        ({"method": "guess"}, "method"),
        ({"source": ""}, "source"),
        ({"partnership": 999999}, "partnership"),
        ({"energy_site": 999999}, "energy_site"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_measure_input(api, payload, field):
    partnership = make_partnership(make_organisation())
    body = {
        "partnership": partnership.pk,
        "title": "x",
        "measure_type": "other",
        "annual_reduction_t": 1,
        "first_year": 2025,
        "method": "calculated",
        "source": "s",
        **payload,
    }
    response = api("editor").post("/api/measures/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"status": "signed", "signed_on": None}, "signed_on"),
        ({"sector": "fishing"}, "sector"),
        ({"signed_on": "2999-01-01"}, "signed_on"),
        ({"signed_on": "yesterday"}, "signed_on"),
        ({"organisation_ids": [999999]}, "organisation_ids"),
        ({"status": "nope"}, "status"),
        ({"dialogue_started_on": "2025-06-01", "signed_on": "2025-01-01"}, "signed_on"),
    ],
)
def test_bad_partnership_input(api, payload, field):
    body = {"title": "x", "sector": "industry", "status": "signed", "signed_on": "2025-02-01", **payload}
    response = api("editor").post("/api/partnerships/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_a_forbidden_status_change_is_a_400(api):
    partnership = make_partnership(make_organisation(), status="completed")
    response = api("editor").patch(f"/api/partnerships/{partnership.pk}/", {"status": "dialogue"}, format="json")
    assert response.status_code == 400
    assert "cannot go from" in response.json()["status"][0]


def test_errors_come_in_danish_when_asked(api):
    response = api("editor").post(
        "/api/organisations/",
        {"name": "X", "kind": "company", "cvr": "12345678"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert "ikke et gyldigt CVR-nummer" in response.json()["cvr"][0]


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "5",
        "[]",
        '"text"',
        '{"type": "Feature", "properties": 5}',
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": "abc"}, "properties": {}}',
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [9.9]}, "properties": {}}',
    ],
)
def test_malformed_input_is_a_400_not_a_500(role_users, body):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(role_users["editor"])
    response = client.post("/api/sites/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]


def test_tokens_authenticate_scripts_and_can_be_revoked(role_users):
    token, raw = ApiToken.issue(user=role_users["viewer"], name="DK2020 export")
    assert raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    client = APIClient()
    assert client.get("/api/sites/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    assert client.get("/api/sites/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    token.revoke()
    assert client.get("/api/sites/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401


def test_administrator_issues_a_token_in_the_admin_and_sees_it_once(client_for, role_users):
    client = client_for("administrator")
    response = client.post(
        "/admin/access/apitoken/add/", {"user": role_users["viewer"].pk, "name": "Script"}, follow=True
    )
    message = [str(m) for m in response.context["messages"]][0]
    raw = message.split("token is ")[1].split(" ")[0]
    assert APIClient().get("/api/sites/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
    assert client_for("editor").get("/admin/access/apitoken/").status_code == 403


def test_list_queries_do_not_grow_with_rows(api, django_assert_max_num_queries):
    for i in range(3):
        make_measure(make_partnership(make_organisation(name=f"O{i}", cvr=""), title=f"P{i}"))
    viewer = api("viewer")
    viewer.get("/api/partnerships/")  # the first request also loads the user's permissions
    with django_assert_max_num_queries(10) as few:
        viewer.get("/api/partnerships/")
    for i in range(3, 15):
        make_measure(make_partnership(make_organisation(name=f"O{i}", cvr=""), title=f"P{i}"))
    with django_assert_max_num_queries(10) as many:
        viewer.get("/api/partnerships/")
    assert len(few.captured_queries) == len(many.captured_queries)


def payloads():
    """A valid create payload for every writable endpoint (built when called: it needs related rows)."""
    org = make_organisation(name="Payload A/S", cvr="25313763")
    partnership = make_partnership(org, title="Payload partnership")
    measure = make_measure(partnership)
    return {
        "organisations": {"name": "Ny Virksomhed A/S", "kind": "company", "cvr": "10150817"},
        "organisation-sites": {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [9.93, 57.04]},
            "properties": {"organisation": org.pk, "name": "Fabrik"},
        },
        "sites": site_feature(),
        "symbioses": {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[9.99, 57.05], [9.93, 57.04]]},
            "properties": {
                "name": "Heat",
                "source_description": "kiln",
                "receiving_network": "Aalborg",
                "capacity_mw": 5,
                "heat_mwh_per_yr": 30000,
            },
        },
        "partnerships": {
            "title": "Ny aftale",
            "sector": "agriculture",
            "status": "dialogue",
            "organisation_ids": [org.pk],
        },
        "measures": {
            "partnership": partnership.pk,
            "title": "Biogas",
            "measure_type": "biogas",
            "annual_reduction_t": 300,
            "first_year": 2026,
            "method": "standard_factor",
            "source": "SEGES",
        },
        "realised-reductions": {"measure": measure.pk, "year": 2025, "realised_t": 250, "source": "report"},
        "international-partnerships": {
            "title": "Twinning",
            "partner_name": "Kiel",
            "country": "DE",
            "status": "exploring",
        },
        "funding": {"title": "LIFE", "funder": "EU LIFE", "source": "eu", "amount_dkk": 1000000, "status": "applied"},
        "targets": {
            "indicator": "reduction_t",
            "sector": "industry",
            "value": 150000,
            "target_year": 2035,
            "period_start_year": 2027,
            "period_end_year": 2030,
        },
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    "role, allowed", [("viewer", set()), ("editor", set(ENDPOINTS) - {"targets"}), ("administrator", set(ENDPOINTS))]
)
def test_who_may_create_on_every_endpoint(api, endpoint, role, allowed):
    response = api(role).post(f"/api/{endpoint}/", payloads()[endpoint], format="json")
    assert response.status_code == (201 if endpoint in allowed else 403), response.content[:300]


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e not in {"targets", "realised-reductions"}])
def test_editor_updates_and_archives_on_every_archivable_endpoint(api, endpoint):
    editor = api("editor")
    created = editor.post(f"/api/{endpoint}/", payloads()[endpoint], format="json").json()
    url = f"/api/{endpoint}/{created['id']}/"
    assert editor.patch(url, {"external_id": "ext-1"}, format="json").status_code == 200
    assert api("viewer").delete(url).status_code == 403
    assert editor.delete(url).status_code == 204
    body = editor.get(url).json()
    record = body.get("properties", body)  # spatial records are Features
    assert record["external_id"] == "ext-1" and record["archived_at"] is not None
