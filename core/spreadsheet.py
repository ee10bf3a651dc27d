"""Text a spreadsheet would run as a formula, and the size of an Excel cell: one rule for every CSV and workbook.

A record named `=HYPERLINK("http://x","y")` (or starting with `+`, `-`, `@`, a tab or a carriage return, the
characters in OWASP's CSV-injection guidance) must reach the reader as that text, never as a live formula.
Numbers are never touched: -5 stays the number -5.
"""

import re
import zipfile
from io import BytesIO

from lxml import etree

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CELL_TEXT_MAX = 32_767  # characters in one Excel cell; Excel cuts longer text when it opens the file


def runs_as_formula(value) -> bool:
    """Whether a spreadsheet could take this value for a formula: text starting with =, +, -, @, tab or CR."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value):
    """A CSV field's text with a leading ' where a spreadsheet would run it: shown as typed, never evaluated."""
    return "'" + value if runs_as_formula(value) else value


def text_cell(cell) -> None:
    """An openpyxl cell whose text a spreadsheet would run becomes a string cell marked as quoted text (Excel's
    leading '), so it shows as typed and stays text when edited; openpyxl makes text starting with = a formula."""
    if runs_as_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


SUM = re.compile(r"=SUM\(([A-Z]+[0-9]+:[A-Z]+[0-9]+)\)")
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def saved_with_results(workbook) -> bytes:
    """The openpyxl workbook as .xlsx bytes, each `=SUM(range)` stored with its result. openpyxl writes formulas
    without one, so a reader that does not calculate (openpyxl with data_only=True, pandas) would see empty
    totals; Excel and LibreOffice still calculate the live SUM when they open the file (fullCalcOnLoad)."""
    results = {}
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                found = SUM.fullmatch(cell.value) if cell.data_type == "f" else None
                if found:
                    values = [c.value for part in sheet[found[1]] for c in part]
                    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
                    results.setdefault(sheet, {})[cell.coordinate] = sum(numbers)
    buffer = BytesIO()
    workbook.save(buffer)  # gives every sheet its path in the archive
    return _store_results(buffer.getvalue(), {sheet.path[1:]: cells for sheet, cells in results.items()})


def _store_results(xlsx: bytes, results: dict[str, dict[str, float]]) -> bytes:
    """The archive with a <v> (the cached result) written into the formula cells named in `results`."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in results:
                tree = etree.fromstring(data)
                for cell in tree.iter(f"{MAIN_NS}c"):
                    if cell.get("r") in results[item.filename]:
                        value = cell.find(f"{MAIN_NS}v")
                        value = etree.SubElement(cell, f"{MAIN_NS}v") if value is None else value
                        value.text = repr(results[item.filename][cell.get("r")])
                data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(item, data)
    return out.getvalue()
