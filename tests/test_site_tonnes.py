"""A site's committed and pipeline tonnes, from its measures, the same in the API, the popup, the exports."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from .conftest import make_measure, make_organisation, make_partnership, make_site


@pytest.fixture
def site_with_measures(db):
    site = make_site(name="Biogas Nørre Uttrup")
    signed = make_partnership(make_organisation(), status="signed", title="Signed")
    make_measure(signed, tonnes="1200.5", energy_site=site)
    dialogue = make_partnership(
        make_organisation(name="Limfjord Mejeri", cvr="29403473"), status="dialogue", title="In dialogue"
    )
    make_measure(dialogue, tonnes="300", energy_site=site)
    cancelled = make_partnership(make_organisation(name="Hals Landbrug", cvr="12345674"), title="Cancelled")
    make_measure(cancelled, tonnes="5000", energy_site=site, title="Cancelled measure")
    cancelled.status, cancelled.cancelled_on = "cancelled", date(2025, 1, 1)
    cancelled.full_clean()
    cancelled.save()
    make_measure(signed, tonnes="700", energy_site=site, title="Archived").delete()  # archives
    make_site(name="Empty site")
    return site


def test_the_site_api_gives_committed_and_pipeline_tonnes(client_for, site_with_measures):
    body = client_for("viewer").get("/api/sites/").json()
    tonnes = {
        f["properties"]["name"]: (f["properties"]["committed_t"], f["properties"]["pipeline_t"])
        for f in body["features"]
    }
    assert tonnes == {"Biogas Nørre Uttrup": (1200.5, 300.0), "Empty site": (0.0, 0.0)}
    detail = client_for("viewer").get(f"/api/sites/{site_with_measures.pk}/").json()["properties"]
    assert (detail["committed_t"], detail["pipeline_t"]) == (1200.5, 300.0)


def test_the_tonnes_are_documented_and_read_only(client_for, site_with_measures):
    schema = client_for("viewer").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    text = str(schema["components"]["schemas"])
    assert "committed_t" in text and "in dialogue (the pipeline)" in text
    response = client_for("editor").patch(
        f"/api/sites/{site_with_measures.pk}/",
        '{"type": "Feature", "properties": {"committed_t": 99}}',
        "application/json",
    )
    assert response.status_code == 400 and "committed_t" in response.json()


def test_the_popup_shows_both_labelled(client_for, site_with_measures):
    body = client_for("editor").get(f"/map/sites/{site_with_measures.pk}/partnerships").json()
    assert (body["committed_t"], body["pipeline_t"]) == (1200.5, 300.0)
    assert {p["title"] for p in body["partnerships"]} == {"Signed", "In dialogue"}


def test_the_exports_carry_both_columns(client_for, site_with_measures):
    response = client_for("viewer").get("/api/exports/sites.csv")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert Decimal(rows["Biogas Nørre Uttrup"]["committed_t"]) == Decimal("1200.5")
    assert Decimal(rows["Biogas Nørre Uttrup"]["pipeline_t"]) == Decimal("300")
    assert Decimal(rows["Empty site"]["committed_t"]) == 0


def test_measures_on_a_site_show_their_partnerships_status(client_for, site_with_measures):
    body = client_for("viewer").get("/api/measures/", {"energy_site": site_with_measures.pk}).json()
    shown = {m["title"]: (m["partnership_status"], m["counted"]) for m in body["results"]}
    assert shown["Cancelled measure"] == ("cancelled", False)
    assert shown["Fuel switch"] in {("signed", True), ("dialogue", True)}


def test_a_new_site_answers_with_its_tonnes(client_for):
    response = client_for("editor").post(
        "/api/sites/?srid=4326",
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [9.92, 57.04]},'
        ' "properties": {"name": "Ny", "site_type": "solar", "planning_status": "idea"}}',
        "application/json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["properties"]["committed_t"], response.json()["properties"]["pipeline_t"]) == (0.0, 0.0)
