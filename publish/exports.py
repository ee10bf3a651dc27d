"""Layer exports. GeoJSON is built by PostGIS and streamed (COPY, so memory does not grow with the
layer); CSV, Excel, GeoPackage and zipped Shapefile go through GeoPandas."""

import datetime
import errno
import functools
import io
import json
import re
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.spreadsheet import CELL_TEXT_MAX, csv_text, text_cell
from gis.crs import PRECISION

from .layers import LayerQuery

FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "shp": ("application/zip", "shp.zip"),
}
# Shapefiles hold one geometry type each, so a mixed layer becomes one file per type.
SHAPE_GROUPS = {
    "Point": "points",
    "MultiPoint": "points",
    "LineString": "lines",
    "MultiLineString": "lines",
    "Polygon": "polygons",
    "MultiPolygon": "polygons",
}


def crs_member(srid: int) -> str:
    return f"urn:ogc:def:crs:EPSG::{srid}"


CHUNK_BYTES = 256 * 1024


def stream_geojson(layer: LayerQuery, *, name: str, srid: int, metadata: dict):
    """Yield a FeatureCollection in ~256 KB pieces; PostGIS writes every feature, we only pass bytes along."""
    head = {"type": "FeatureCollection", "name": name, **metadata}
    if srid != 4326:
        head["crs"] = {"type": "name", "properties": {"name": crs_member(srid)}}
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "features": [\n'
    with connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute(f"SELECT * FROM ({layer.sql}) t LIMIT 0", layer.params)
        columns = [c.name for c in cursor.description if c.name != "geom"]
        properties = ", ".join(f"'{column}', t.\"{column}\"" for column in columns)
        # every feature starts with a comma; the first one's is dropped below
        feature_sql = f"""
            SELECT ',' || json_build_object('type', 'Feature', 'id', {layer.feature_id},
                                            'geometry', ST_AsGeoJSON(t.geom, {PRECISION[srid]})::json,
                                            'properties', json_build_object({properties}))::text
            FROM ({layer.sql}) t"""
        # CSV with a quote and delimiter that JSON text never holds: each row is copied byte for byte.
        copy_sql = f"COPY ({feature_sql}) TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
        buffer, size, first = [], 0, True
        with raw.copy(raw.mogrify(copy_sql, layer.params)) as copy:
            for block in copy:
                if first:
                    block, first = bytes(block)[1:], False
                buffer.append(block)
                size += len(block)
                if size >= CHUNK_BYTES:
                    yield b"".join(buffer)
                    buffer, size = [], 0
        yield b"".join(buffer) + b"]}\n"


def read_frame(layer: LayerQuery, srid: int) -> gpd.GeoDataFrame:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.*, ST_AsBinary(t.geom) AS geom_wkb FROM ({layer.sql}) t", layer.params)
        columns = [c.name for c in cursor.description]
        # as objects first: pandas would make an integer column with a NULL a float one (2027 -> 2027.0)
        frame = pd.DataFrame(cursor.fetchall(), columns=columns, dtype=object)
    geometry = gpd.GeoSeries.from_wkb(frame.pop("geom_wkb").map(bytes, na_action="ignore"), crs=srid)
    frame = frame.drop(columns=["geom"])
    for column in frame.columns:
        frame[column] = _typed(frame[column])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=srid)


def _typed(column: pd.Series) -> pd.Series:
    """The column in the type of its database values: integers stay integers (nullable Int64), decimals become
    floats (so every format stores numbers as numbers), text stays text ("0851" keeps its zero)."""
    kinds = {type(value) for value in column if value is not None}
    if kinds == {int}:
        return column.astype("Int64")
    if kinds and kinds <= {Decimal, float, int}:
        return column.astype(float)
    return column.infer_objects()


def _with_coordinates(frame: gpd.GeoDataFrame, srid: int) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns="geometry"))
    points = frame.geometry.representative_point()
    x_name, y_name = ("lon", "lat") if srid == 4326 else ("x", "y")
    table[x_name] = points.x.round(PRECISION[srid])
    table[y_name] = points.y.round(PRECISION[srid])
    table["wkt"] = frame.geometry.to_wkt(rounding_precision=PRECISION[srid])
    return table


def _csv_table(frame, srid, metadata) -> pd.DataFrame:
    table = _with_coordinates(frame, srid)
    table["export_as_of"] = metadata["as_of"]
    table["export_filter"] = json.dumps(metadata["filter"], ensure_ascii=False)
    table["export_crs"] = f"EPSG:{srid}"
    return table


def _text_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if table[c].dtype == object or isinstance(table[c].dtype, pd.StringDtype)]


def write_csv(frame, *, name, srid, metadata) -> bytes:
    """International CSV: `,` and decimal points, for GIS tools, scripts and spreadsheets in English. Text a
    spreadsheet would run as a formula gets a leading ' (core.spreadsheet); numbers are written as numbers."""
    table = _csv_table(frame, srid, metadata)
    for column in _text_columns(table):
        table[column] = table[column].map(csv_text, na_action="ignore")
    # UTF-8 with a byte-order mark: Excel then reads æ, ø and å correctly.
    return table.to_csv(index=False).encode("utf-8-sig")


# A text a spreadsheet would take for a number, date or time ("0851", a CVR or GSRN number, "1-2", "12:30").
NUMBER_LIKE = re.compile(r"[\d .,:/%+()eE\u00a0-]*\d[\d .,:/%+()eE\u00a0-]*")
FORMULA_TEXT_MAX = 255  # the longest text constant Excel accepts in a formula


@functools.lru_cache(maxsize=65536)  # columns repeat their values (types, statuses, codes)
def _danish_text(value: str) -> str:
    if len(value) <= FORMULA_TEXT_MAX and NUMBER_LIKE.fullmatch(value):
        # A formula whose result is the text itself: Excel, and LibreOffice when it evaluates formulas, show
        # 0851, not 851; quoting alone stops neither from converting it. No formula injection: the pattern
        # admits no quote (nor line break), so the value cannot leave the text constant.
        return f'="{value}"'
    return '"' + csv_text(value).replace('"', '""') + '"'  # text, never a live formula (CSV injection)


def _decimal_comma(value: float) -> str:
    text = repr(float(value))  # the shortest that reads back the same; positional where repr is scientific
    text = np.format_float_positional(value, trim="-") if "e" in text else text.removesuffix(".0")
    return text.replace(".", ",")


def _danish_cell(value) -> str:
    """One value of a column of mixed or other types (missing values never get here)."""
    if isinstance(value, bool | np.bool_):
        return _danish_text(str(value).lower())
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _decimal_comma(value)
    if isinstance(value, datetime.datetime):
        return _danish_text(value.isoformat())
    if isinstance(value, datetime.date):
        return value.isoformat()  # ISO dates are read as dates in every locale
    return _danish_text(str(value))


def _danish_column(column: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(column.dtype):  # Int64 with its gaps: 2027, never 2027.0
        return column.astype("string").fillna("").astype(object)
    if pd.api.types.is_float_dtype(column.dtype):
        cell = _decimal_comma
    elif isinstance(column.dtype, pd.StringDtype):
        cell = _danish_text
    else:
        cell = _danish_cell
    return column.map(cell, na_action="ignore").fillna("").astype(object)


def write_csv_danish(frame, *, name, srid, metadata) -> bytes:
    """CSV for Danish spreadsheets (Excel, LibreOffice in Danish): `;` between fields, decimal commas, integers
    as integers, text quoted and codes kept as text, CRLF line ends, UTF-8 with a byte-order mark."""
    table = _csv_table(frame, srid, metadata)
    header = ";".join(_danish_text(str(column)) for column in table.columns)
    first, *others = (_danish_column(table[column]) for column in table.columns)
    rows = first.str.cat(others, sep=";") if len(table) else []
    return "".join(f"{line}\r\n" for line in (header, *rows)).encode("utf-8-sig")


CSV_DIALECTS = {"international": write_csv, "da": write_csv_danish}


def _cell_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold control characters: drop them from text cells rather than fail the export."""
    return table.apply(
        lambda column: column.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    )


class ExportIncomplete(Exception):
    """A written file does not hold every feature: it must not be sent."""


class CellTooLong(ExportIncomplete):
    """A text (most often a geometry's WKT) is longer than an Excel cell holds: Excel would cut it when opening
    the file, so the workbook is refused rather than sent incomplete."""


LISTED_PROBLEMS = 20  # the error names this many values, then counts the rest


def _check_cell_sizes(table: pd.DataFrame) -> None:
    """Raise CellTooLong naming every feature with a text longer than CELL_TEXT_MAX, and which column."""
    problems = []
    for column in _text_columns(table):
        lengths = table[column].map(lambda v: len(v) if isinstance(v, str) else 0)
        for position in np.flatnonzero(lengths.to_numpy() > CELL_TEXT_MAX):
            feature = table["id"].iloc[position] if "id" in table.columns else position + 1
            problems.append(
                _("feature %(feature)s (row %(row)s): %(column)s has %(length)s characters")
                % {"feature": feature, "row": position + 2, "column": column, "length": lengths.iloc[position]}
            )
    if not problems:
        return
    named = "; ".join(problems[:LISTED_PROBLEMS])
    if len(problems) > LISTED_PROBLEMS:
        named += "; " + _("and %(count)s more") % {"count": len(problems) - LISTED_PROBLEMS}
    raise CellTooLong(
        _(
            "An Excel cell holds at most %(max)s characters, and Excel would cut these values: %(problems)s. "
            "Download the layer as GeoPackage or GeoJSON, which keep every geometry whole."
        )
        % {"max": CELL_TEXT_MAX, "problems": named}
    )


def write_xlsx(frame, *, name, srid, metadata) -> bytes:
    """The layer and its export metadata as two sheets; text stays text (core.spreadsheet), numbers numbers."""
    table = _cell_safe(_with_coordinates(frame, srid))
    _check_cell_sizes(table)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name=name[:31], index=False)
        _cell_safe(_metadata_table(metadata, srid, len(frame))).to_excel(writer, sheet_name="export", index=False)
        for sheet in writer.sheets.values():
            for row in sheet.iter_rows():
                for cell in row:
                    text_cell(cell)
    return buffer.getvalue()


def _metadata_table(metadata, srid, count) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["as_of", "filter", "crs", "features"],
            "value": [
                metadata["as_of"],
                json.dumps(metadata["filter"], ensure_ascii=False),
                f"EPSG:{srid}",
                str(count),
            ],
        }
    )


class ExportDiskFull(Exception):
    """The disk filled up while a GeoPackage or Shapefile was written: nothing may be sent as if complete."""


DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
# GDAL reports a full disk in its own words (or as a missing table after a failed CREATE), not with an errno.
DISK_FULL_MESSAGES = ("no space left on device", "database or disk is full", "disk quota exceeded", "file too large")
NEARLY_FULL_BYTES = 1024 * 1024


def _disk_full(error: Exception, directory: Path | None) -> bool:
    if getattr(error, "errno", None) in DISK_FULL_ERRNOS:
        return True
    if any(message in str(error).lower() for message in DISK_FULL_MESSAGES):
        return True
    return directory is not None and shutil.disk_usage(directory).free < NEARLY_FULL_BYTES


@contextmanager
def work_directory():
    """A scratch directory under EXPORT_WORK_DIR, removed afterwards; a full disk becomes ExportDiskFull."""
    try:
        with tempfile.TemporaryDirectory(dir=settings.EXPORT_WORK_DIR or None, prefix="export-") as tmp:
            try:
                yield Path(tmp)
            except (OSError, RuntimeError, ExportIncomplete) as error:  # pyogrio's errors are RuntimeErrors
                if _disk_full(error, Path(tmp)):
                    raise ExportDiskFull(str(error)) from error
                raise
    except OSError as error:  # the directory itself could not be made
        if _disk_full(error, None):
            raise ExportDiskFull(str(error)) from error
        raise


def verify_written(path: Path, expected: int, layer: str | None = None) -> None:
    """Read the file back: GDAL does not report every failed write (a DBF cut short by a full disk came back
    as success in our test), and a short file must never be sent as the export."""
    count = pyogrio.read_info(path, layer=layer)["features"]
    if count != expected:
        raise ExportIncomplete(f"{path.name}: {count} of {expected} features written")


def write_gpkg(frame, *, name, srid, metadata) -> bytes:
    with work_directory() as tmp:
        path = tmp / f"{name}.gpkg"
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
        verify_written(path, len(frame), layer=name)
        pyogrio.write_dataframe(
            _metadata_table(metadata, srid, len(frame)), path, layer="export_metadata", driver="GPKG", append=False
        )
        return path.read_bytes()


def dbf_field_names(columns: list[str]) -> dict[str, str]:
    """Column -> DBF field name of at most 10 characters, unique: the first keeps its cut name, later ones that
    would collide (organisation_id / organisation_name) end in _2, _3 ... in column order."""
    names, taken = {}, set()
    for column in columns:
        name, n = column[:10], 1
        while name.lower() in taken:
            n += 1
            name = f"{column[: 10 - len(str(n)) - 1]}_{n}"
        taken.add(name.lower())
        names[column] = name
    return names


def write_shp(frame, *, name, srid, metadata) -> bytes:
    buffer = io.BytesIO()
    with work_directory() as tmp, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        groups = frame.geometry.geom_type.map(SHAPE_GROUPS)
        for group in sorted(groups.dropna().unique()):
            part = frame[groups == group]
            path = tmp / f"{name}_{group}.shp"
            # DBF field names are 10 characters at most: shorten them ourselves, predictably.
            part = part.rename(columns=dbf_field_names([c for c in part.columns if c != "geometry"]))
            part.to_file(path, driver="ESRI Shapefile", engine="pyogrio", encoding="UTF-8")
            verify_written(path, len(part))
            for file in sorted(tmp.glob(f"{name}_{group}.*")):
                archive.write(file, file.name)
        archive.writestr(
            "export.txt",
            "\n".join(f"{k}: {v}" for k, v in _metadata_table(metadata, srid, len(frame)).itertuples(index=False))
            + "\n",
        )
    return buffer.getvalue()


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "gpkg": write_gpkg, "shp": write_shp}
