"""GET /api/progress/ and its drill-downs over HTTP: roles, as_of, errors, schema."""

import pytest

API = "/api/progress/"


@pytest.fixture
def viewer(client_for):
    return client_for("viewer")


def test_anonymous_gets_nothing(client, db):
    assert client.get(API).status_code == 401
    assert client.get(API + "measures/").status_code == 401


def test_each_role_reads_progress(client_for, demo_db):
    for role in ("viewer", "editor", "administrator"):
        body = client_for(role).get(API).json()
        for sector in ("industry", "agriculture"):
            assert {
                "target_tonnes",
                "committed_tonnes",
                "pipeline_tonnes",
                "realised_tonnes",
                "trajectory",
                "partnerships_signed",
            } <= set(body[sector])
        assert body["industry"]["target_tonnes"] == 100_000
        assert body["agriculture"]["target_tonnes"] == 103_000
        assert body["international_partnerships"]["target_per_year"] == 2
        assert body["external_funding"]["target_per_year"] == 50_000_000


def test_a_user_without_a_role_is_refused(client, db):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("nobody", password="x"))
    assert client.get(API).status_code == 403


def test_drill_down_lists_the_measures_behind_a_figure(viewer, demo_db):
    figure = viewer.get(API).json()["agriculture"]["pipeline_tonnes"]
    rows = viewer.get(API + "measures/", {"sector": "agriculture", "bucket": "pipeline"}).json()
    assert rows and sum(r["annual_reduction_t"] for r in rows) == pytest.approx(figure)
    assert {r["status"] for r in rows} == {"dialogue"}
    assert all(r["source"] and r["method"] for r in rows)


@pytest.mark.parametrize(
    "query, field, reason",
    [
        ({"as_of": "30-06-2025"}, "as_of", "wrong format"),
        ({"as_of": "2999-01-01"}, "as_of", "future"),
        ({"as_of": "1990-01-01"}, "as_of", "2000 or later"),
    ],
)
def test_bad_as_of_is_a_400_naming_the_field(viewer, query, field, reason):
    response = viewer.get(API, query)
    assert response.status_code == 400
    assert reason in response.json()[field][0]


def test_bad_drill_down_filters_are_400s(viewer):
    response = viewer.get(API + "measures/", {"sector": "fishing", "up_to_year": "abc"})
    assert response.status_code == 400
    assert set(response.json()) == {"sector", "up_to_year"}


def test_errors_come_in_the_language_asked_for(viewer):
    response = viewer.get(API, {"as_of": "2999-01-01"}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.json()["as_of"] == ["Datoen kan ikke ligge i fremtiden."]


def test_progress_is_documented_in_the_openapi_schema(viewer):
    schema = viewer.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/progress/"]["get"]
    assert any(p["name"] == "as_of" for p in operation["parameters"])
    sector = schema["components"]["schemas"]["SectorProgress"]["properties"]
    assert {"committed_tonnes", "pipeline_tonnes", "realised_tonnes", "trajectory"} <= set(sector)
    assert "/api/progress/measures/" in schema["paths"]


def test_api_docs_are_served_from_our_static_files(viewer):
    html = viewer.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in html and "cdn" not in html.lower()


def test_the_endpoint_takes_the_same_number_of_queries_for_more_data(viewer, django_assert_max_num_queries):
    from .test_progress import _grow

    _grow(3)
    viewer.get(API)  # the first request also caches the user's permissions
    with django_assert_max_num_queries(10) as small:
        viewer.get(API)
    _grow(30)
    with django_assert_max_num_queries(10) as large:
        viewer.get(API)
    assert len(small.captured_queries) == len(large.captured_queries)
