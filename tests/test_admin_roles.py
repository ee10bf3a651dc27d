"""Roles enforced in the admin, history of every change with who, archiving instead of deleting."""

from datetime import date
from decimal import Decimal

from partnerships.models import ClimatePartnership, Measure, Target

from .conftest import make_measure, make_organisation, make_partnership, make_site

PARTNERSHIPS = "/admin/partnerships/climatepartnership/"
TARGETS = "/admin/partnerships/target/"


def partnership_form(org, **overrides):
    data = {
        "title": "Klimapartnerskab: Limfjord Cement",
        "sector": "industry",
        "status": "signed",
        "signed_on": "2025-03-01",
        "dialogue_started_on": "2024-11-01",
        "notes": "",
        "external_id": "",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-organisation": str(org.pk),
        "memberships-0-role": "lead",
        "measures-TOTAL_FORMS": "1",
        "measures-INITIAL_FORMS": "0",
        "measures-0-title": "Kiln fuel switch",
        "measures-0-measure_type": "fuel_switch",
        "measures-0-annual_reduction_t": "4200",
        "measures-0-first_year": "2026",
        "measures-0-method": "calculated",
        "measures-0-source": "Energy audit 2024",
    }
    data.update(overrides)
    return data


def test_anonymous_users_are_sent_to_the_login(client, db):
    response = client.get(PARTNERSHIPS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_viewer_reads_everything_but_cannot_add_or_change(client_for, role_users):
    # the admin opens to a viewer only with staff status (access/admin_site.py): the role alone reads on the pages
    role_users["viewer"].is_staff = True
    role_users["viewer"].save()
    client = client_for("viewer")
    partnership = make_partnership(make_organisation())
    assert client.get(PARTNERSHIPS).status_code == 200
    assert client.get(f"{PARTNERSHIPS}{partnership.pk}/change/").status_code == 200
    assert client.get("/admin/registry/energysite/").status_code == 200
    assert client.get(f"{PARTNERSHIPS}add/").status_code == 403
    response = client.post(
        f"{PARTNERSHIPS}{partnership.pk}/change/", partnership_form(make_organisation(name="Other", cvr="29403473"))
    )
    assert response.status_code == 403
    assert ClimatePartnership.objects.get(pk=partnership.pk).title == "Klimapartnerskab"


def test_editor_records_a_partnership_with_its_measures_and_history_names_them(client_for, role_users):
    client = client_for("editor")
    org = make_organisation()
    response = client.post(f"{PARTNERSHIPS}add/", partnership_form(org))
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    partnership = ClimatePartnership.objects.get()
    assert list(partnership.organisations.all()) == [org]
    measure = partnership.measures.get()
    assert measure.annual_reduction_t == 4200
    assert measure.entered_by == role_users["editor"]
    record = partnership.history.latest()
    assert (record.history_type, record.history_user) == ("+", role_users["editor"])
    assert measure.history.latest().history_user == role_users["editor"]


def test_bad_input_in_the_admin_form_names_the_field(client_for):
    client = client_for("editor")
    response = client.post(
        f"{PARTNERSHIPS}add/",
        partnership_form(
            make_organisation(), **{"measures-0-annual_reduction_t": "-10", "status": "signed", "signed_on": ""}
        ),
    )
    assert response.status_code == 200
    assert "signed_on" in response.context["adminform"].form.errors
    measure_errors = response.context["inline_admin_formsets"][1].formset.errors[0]
    assert "annual_reduction_t" in measure_errors
    assert not ClimatePartnership.objects.exists() and not Measure.objects.exists()


def test_editor_cannot_change_targets_but_administrator_can(client_for, role_users):
    target = Target.objects.get(indicator="reduction_t", sector="industry")
    data = {
        "indicator": "reduction_t",
        "sector": "industry",
        "value": "110000",
        "value_max": "",
        "target_year": "2030",
        "period_start_year": "2023",
        "period_end_year": "2026",
        "source_text": "x",
    }
    editor = client_for("editor")
    assert editor.post(f"{TARGETS}{target.pk}/change/", data).status_code == 403
    target.refresh_from_db()
    assert target.value == 100_000

    admin = client_for("administrator")
    assert admin.post(f"{TARGETS}{target.pk}/change/", data).status_code == 302
    target.refresh_from_db()
    assert target.value == 110_000
    assert target.history.latest().history_user == role_users["administrator"]
    assert target.history.earliest().value == 100_000


def test_every_change_keeps_the_previous_version(client_for, role_users):
    org = make_organisation()
    partnership = make_partnership(org, status="dialogue")
    client = client_for("editor")
    response = client.post(
        f"{PARTNERSHIPS}{partnership.pk}/change/",
        partnership_form(
            org,
            **{
                "memberships-INITIAL_FORMS": "1",
                "memberships-0-id": str(partnership.memberships.get().pk),
                "memberships-0-partnership": str(partnership.pk),
                "measures-TOTAL_FORMS": "0",
            },
        ),
    )
    assert response.status_code == 302
    versions = list(partnership.history.order_by("history_date").values_list("status", "history_user__username"))
    assert versions == [("dialogue", None), ("signed", "test-editor")]


def test_deleting_a_partnership_archives_it_and_keeps_its_measures(client_for, role_users):
    partnership = make_partnership(make_organisation())
    make_measure(partnership)
    client = client_for("editor")
    assert client.get(f"{PARTNERSHIPS}{partnership.pk}/delete/").status_code == 403
    response = client.post(PARTNERSHIPS, {"action": "archive_selected", "_selected_action": [partnership.pk]})
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.is_archived
    assert partnership.measures.count() == 1
    assert partnership.history.latest().history_user == role_users["editor"]
    listing = client.get(PARTNERSHIPS)
    assert partnership.title not in listing.content.decode()
    assert partnership.title in client.get(PARTNERSHIPS + "?archived=yes").content.decode()


def test_viewer_cannot_archive(client_for):
    partnership = make_partnership(make_organisation())
    client_for("viewer").post(PARTNERSHIPS, {"action": "archive_selected", "_selected_action": [partnership.pk]})
    partnership.refresh_from_db()
    assert not partnership.is_archived


def test_delete_in_code_archives_too(db):
    partnership = make_partnership(make_organisation())
    partnership.delete()
    ClimatePartnership.objects.filter(pk=partnership.pk).delete()
    assert ClimatePartnership.objects.get(pk=partnership.pk).is_archived
    assert ClimatePartnership.objects.live().count() == 0


def test_map_widget_is_served_from_our_static_files(client_for):
    html = client_for("editor").get("/admin/registry/energysite/add/").content.decode()
    assert "/static/vendor/ol/ol.js" in html
    assert "cdn.jsdelivr.net" not in html


def test_admin_is_available_in_danish(client_for):
    client = client_for("editor")  # the admin opens to editors and administrators (access/admin_site.py)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Klimapartnerskaber" in html
    assert "Energianlæg" in html


def test_the_site_list_shows_only_the_tonnes_that_count(client_for):
    site = make_site(name="Biogas Nørre Uttrup")
    counted = make_partnership(make_organisation(), status="signed")
    make_measure(counted, tonnes="1200", energy_site=site)
    make_measure(
        make_partnership(
            make_organisation(name="Limfjord Mejeri", cvr="29403473"), status="dialogue", title="In dialogue"
        ),
        tonnes="300",
        energy_site=site,
    )
    cancelled = make_partnership(
        make_organisation(name="Hals Landbrug", cvr="12345674"), status="signed", title="Cancelled later"
    )
    make_measure(cancelled, tonnes="5000", energy_site=site)
    cancelled.status = "cancelled"
    cancelled.cancelled_on = date(2025, 1, 1)
    cancelled.save()
    archived = make_measure(counted, tonnes="700", energy_site=site, title="Archived measure")
    archived.delete()  # archives
    changelist = client_for("editor").get("/admin/registry/energysite/").context["cl"]  # the admin: editors
    shown = {row.name: (row.committed_t, row.pipeline_t) for row in changelist.result_list}
    assert shown == {"Biogas Nørre Uttrup": (Decimal("1200"), Decimal("300"))}  # signed; in dialogue
