import os
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.utils import translation

from access.roles import ROLES, sync_roles
from partnerships.models import ClimatePartnership, Measure, PartnershipOrganisation
from registry.models import EnergySite, Organisation

AALBORG_CENTRE = Point(556_000, 6_322_900, srid=25832)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; a request in Danish must not leak its language into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_tile_cache():
    """Rolling a test back also rolls back the layer version counters; cached tiles must not outlive it."""
    from django.core.cache import caches

    caches["tiles"].clear()


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    """The demo data set, loaded once per test module inside a transaction rolled back at its end.

    Each test's own transaction nests inside it as a savepoint, so tests stay isolated.
    """
    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=open(os.devnull, "w"))
        yield
        transaction.set_rollback(True)


@pytest.fixture
def role_users(db):
    """One user per role, in the role's group, as an administrator makes them: no staff status."""
    sync_roles()
    users = {}
    for role in ROLES:
        user = get_user_model().objects.create_user(username=f"test-{role}", password=None)
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    return users


@pytest.fixture
def client_for(client, role_users):
    def login(role):
        client.force_login(role_users[role])
        return client

    return login


def make_organisation(name="Limfjord Cement A/S", cvr="10000009", **fields):
    org = Organisation(name=name, cvr=cvr, **fields)
    org.full_clean()
    org.save()
    return org


def make_partnership(*organisations, sector="industry", status="signed", signed_on=date(2024, 5, 1), **fields):
    """A partnership in `status`, saved through its moves; a record of the past brings its end date."""
    if status in ("completed", "cancelled"):
        fields.setdefault(f"{status}_on", date(2025, 6, 1))
    partnership = ClimatePartnership(
        title=fields.pop("title", "Klimapartnerskab"),
        sector=sector,
        status=status,
        signed_on=signed_on if status != "dialogue" else None,
        **fields,
    )
    partnership.save_through_lifecycle()
    for i, org in enumerate(organisations):
        PartnershipOrganisation.objects.create(
            partnership=partnership, organisation=org, role="lead" if i == 0 else "partner"
        )
    return partnership


def make_measure(partnership, tonnes="1000", first_year=2025, **fields):
    measure = Measure(
        partnership=partnership,
        title=fields.pop("title", "Fuel switch"),
        measure_type=fields.pop("measure_type", "fuel_switch"),
        annual_reduction_t=Decimal(tonnes),
        first_year=first_year,
        method="calculated",
        source="Test",
        **fields,
    )
    measure.full_clean()
    measure.save()
    return measure


def make_site(name="Biogas plant", site_type="biogas", geometry=AALBORG_CENTRE, **fields):
    site = EnergySite(name=name, site_type=site_type, geometry=geometry, **fields)
    site.full_clean()
    site.save()
    return site
