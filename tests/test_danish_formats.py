"""Numbers, money, tonnes and dates in Danish on every page, in the reports, and typed into the admin."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from core import formats
from core.admin import LocalizedDecimalField
from partnerships.models import ExternalFunding, Measure, Target

from .conftest import make_measure, make_organisation, make_partnership
from .test_admin_roles import partnership_form
from .test_status_report import request_report

DA = {"HTTP_ACCEPT_LANGUAGE": "da"}
MEASURES = "/admin/partnerships/measure/"
TARGETS = "/admin/partnerships/target/"


@pytest.mark.parametrize(
    "language, expected",
    [
        ("da", ["12.346", "12.345 t CO2e/år", "27.700.000 kr.", "3. december 2026", "03-12-2026", "42,5 %"]),
        ("en", ["12,346", "12,345 t CO2e/yr", "DKK 27,700,000", "3 December 2026", "2026-12-03", "42.5 %"]),
    ],
)
def test_the_formats_module_writes_each_language(language, expected):
    with translation.override(language):
        written = [
            formats.number(12345.6),
            formats.tonnes(12345),
            formats.money(27_700_000),
            formats.date("2026-12-03"),
            formats.short_date(dt.date(2026, 12, 3)),
            formats.percent(0.425, 1),
        ]
    assert written == expected


def test_tonnes_keep_only_the_decimals_they_have():
    with translation.override("da"):
        assert formats.tonnes(Decimal("2050.50"), 2) == "2.050,5 t CO2e/år"
        assert formats.number(Decimal("13800000.00"), 2, trim=True) == "13.800.000"
        assert formats.number(None) == "–"


@pytest.mark.parametrize(
    "typed, value",
    [("850,5", "850.5"), ("105.000", "105000"), ("1.234,5", "1234.5"), ("1 234,5", "1234.5"), ("7", "7")],
)
def test_danish_input_reads_comma_decimals_and_dot_thousands(typed, value):
    with translation.override("da"):
        assert formats.parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["1.5", "1.2345", "12.34,5", "1,2,3", "abc", "1e5"])
def test_danish_input_that_could_be_read_two_ways_is_refused_with_the_rule(typed):
    with translation.override("da"), pytest.raises(formats.NumberFormatError) as refused:
        formats.parse_number(typed)
    assert "1.234,5" in str(refused.value)  # the message shows how to write it


def test_english_input_keeps_the_dot_as_decimal_mark():
    with translation.override("en"):
        assert formats.parse_number("1,234.5") == Decimal("1234.5")
        assert formats.parse_number("850.5") == Decimal("850.5")
        with pytest.raises(formats.NumberFormatError):
            formats.parse_number("850,5")


def test_the_form_field_names_the_rule_when_there_are_too_many_decimals():
    field = LocalizedDecimalField(max_digits=14, decimal_places=0)
    with translation.override("da"):
        assert field.clean("105.000") == 105000
        with pytest.raises(Exception) as refused:
            field.clean("105,5")
    assert "1.234,5" in " ".join(refused.value.messages)


def test_a_danish_editor_types_comma_decimals_in_the_admin(client_for):
    client = client_for("editor")
    measure = make_measure(make_partnership(make_organisation()), tonnes="100")
    page = client.get(f"{MEASURES}{measure.pk}/change/", **DA)
    assert 'value="100,00"' in page.content.decode()  # shown as it is typed
    data = {
        "partnership": measure.partnership_id,
        "title": measure.title,
        "measure_type": measure.measure_type,
        "annual_reduction_t": "850,5",
        "first_year": "2025",
        "method": "calculated",
        "source": "Test",
        "energy_site": "",
        "heat_symbiosis": "",
        "realised-TOTAL_FORMS": "1",
        "realised-INITIAL_FORMS": "0",
        "realised-0-year": "2025",
        "realised-0-realised_t": "1.234,5",
        "realised-0-source": "Rapport",
        "realised-0-reported_on": "03-12-2026",
    }
    response = client.post(f"{MEASURES}{measure.pk}/change/", data, **DA)
    assert response.status_code == 302, [f.formset.errors for f in response.context["inline_admin_formsets"]]
    measure.refresh_from_db()
    assert measure.annual_reduction_t == Decimal("850.5")
    assert measure.realised.get().realised_t == Decimal("1234.5")


def test_a_danish_partnership_form_reads_the_inline_tonnes(client_for):
    client = client_for("editor")
    data = partnership_form(make_organisation(), **{"measures-0-annual_reduction_t": "2.050,5"})
    response = client.post("/admin/partnerships/climatepartnership/add/", data, **DA)
    assert response.status_code == 302
    assert Measure.objects.get().annual_reduction_t == Decimal("2050.5")


def test_a_danish_target_of_105_000_is_105000_and_1_5_is_refused_with_why(client_for):
    client = client_for("administrator")
    target = Target.objects.get(indicator="reduction_t", sector="industry")
    data = {
        "indicator": "reduction_t",
        "sector": "industry",
        "value": "105.000",
        "value_max": "",
        "target_year": "2030",
        "period_start_year": "2023",
        "period_end_year": "2026",
        "source_text": "x",
    }
    response = client.post(f"{TARGETS}{target.pk}/change/", data, **DA)
    assert response.status_code == 302, response.context["adminform"].errors
    target.refresh_from_db()
    assert target.value == 105000

    response = client.post(f"{TARGETS}{target.pk}/change/", {**data, "value": "1.5"}, **DA)
    assert response.status_code == 200
    message = " ".join(response.context["adminform"].form.errors["value"])
    assert "“1.5”" in message and "1.234,5" in message
    target.refresh_from_db()
    assert target.value == 105000


def test_admin_lists_group_thousands_but_not_years(client_for):
    client = client_for("editor")
    make_measure(make_partnership(make_organisation()), tonnes="2050.50", first_year=2026)
    page = client.get(MEASURES, **DA).content.decode()
    assert "2.050,5" in page and ">2026<" in page and "2.026" not in page
    targets = client.get(TARGETS, **DA).content.decode()
    assert "2.030" not in targets and ">2030<" in targets


def test_the_dashboard_writes_danish_dates_numbers_and_money(client_for, demo_db):
    client = client_for("viewer")
    page = client.get("/?as_of=2025-12-31", **DA).content.decode()
    assert "Tal pr. 31. december 2025" in page
    assert "2025-12-31." not in page
    assert " kr.</a>" in page and "DKK " not in page
    assert '"language": "da"' in page and '"tonnes": "t CO2e/\\u00e5r"' in page
    assert "2.030" not in page  # the target year is a year, not a number with thousands


def test_the_drill_down_writes_danish_labels_numbers_and_dates(client_for, demo_db):
    client = client_for("viewer")
    page = client.get("/progress/rows/funding/", **DA).content.decode()
    assert "amount_dkk" not in page and "granted_on" not in page
    amount = ExternalFunding.objects.filter(status="granted", archived_at__isnull=True).first().amount_dkk
    with translation.override("da"):
        assert formats.number(amount) in page


def test_the_workbook_keeps_numbers_and_dates_as_values_with_formats(client_for, demo_db):
    client = client_for("viewer")
    response = request_report(client, "xlsx", **DA)
    book = load_workbook(io.BytesIO(response.content))
    summary = book.worksheets[0]
    today = dt.datetime.combine(timezone.localdate(), dt.time())
    assert summary["B2"].value == today and summary["B2"].number_format == "dd-mm-yyyy"
    assert isinstance(summary["B3"].value, dt.datetime)
    target = summary["B7"]
    assert isinstance(target.value, (int, float)) and target.number_format == "#,##0"
    assert "t CO2e/år" in summary["A7"].value
    funding = book.worksheets[-1]
    dates = [c for c in funding["F"][1:] if c.value is not None and not isinstance(c.value, str)]
    assert dates and all(c.number_format == "dd-mm-yyyy" for c in dates)


def test_the_pdf_writes_danish_dates_and_numbers(client_for, demo_db, tmp_path):
    import subprocess

    client = client_for("viewer")
    api = client.get("/api/progress/").json()
    response = request_report(client, "pdf", **DA)
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    with translation.override("da"):
        assert f"Tal pr. {formats.date(timezone.localdate())}" in text
    with translation.override("da"):
        assert formats.number(api["industry"]["committed_tonnes"]) in text
