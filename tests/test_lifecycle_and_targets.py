"""The partnership lifecycle from the first save, and the strategy's targets from the start of its period."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from partnerships.models import ClimatePartnership


@pytest.fixture
def editor(client_for):
    return client_for("editor")


def create(client, **fields):
    body = {"title": "Ny aftale", "sector": "industry", **fields}
    return client.post("/api/partnerships/", json.dumps(body), "application/json")


@pytest.mark.parametrize("status", ["active", "completed", "cancelled"])
def test_a_new_partnership_cannot_start_past_signing(editor, status):
    response = create(editor, status=status, signed_on="2024-05-01", completed_on="2025-01-01")
    assert response.status_code == 400
    assert "starts in dialogue or signed" in response.json()["status"][0]
    assert not ClimatePartnership.objects.exists()


def test_a_new_partnership_may_start_in_dialogue(editor):
    response = create(editor, status="dialogue", dialogue_started_on="2026-01-05")
    assert response.status_code == 201, response.content
    assert (response.json()["status"], response.json()["dialogue_started_on"]) == ("dialogue", "2026-01-05")


def test_signing_fills_when_the_dialogue_started(editor):
    response = create(editor, status="signed", signed_on="2024-05-01")
    assert response.status_code == 201, response.content
    assert response.json()["dialogue_started_on"] == "2024-05-01"


def test_cancelling_sets_the_cancellation_date(editor):
    created = create(editor, status="dialogue").json()
    response = editor.patch(
        f"/api/partnerships/{created['id']}/", json.dumps({"status": "cancelled"}), "application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["cancelled_on"] == timezone.localdate().isoformat()
    assert ClimatePartnership.objects.get().cancelled_on == timezone.localdate()


def test_cancelling_keeps_a_date_given(editor):
    created = create(editor, status="signed", signed_on="2024-05-01").json()
    response = editor.patch(
        f"/api/partnerships/{created['id']}/",
        json.dumps({"status": "cancelled", "cancelled_on": "2024-09-01"}),
        "application/json",
    )
    assert response.json()["cancelled_on"] == "2024-09-01"


def test_a_cancellation_date_belongs_to_a_cancelled_partnership(editor):
    response = create(editor, status="signed", signed_on="2024-05-01", cancelled_on="2024-09-01")
    assert response.status_code == 400
    assert list(response.json()) == ["cancelled_on"]


def test_a_record_of_the_past_is_saved_through_its_moves(db):
    partnership = ClimatePartnership(
        title="Afsluttet",
        sector="industry",
        status="completed",
        signed_on=dt.date(2023, 3, 1),
        completed_on=dt.date(2025, 2, 1),
    )
    partnership.save_through_lifecycle()
    statuses = list(partnership.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["signed", "active", "completed"]
    assert (partnership.completed_on, partnership.dialogue_started_on) == (dt.date(2025, 2, 1), None)


def test_a_record_of_the_past_brings_its_own_end_date(db):
    from django.core.exceptions import ValidationError

    partnership = ClimatePartnership(
        title="Afsluttet", sector="industry", status="completed", signed_on=dt.date(2023, 3, 1)
    )
    with pytest.raises(ValidationError) as error:
        partnership.save_through_lifecycle()
    assert "needs its completion date" in error.value.message_dict["completed_on"][0]


def test_a_cancelled_partnership_keeps_its_cancellation_date(editor):
    created = create(editor, status="dialogue").json()
    url = f"/api/partnerships/{created['id']}/"
    assert editor.patch(url, json.dumps({"status": "cancelled"}), "application/json").status_code == 200
    response = editor.patch(url, json.dumps({"cancelled_on": None}), "application/json")
    assert response.status_code == 400 and "needs its cancellation date" in response.json()["cancelled_on"][0]


def test_reimporting_the_same_partnerships_changes_nothing(db, tmp_path):
    from .test_imports import PARTNERSHIP_HEADER, partnership_rows, run_import, write_csv

    rows = partnership_rows()
    rows[1][6] = "annulleret"
    header = [*PARTNERSHIP_HEADER, "Dialog startet", "Annulleret"]
    path = write_csv(tmp_path / "p.csv", header, [[*rows[0], "", ""], [*rows[1], "", "2025-04-01"]], delimiter=";")
    run_import(path, "--kind", "partnerships")
    again = run_import(path, "--kind", "partnerships")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    cancelled = ClimatePartnership.objects.get(external_id="KP-2")
    assert (cancelled.status, cancelled.cancelled_on, cancelled.history.count()) == (
        "cancelled",
        dt.date(2025, 4, 1),
        2,
    )


def test_an_imported_completed_partnership_walks_the_lifecycle(db, tmp_path):
    from .test_imports import PARTNERSHIP_HEADER, partnership_rows, run_import, write_csv

    rows = partnership_rows()[:1]
    rows[0][6] = "afsluttet"
    path = write_csv(tmp_path / "p.csv", [*PARTNERSHIP_HEADER, "Afsluttet"], [[*rows[0], "2025-06-01"]], delimiter=";")
    run_import(path, "--kind", "partnerships")
    partnership = ClimatePartnership.objects.get(external_id="KP-1")
    assert (partnership.status, partnership.completed_on) == ("completed", dt.date(2025, 6, 1))
    statuses = list(partnership.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["signed", "active", "completed"]


def test_targets_apply_from_the_start_of_the_strategy_period(client_for):
    """A fresh install (the test database is migrated from zero today) still has targets as of 2025."""
    viewer = client_for("viewer")
    body = viewer.get("/api/progress/", {"as_of": "2025-06-30"}).json()
    assert body["industry"]["target_tonnes"] == 100_000
    assert body["agriculture"]["target_tonnes"] == 103_000
    assert body["industry"]["committed_share"] == 0.0
    before = viewer.get("/api/progress/", {"as_of": "2022-12-31"}).json()
    assert before["industry"]["target_tonnes"] is None


def test_the_targets_first_history_row_is_the_period_start(db):
    from partnerships.models import Target

    first = Target.history.order_by("history_date").first()
    assert timezone.localtime(first.history_date).date() == dt.date(2023, 1, 1)
