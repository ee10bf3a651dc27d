"""The status report as an Excel workbook: a summary, then a sheet per indicator with the rows behind it."""

import datetime as dt

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.spreadsheet import saved_with_results, text_cell

from .. import selectors
from .labels import sectors

BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6EA")
# Numbers stay numbers: the reader's Excel or LibreOffice shows these formats with its own separators.
TONNES = "#,##0"
DECIMALS = "#,##0.00"
COLUMN_FORMATS = {"annual_reduction_t": DECIMALS, "realised_t": DECIMALS, "amount_dkk": TONNES}


def date_format(with_time: bool = False) -> str:
    """Dates are real dates, shown as the report's language writes them: 03-12-2026, 2026-12-03."""
    day = "dd-mm-yyyy" if (get_language() or "").startswith("da") else "yyyy-mm-dd"
    return f"{day} hh:mm" if with_time else day


def _header(ws, row, titles):
    for col, title in enumerate(titles, 1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL


def _rows_table(ws, start_row, rows, columns, sum_column=None):
    """Write rows under a header; a SUM formula under `sum_column` lets the reader check the figure (0 when
    there are no rows: a SUM over no rows would be a SUM of its own cell)."""
    _header(ws, start_row, [title for _key, title in columns])
    for r, row in enumerate(rows, start_row + 1):
        for c, (key, _title) in enumerate(columns, 1):
            value = row[key]
            cell = ws.cell(row=r, column=c, value=float(value) if hasattr(value, "as_tuple") else value)
            text_cell(cell)  # titles and names typed by users never run as formulas
            if isinstance(value, dt.date):
                cell.number_format = date_format()
            elif key in COLUMN_FORMATS:
                cell.number_format = COLUMN_FORMATS[key]
    last = start_row + len(rows)
    if sum_column:
        col = [key for key, _t in columns].index(sum_column) + 1
        letter = get_column_letter(col)
        ws.cell(row=last + 1, column=1, value=_("Total of the rows")).font = BOLD
        total = ws.cell(row=last + 1, column=col, value=f"=SUM({letter}{start_row + 1}:{letter}{last})" if rows else 0)
        total.font, total.number_format = BOLD, COLUMN_FORMATS.get(sum_column, TONNES)
    return last + 2


def _widths(ws, widths):
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width


def build_workbook(totals: dict, *, as_of: dt.date | None, generated) -> bytes:
    """The workbook: a summary, then a sheet per indicator with the rows behind its figures."""
    wb = Workbook()
    _summary_sheet(wb.active, totals, generated)
    for key, label in sectors():
        _sector_sheet(wb.create_sheet(label[:31]), key, label, totals[key], as_of)
    _signed_sheet(wb.create_sheet(_("Partnerships signed")[:31]), totals, as_of)
    _rows_sheet(
        wb.create_sheet(_("Realised")[:31]),
        selectors.realised_behind(as_of=as_of),
        realised_columns(),
        [12, 40, 44, 14, 8, 16, 34],
        "realised_t",
    )
    _rows_sheet(
        wb.create_sheet(_("International")[:31]),
        selectors.international_behind(as_of=as_of),
        international_columns(),
        [8, 44, 30, 10, 12, 14, 8],
    )
    _rows_sheet(
        wb.create_sheet(_("Funding")[:31]),
        selectors.funding_behind(as_of=as_of),
        funding_columns(),
        [8, 40, 30, 14, 16, 14, 8],
        "amount_dkk",
    )
    return saved_with_results(wb)


def _summary_sheet(summary, totals: dict, generated) -> None:
    summary.title = _("Summary")
    summary["A1"] = _("Status report: climate partnerships and green supply (business strategy priority 4)")
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"] = _("As of")
    summary["B2"] = dt.date.fromisoformat(totals["as_of"])
    summary["B2"].number_format = date_format()
    summary["A3"] = _("Generated")
    summary["B3"] = generated.replace(tzinfo=None, microsecond=0)
    summary["B3"].number_format = date_format(with_time=True)
    summary["A4"] = _("Filter")
    summary["B4"] = _("none: the whole registry")
    year = int(totals["as_of"][:4])

    _header(
        summary,
        6,
        [
            _("Indicator"),
            _("Target"),
            _("Committed"),
            _("Pipeline"),
            _("Realised"),
            _("Realised year"),
            _("Share of target committed"),
        ],
    )
    _sector_rows(summary, totals)
    for key, label in sectors():
        signed = totals[key]["partnerships_signed"].get(str(year), {"count": 0, "target": None})
        summary.append(
            [
                _("%(sector)s: partnerships signed in %(year)s") % {"sector": label, "year": year},
                signed["target"],
                signed["count"],
            ]
        )
    summary.append(
        [
            _("International partnerships in %(year)s") % {"year": year},
            totals["international_partnerships"]["target_per_year"],
            totals["international_partnerships"]["by_year"].get(str(year), 0),
        ]
    )
    summary.append(
        [
            _("External funding granted in %(year)s (DKK)") % {"year": year},
            totals["external_funding"]["target_per_year"],
            totals["external_funding"]["by_year"].get(str(year), 0),
        ]
    )
    for cell in summary[summary.max_row][1:3]:
        cell.number_format = TONNES
    _widths(summary, [62, 14, 14, 14, 14, 14, 14])


def _sector_rows(summary, totals: dict) -> None:
    """One reduction-potential row per sector from row 7, with tonnes and share formats set per cell."""
    row = 7
    for key, label in sectors():
        fig = totals[key]
        summary.append(
            [
                _("%(sector)s: reduction potential by %(year)s (t CO2e/yr)")
                % {"sector": label, "year": fig["target_year"]},
                fig["target_tonnes"],
                fig["committed_tonnes"],
                fig["pipeline_tonnes"],
                fig["realised_tonnes"],
                fig["realised_year"],
                fig["committed_share"],
            ]
        )
        summary.cell(row=row, column=7).number_format = "0.0%"
        for col in (2, 3, 4, 5):
            summary.cell(row=row, column=col).number_format = TONNES
        row += 1


def _sector_sheet(ws, key: str, label: str, fig: dict, as_of) -> None:
    """A sector's trajectory, then its committed and pipeline measures with a SUM under each."""
    ws["A1"] = _("%(sector)s: trajectory and the measures behind every figure") % {"sector": label}
    ws["A1"].font = Font(bold=True, size=13)
    _header(ws, 3, [_("Year"), _("Committed reduction in effect"), _("Straight path to the target")])
    for y in fig["trajectory"]:
        ws.append([int(y), fig["trajectory"][y], fig["target_path"].get(y)])
        for cell in ws[ws.max_row][1:3]:
            cell.number_format = TONNES
    next_row = 4 + len(fig["trajectory"]) + 1
    for bucket, title in (("committed", _("Committed measures")), ("pipeline", _("Pipeline measures"))):
        ws.cell(row=next_row, column=1, value=title).font = Font(bold=True, size=12)
        rows = selectors.measures_behind(sector=key, bucket=bucket, as_of=as_of)
        next_row = _rows_table(ws, next_row + 1, rows, measure_columns(), "annual_reduction_t") + 1
    _widths(ws, [12, 44, 18, 12, 10, 16, 40, 12, 44, 12, 16])


def _signed_sheet(ws, totals: dict, as_of) -> None:
    """Partnerships signed per year and sector against the annual targets, then the partnerships counted."""
    _header(
        ws,
        1,
        [_("Year")]
        + [label for _k, label in sectors()]
        + [_("Annual target, industry"), _("Annual target, agriculture")],
    )
    years = sorted({y for k, _label in sectors() for y in totals[k]["partnerships_signed"]})
    for y in years:
        signed = [totals[k]["partnerships_signed"].get(y, {"count": 0}) for k, _label in sectors()]
        targets = [totals[k]["partnerships_signed"].get(y, {}).get("target") for k, _label in sectors()]
        ws.append([int(y), *[s["count"] for s in signed], *targets])
    rows = selectors.partnerships_behind(as_of=as_of)
    _rows_table(
        ws,
        len(years) + 3,
        rows,
        [
            ("id", _("Partnership id")),
            ("title", _("Partnership")),
            ("sector", _("Sector")),
            ("status", _("Status")),
            ("signed_on", _("Signed on")),
            ("year", _("Year")),
        ],
    )
    _widths(ws, [14, 44, 14, 14, 14, 14])


def _rows_sheet(ws, rows, columns, widths, sum_column=None) -> None:
    _rows_table(ws, 1, rows, columns, sum_column)
    _widths(ws, widths)


def measure_columns():
    return [
        ("id", _("Measure id")),
        ("title", _("Measure")),
        ("measure_type", _("Type")),
        ("annual_reduction_t", _("t CO2e/yr")),
        ("first_year", _("First year")),
        ("method", _("Method")),
        ("source", _("Source")),
        ("partnership_id", _("Partnership id")),
        ("partnership_title", _("Partnership")),
        ("status", _("Status")),
        ("entered_by", _("Entered by")),
    ]


def realised_columns():
    return [
        ("measure_id", _("Measure id")),
        ("measure_title", _("Measure")),
        ("partnership_title", _("Partnership")),
        ("sector", _("Sector")),
        ("year", _("Year")),
        ("realised_t", _("Realised t CO2e")),
        ("source", _("Source")),
    ]


def international_columns():
    return [
        ("id", _("Id")),
        ("title", _("Partnership")),
        ("partner_name", _("Partner")),
        ("country", _("Country")),
        ("status", _("Status")),
        ("signed_on", _("Signed on")),
        ("year", _("Year")),
    ]


def funding_columns():
    return [
        ("id", _("Id")),
        ("title", _("Project")),
        ("funder", _("Funder")),
        ("source", _("Source")),
        ("amount_dkk", _("DKK")),
        ("granted_on", _("Granted on")),
        ("year", _("Year")),
    ]
