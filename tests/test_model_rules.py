"""Business rules of the domain model: CVR, tonnes, years, lifecycle."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.validators import normalise_cvr, validate_cvr
from partnerships.models import ClimatePartnership, Measure, RealisedReduction, Target
from registry.models import Organisation

from .conftest import make_measure, make_organisation, make_partnership


@pytest.mark.parametrize("cvr", ["10000009", "29403473", "25313763", "10150817"])
def test_valid_cvr_numbers_pass_the_modulus_11_check(cvr):
    validate_cvr(cvr)


@pytest.mark.parametrize(
    "cvr, reason",
    [
        ("10000008", "modulus-11"),
        ("29403474", "modulus-11"),
        ("1234567", "8 digits"),
        ("123456789", "8 digits"),
        ("1000000A", "8 digits"),
        ("01000008", "cannot start with 0"),
    ],
)
def test_invalid_cvr_numbers_are_rejected_with_the_reason(cvr, reason):
    with pytest.raises(ValidationError) as error:
        validate_cvr(cvr)
    assert reason in error.value.messages[0]


def test_cvr_is_normalised_from_common_spellings(db):
    assert normalise_cvr("DK 2940 3473") == "29403473"
    org = Organisation(name="Test A/S", cvr="DK-29403473")
    org.full_clean()
    assert org.cvr == "29403473"


def test_organisation_with_bad_cvr_names_the_field(db):
    org = Organisation(name="Test A/S", cvr="29403474")
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "cvr" in error.value.message_dict


def test_two_organisations_cannot_share_a_cvr(db):
    make_organisation(cvr="29403473")
    with pytest.raises(ValidationError) as error:
        make_organisation(name="Other A/S", cvr="29403473")
    assert "CVR number already exists" in str(error.value)


def test_negative_tonnes_are_rejected_by_the_form_rules_and_the_database(db):
    partnership = make_partnership(make_organisation())
    with pytest.raises(ValidationError) as error:
        make_measure(partnership, tonnes="-5")
    assert "annual_reduction_t" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(
            partnership=partnership,
            title="x",
            measure_type="other",
            annual_reduction_t=Decimal("-1"),
            first_year=2025,
            method="calculated",
            source="s",
        )


@pytest.mark.parametrize("year", [1999, 2051])
def test_measure_years_outside_2000_2050_are_rejected(db, year):
    partnership = make_partnership(make_organisation())
    with pytest.raises(ValidationError) as error:
        make_measure(partnership, first_year=year)
    assert "first_year" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(
            partnership=partnership,
            title="x",
            measure_type="other",
            annual_reduction_t=Decimal("1"),
            first_year=year,
            method="calculated",
            source="s",
        )


def test_realised_reduction_cannot_be_for_a_future_year_or_twice(db):
    measure = make_measure(make_partnership(make_organisation()))
    future = RealisedReduction(measure=measure, year=date.today().year + 1, realised_t=Decimal(10))
    with pytest.raises(ValidationError) as error:
        future.full_clean()
    assert "year" in error.value.message_dict
    RealisedReduction.objects.create(measure=measure, year=2025, realised_t=Decimal(10))
    with pytest.raises(ValidationError):
        RealisedReduction(measure=measure, year=2025, realised_t=Decimal(12)).full_clean()


@pytest.mark.parametrize(
    "path",
    [
        ["dialogue", "signed", "active", "completed"],
        ["dialogue", "cancelled"],
        ["dialogue", "signed", "cancelled"],
        ["dialogue", "signed", "active", "cancelled"],
    ],
)
def test_partnership_follows_the_lifecycle(db, path):
    partnership = make_partnership(make_organisation(), status=path[0])
    for status in path[1:]:
        partnership = ClimatePartnership.objects.get(pk=partnership.pk)
        partnership.status = status
        partnership.signed_on = partnership.signed_on or date(2025, 3, 1)
        partnership.full_clean()
        partnership.save()
    assert ClimatePartnership.objects.get(pk=partnership.pk).status == path[-1]


@pytest.mark.parametrize(
    "start, forbidden",
    [
        ("dialogue", "active"),
        ("dialogue", "completed"),
        ("signed", "dialogue"),
        ("signed", "completed"),
        ("completed", "active"),
        ("cancelled", "signed"),
        ("completed", "cancelled"),
    ],
)
def test_partnership_cannot_skip_or_reverse_lifecycle_steps(db, start, forbidden):
    partnership = make_partnership(make_organisation(), status=start)
    partnership = ClimatePartnership.objects.get(pk=partnership.pk)
    partnership.status = forbidden
    partnership.signed_on = partnership.signed_on or date(2025, 3, 1)
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "cannot go from" in error.value.message_dict["status"][0]


def test_signed_partnership_needs_a_signing_date_in_the_past(db):
    with pytest.raises(ValidationError) as error:
        make_partnership(make_organisation(), status="signed", signed_on=None)
    assert "signed_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_partnership(make_organisation(cvr="29403473"), status="signed", signed_on=date.today() + timedelta(days=3))
    assert "future" in error.value.message_dict["signed_on"][0]


def test_signing_date_before_dialogue_is_rejected(db):
    with pytest.raises(ValidationError) as error:
        make_partnership(make_organisation(), signed_on=date(2024, 1, 1), dialogue_started_on=date(2024, 6, 1))
    assert "before the dialogue" in error.value.message_dict["signed_on"][0]


def test_strategy_targets_are_seeded_as_editable_data(db):
    targets = {(t.indicator, t.sector): t for t in Target.objects.all()}
    assert targets[("reduction_t", "industry")].value == 100_000
    assert targets[("reduction_t", "agriculture")].value == 103_000
    assert targets[("reduction_t", "agriculture")].target_year == 2030
    assert (
        targets[("partnerships_per_year", "agriculture")].value,
        targets[("partnerships_per_year", "agriculture")].value_max,
    ) == (20, 30)
    assert targets[("international_per_year", "")].value == 2
    assert targets[("funding_dkk_per_year", "")].value == 50_000_000


def test_a_sector_target_needs_its_sector(db):
    target = Target(indicator="reduction_t", value=1, period_start_year=2027, period_end_year=2030)
    with pytest.raises(ValidationError) as error:
        target.full_clean()
    assert "sector" in error.value.message_dict
