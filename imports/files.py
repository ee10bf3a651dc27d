"""Opening the files people bring, safely: the format is read from the content, not the name.

A file is refused with a clear message when it is not what its name says, is larger than
the configured limit, is a zip that would expand beyond it (a zip bomb), or is a
Shapefile without its .prj (its coordinates would be a guess).
"""

import csv
import io
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS

from .archives import check_zip
from .columns import normalise, parse_number_series
from .errors import FileRefused
from .tables import FORMAT_LABELS, Table
from .vector_files import read_shapefile, read_vector

EXTENSIONS = {
    ".gpkg": "gpkg",
    ".zip": "shapefile",
    ".shz": "shapefile",
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
}


def max_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def sniff_format(path: Path) -> str:
    """What the content is, whatever the file is called."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"SQLite format 3\x00"):
        if head[68:72] == b"GPKG":
            return "gpkg"
        raise FileRefused(_("The file is an SQLite database but not a GeoPackage."))
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(_("The file is an old Excel workbook (.xls); save it as .xlsx and try again."))
    if b"\x00" in head:
        raise FileRefused(
            _(
                "The file is binary and not a format we can read (GeoPackage, zipped Shapefile, "
                "GeoJSON, KML, CSV or Excel .xlsx)."
            )
        )
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith(("{", "[")):
        return "geojson"
    if text.startswith("<"):
        if "<!doctype" in text.lower() or "<!entity" in text.lower():
            # KML never needs a DOCTYPE; entities could make the XML parser read the server's files (XXE).
            raise FileRefused(_("The XML file declares a DOCTYPE or entities, which KML never needs; refused."))
        if "<kml" in text:
            return "kml"
        raise FileRefused(_("The file is XML but not KML."))
    return "csv"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [PurePosixPath(info.filename) for info in archive.infolist()]
    except zipfile.BadZipFile as error:
        raise FileRefused(
            _("The file looks like a ZIP archive but cannot be opened: %(error)s") % {"error": error}
        ) from error
    if any(str(name) == "xl/workbook.xml" for name in names):
        return "xlsx"
    if any(name.suffix.lower() == ".shp" for name in names):
        return "shapefile"
    raise FileRefused(_("The ZIP archive holds neither a Shapefile nor an Excel workbook."))


def check_claimed_format(path: Path, original_name: str) -> str:
    """The sniffed format, refusing a file whose name claims a different one."""
    if path.stat().st_size > max_bytes():
        raise FileRefused(
            _("The file is %(size).0f MB; the limit is %(limit)s MB.")
            % {"size": path.stat().st_size / 1024 / 1024, "limit": settings.IMPORT_MAX_MB}
        )
    if path.stat().st_size == 0:
        raise FileRefused(_("The file is empty."))
    actual = sniff_format(path)
    claimed = EXTENSIONS.get(Path(original_name).suffix.lower())
    if claimed and claimed != actual:
        raise FileRefused(
            _("The file is called %(name)s, which says %(claimed)s, but its content is %(actual)s.")
            % {"name": original_name, "claimed": FORMAT_LABELS[claimed], "actual": FORMAT_LABELS[actual]}
        )
    return actual


def read_table(path: Path, fmt: str, layer: str = "", declared_crs: str = "") -> Table:
    """Read every row of the file (one layer or sheet) with its geometry, if the format has one."""
    if fmt in ("gpkg", "geojson", "kml"):
        return read_vector(path, fmt, layer)
    if fmt == "shapefile":
        return read_shapefile(path, layer)
    if fmt == "csv":
        return _points_from_coordinates(_read_csv(path), fmt, declared_crs)
    if fmt == "xlsx":
        check_zip(path)
        return _points_from_coordinates(_read_xlsx(path, layer), fmt, declared_crs)
    raise FileRefused(_("Unsupported format."))


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Danish Excel's "CSV (semikolonsepareret)"
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise FileRefused(_("The CSV file cannot be read: %(error)s") % {"error": error}) from error
    return frame


def _read_xlsx(path: Path, sheet: str) -> pd.DataFrame:
    try:
        workbook = pd.ExcelFile(path, engine="openpyxl")
    except Exception as error:  # openpyxl raises many kinds for a broken workbook
        raise FileRefused(_("The Excel file cannot be read: %(error)s") % {"error": error}) from error
    with workbook:
        if sheet and sheet not in workbook.sheet_names:
            raise FileRefused(
                _("The workbook has no sheet called %(layer)s; it has: %(layers)s.")
                % {"layer": sheet, "layers": ", ".join(workbook.sheet_names)}
            )
        frame = pd.read_excel(workbook, sheet_name=sheet or workbook.sheet_names[0], dtype=object)
    return frame.dropna(how="all")


COORDINATE_PAIRS = (
    # (x names, y names, CRS when the file does not say)
    (("lon", "lng", "long", "longitude", "laengdegrad", "laengde"), ("lat", "latitude", "breddegrad", "bredde"), 4326),
    (
        ("x", "easting", "east", "oest", "x_koordinat", "utm_x", "x_utm", "utm_e", "e"),
        ("y", "northing", "north", "nord", "y_koordinat", "utm_y", "y_utm", "utm_n", "n"),
        None,
    ),
)


def find_coordinate_columns(columns) -> tuple[str, str, int | None] | None:
    normalised = {normalise(column): column for column in columns}
    for xs, ys, srid in COORDINATE_PAIRS:
        x = next((normalised[name] for name in xs if name in normalised), None)
        y = next((normalised[name] for name in ys if name in normalised), None)
        if x and y:
            return x, y, srid
    # The Danish registers' long headers: "X (øst) koordinat UTM 32 Euref89".
    x = next((c for n, c in normalised.items() if n.startswith("x_") and ("koordinat" in n or "utm" in n)), None)
    y = next((c for n, c in normalised.items() if n.startswith("y_") and ("koordinat" in n or "utm" in n)), None)
    if x and y:
        return x, y, None
    return None


def _points_from_coordinates(frame: pd.DataFrame, fmt: str, declared_crs: str) -> Table:
    """Build point geometry from coordinate columns (or a WKT column) of a spreadsheet."""
    frame = frame.reset_index(drop=True)
    rows = np.arange(2, len(frame) + 2)  # the header is row 1, as Excel shows it
    notices = []
    wkt_column = next((c for c in frame.columns if str(c).strip().lower() in ("wkt", "geometry", "geometri")), None)
    pair = find_coordinate_columns(frame.columns)
    if pair:
        x_column, y_column, srid = pair
        x, x_errors = parse_number_series(frame[x_column])
        y, y_errors = parse_number_series(frame[y_column])
        geometry_errors = [
            f"{x_column}: {x_error}" if x_error else f"{y_column}: {y_error}" if y_error else None
            for x_error, y_error in zip(x_errors, y_errors)
        ]
        x = x.astype(float).to_numpy()
        y = y.astype(float).to_numpy()
        missing = np.isnan(x) | np.isnan(y)
        geometry = np.asarray(shapely.points(np.where(missing, 0, x), np.where(missing, 0, y)), dtype=object)
        geometry[missing] = None
        frame = frame.drop(columns=[x_column, y_column])
        source_columns = f"{x_column}, {y_column}"
    elif wkt_column is not None:
        texts = frame[wkt_column].astype(str).str.strip().replace({"": None, "nan": None})
        geometry = np.asarray(shapely.from_wkt(texts.to_numpy(), on_invalid="ignore"), dtype=object)
        frame = frame.drop(columns=[wkt_column])
        geometry_errors = None
        srid = None
        source_columns = str(wkt_column)
    else:
        return Table(frame, None, None, rows, fmt, notices=notices)
    if declared_crs:
        crs = CRS.from_user_input(declared_crs)
    elif srid:
        crs = CRS.from_epsg(srid)
    else:
        crs = CRS.from_epsg(_guess_srid(geometry))
        notices.append(
            _("The file does not name its coordinate system; the coordinates look like EPSG:%(srid)s.")
            % {"srid": crs.to_epsg()}
        )
    return Table(
        frame,
        geometry,
        crs,
        rows,
        fmt,
        notices=notices,
        geometry_columns=source_columns,
        geometry_errors=geometry_errors,
    )


def _guess_srid(geometry: np.ndarray) -> int:
    """Degrees when the values fit longitude/latitude, else Denmark's UTM 32N metres."""
    present = [g for g in geometry if g is not None and not g.is_empty]
    if not present:
        return settings.STORAGE_SRID
    bounds = shapely.total_bounds(np.asarray(present))
    if np.all(np.abs(bounds) <= 180) and abs(bounds[1]) <= 90 and abs(bounds[3]) <= 90:
        return 4326
    return settings.STORAGE_SRID
