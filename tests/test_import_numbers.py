"""Numbers in imported files, Danish (12.000 = twelve thousand, 3,6) or English (1,234.5), decided per column."""

from decimal import Decimal

import openpyxl
import pytest

from partnerships.models import Measure
from registry.models import EnergySite

from .import_files import write_csv
from .test_imports import PARTNERSHIP_HEADER, partnership_rows, reasons, run_import

pytestmark = pytest.mark.django_db

TONNES = PARTNERSHIP_HEADER.index("Ton CO2e/år")


def partnerships_with_tonnes(path, *tonnes):
    """The two partnerships of the import tests, their measures' tonnes written as given."""
    rows = partnership_rows()
    for row, value in zip(rows, tonnes):
        row[TONNES] = value
    return write_csv(path, PARTNERSHIP_HEADER, rows, delimiter=";")


def tonnes_by_partnership() -> dict[str, Decimal]:
    return dict(Measure.objects.values_list("partnership__external_id", "annual_reduction_t"))


def test_a_danish_thousands_separator_counts_thousands_when_the_column_is_danish(tmp_path):
    run_import(partnerships_with_tonnes(tmp_path / "p.csv", "12.000", "3,6"), "--kind", "partnerships")
    assert tonnes_by_partnership() == {"KP-1": Decimal("12000"), "KP-2": Decimal("3.6")}


def test_several_danish_thousands_separators_and_a_decimal_comma_are_read(tmp_path):
    run_import(partnerships_with_tonnes(tmp_path / "p.csv", "2.500.000", "12.000,5"), "--kind", "partnerships")
    assert tonnes_by_partnership() == {"KP-1": Decimal("2500000"), "KP-2": Decimal("12000.5")}


def test_an_english_column_groups_thousands_with_commas(tmp_path):
    run_import(partnerships_with_tonnes(tmp_path / "p.csv", "1,234.5", "12,000"), "--kind", "partnerships")
    assert tonnes_by_partnership() == {"KP-1": Decimal("1234.5"), "KP-2": Decimal("12000")}


def test_numbers_with_an_exponent_as_scripts_write_them_are_read(tmp_path):
    run_import(partnerships_with_tonnes(tmp_path / "p.csv", "1e3", "2.5E-1"), "--kind", "partnerships")
    assert tonnes_by_partnership() == {"KP-1": Decimal("1000"), "KP-2": Decimal("0.25")}


def test_spaces_group_thousands_either_way(tmp_path):
    run_import(partnerships_with_tonnes(tmp_path / "p.csv", "12 000,5", "1\u00a0250"), "--kind", "partnerships")
    assert tonnes_by_partnership() == {"KP-1": Decimal("12000.5"), "KP-2": Decimal("1250")}


@pytest.mark.parametrize("value", ["12.000", "1,234"])
def test_a_value_read_two_ways_in_a_column_that_does_not_settle_it_is_refused_by_row_and_column(tmp_path, value):
    run = run_import(
        partnerships_with_tonnes(tmp_path / "p.csv", value, "310"), "--kind", "partnerships", expect_ok=False
    )
    assert run.status == "rejected" and Measure.objects.count() == 0
    (rejection,) = run.rejections
    assert (rejection["row"], rejection["column"], rejection["field"], rejection["value"]) == (
        2,
        "Ton CO2e/år",
        "annual_reduction_t",
        value,
    )
    assert "can be read two ways" in rejection["reason"] and "number_locale" in rejection["reason"]


def test_the_command_line_can_say_the_file_is_danish(tmp_path):
    path = partnerships_with_tonnes(tmp_path / "p.csv", "12.000", "310")
    run_import(path, "--kind", "partnerships", "--number-locale", "da")
    assert tonnes_by_partnership() == {"KP-1": Decimal("12000"), "KP-2": Decimal("310")}


def test_the_mapping_file_can_say_the_file_is_english(tmp_path):
    path = partnerships_with_tonnes(tmp_path / "p.csv", "12.000", "310")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("number_locale: en\n", encoding="utf-8")
    run_import(path, "--kind", "partnerships", "--mapping", str(mapping))
    assert tonnes_by_partnership() == {"KP-1": Decimal("12"), "KP-2": Decimal("310")}


def test_a_value_against_the_format_given_is_refused_with_the_format(tmp_path):
    path = partnerships_with_tonnes(tmp_path / "p.csv", "3,6", "310")
    run = run_import(path, "--kind", "partnerships", "--number-locale", "en", expect_ok=False)
    assert reasons(run) == {
        2: ["annual_reduction_t: “3,6” is not a number in the format given for this import (English, 1,234.5)."]
    }


def test_a_mapping_file_with_an_unknown_number_locale_is_refused(tmp_path):
    path = partnerships_with_tonnes(tmp_path / "p.csv", "12.000", "310")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("number_locale: de\n", encoding="utf-8")
    with pytest.raises(Exception, match="number_locale must be da"):
        run_import(path, "--kind", "partnerships", "--mapping", str(mapping))


def test_an_ambiguous_coordinate_is_named_instead_of_an_empty_geometry(tmp_path):
    path = write_csv(
        tmp_path / "sites.csv",
        ["id", "navn", "type", "x", "y"],
        [["S1", "Solpark", "sol", "556.123", "6322900"], ["S2", "Vindmølle", "vind", "557.456", "6323100"]],
        delimiter=";",
    )
    run = run_import(path, "--kind", "sites", expect_ok=False)
    assert {r["row"]: (r["field"], r["column"]) for r in run.rejections} == {
        2: ("geometry", "x, y"),
        3: ("geometry", "x, y"),
    }
    assert all(r["reason"].startswith("x: “5") and "can be read two ways" in r["reason"] for r in run.rejections)
    run_import(path, "--kind", "sites", "--number-locale", "da")
    assert EnergySite.objects.get(external_id="S1").geometry.x == pytest.approx(556_123)


def test_numeric_cells_of_a_workbook_are_never_reinterpreted(tmp_path):
    """Excel stores 1.234 and 2.5 as numbers: they give no hint about the text cell "3,6" beside them."""
    path = tmp_path / "parker.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "navn", "type", "lon", "lat", "effekt_mw"])
    for number, capacity in enumerate([1.234, 2.5, "3,6"]):
        workbook.active.append([f"P{number}", f"Solpark {number}", "sol", 9.9 + number / 100, 57.0, capacity])
    workbook.save(path)
    run_import(path, "--kind", "sites")
    capacities = dict(EnergySite.objects.values_list("external_id", "capacity"))
    assert capacities == {"P0": Decimal("1.234"), "P1": Decimal("2.5"), "P2": Decimal("3.6")}
