"""The demo data set: big enough, realistic, labelled, loadable twice without change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from core.validators import validate_cvr
from demo.dataset import DEMO_LABEL
from gis.models import Municipality
from partnerships.models import ClimatePartnership, ExternalFunding, InternationalPartnership, Measure, Target
from registry.models import EnergySite, HeatSymbiosis, Organisation

HISTORIES = [
    Organisation,
    EnergySite,
    HeatSymbiosis,
    ClimatePartnership,
    Measure,
    InternationalPartnership,
    ExternalFunding,
]


@pytest.fixture
def demo(demo_db, db):
    """The demo set loaded once for this module; each test runs in its own savepoint."""


def snapshot():
    return {model.__name__: (model.objects.count(), model.history.count()) for model in HISTORIES}


def test_demo_has_the_promised_volume(demo):
    assert Organisation.objects.count() >= 40
    assert ClimatePartnership.objects.count() >= 60
    assert Measure.objects.count() >= 150
    assert EnergySite.objects.count() >= 60
    assert HeatSymbiosis.objects.exclude(pipe_route=None).count() >= 5


def test_demo_covers_both_sectors_every_year_and_every_site_type(demo):
    signed = ClimatePartnership.objects.exclude(signed_on=None)
    years = {(p.sector, p.signed_on.year) for p in signed}
    assert years >= {(s, y) for s in ("industry", "agriculture") for y in range(2023, 2027)}
    assert set(EnergySite.objects.values_list("site_type", flat=True)) == set(EnergySite.SiteType.values)
    assert set(ClimatePartnership.objects.values_list("status", flat=True)) == set(ClimatePartnership.Status.values)


def test_demo_sites_lie_in_aalborg_kommune(demo):
    aalborg = Municipality.objects.get(code="0851").geom
    outside = EnergySite.objects.exclude(geometry__coveredby=aalborg)
    assert list(outside.values_list("name", flat=True)) == []
    assert set(EnergySite.objects.values_list("municipality_code", flat=True)) == {"0851"}


def test_demo_records_are_labelled_and_valid(demo):
    for org in Organisation.objects.all():
        validate_cvr(org.cvr)
        assert DEMO_LABEL in org.notes
    assert all(p.external_id.startswith("demo:") for p in ClimatePartnership.objects.all())
    assert not EnergySite.objects.exclude(data_source__contains="demo").exclude(data_source__contains="Energistyrelsen")


def test_demo_shares_biogas_plants_between_partnerships(demo):
    shared = EnergySite.objects.annotate(n=Count("measures__partnership", distinct=True)).filter(n__gte=2)
    assert shared.filter(site_type="biogas").exists()
    assert ClimatePartnership.objects.annotate(n=Count("organisations")).filter(n__gte=2).exists()


def test_loading_the_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert snapshot() == before


def test_demo_users_exist_for_each_role_and_sign_in(demo, client):
    for role, admin in (("viewer", 403), ("editor", 200), ("administrator", 200)):
        response = client.post(f"/demo-login/{role}/")
        assert response.status_code == 302
        assert not get_user_model().objects.get(username=f"demo-{role}").is_staff  # the role is enough
        assert client.get("/").status_code == 200
        assert client.get("/map/").status_code == 200
        assert client.get("/admin/").status_code == admin  # the admin is for those who change records
        client.logout()
    assert client.get("/").status_code == 200


def test_demo_login_is_off_unless_enabled(demo, client, settings):
    settings.DEMO_LOGIN_ENABLED = False
    assert client.post("/demo-login/editor/").status_code == 404


def test_targets_are_untouched_by_the_demo(demo):
    assert Target.objects.get(indicator="reduction_t", sector="industry").value == 100_000
