"""Layer exports. GeoJSON is built by PostGIS and streamed (COPY, so memory does not grow with the
layer); CSV, Excel, GeoPackage and zipped Shapefile go through GeoPandas."""

import errno
import io
import json
import shutil
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from django.conf import settings
from django.db import connection
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    geometry = gpd.GeoSeries.from_wkb(frame.pop("geom_wkb").map(bytes, na_action="ignore"), crs=srid)
    frame = frame.drop(columns=["geom"])
    for column in frame.columns:  # Decimal -> float, so every format stores numbers as numbers
        if frame[column].map(lambda v: v.__class__.__name__ == "Decimal").any():
            frame[column] = frame[column].astype(float)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=srid)


def _with_coordinates(frame: gpd.GeoDataFrame, srid: int) -> pd.DataFrame:
    table = pd.DataFrame(frame.drop(columns="geometry"))
    points = frame.geometry.representative_point()
    x_name, y_name = ("lon", "lat") if srid == 4326 else ("x", "y")
    table[x_name] = points.x.round(PRECISION[srid])
    table[y_name] = points.y.round(PRECISION[srid])
    table["wkt"] = frame.geometry.to_wkt(rounding_precision=PRECISION[srid])
    return table


def write_csv(frame, *, name, srid, metadata) -> bytes:
    table = _with_coordinates(frame, srid)
    table["export_as_of"] = metadata["as_of"]
    table["export_filter"] = json.dumps(metadata["filter"], ensure_ascii=False)
    table["export_crs"] = f"EPSG:{srid}"
    # UTF-8 with a byte-order mark: Excel then reads æ, ø and å correctly.
    return table.to_csv(index=False).encode("utf-8-sig")


def _cell_safe(table: pd.DataFrame) -> pd.DataFrame:
    """Excel cannot hold control characters: drop them from text cells rather than fail the export."""
    return table.apply(
        lambda column: column.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    )


def write_xlsx(frame, *, name, srid, metadata) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _cell_safe(_with_coordinates(frame, srid)).to_excel(writer, sheet_name=name[:31], index=False)
        _cell_safe(_metadata_table(metadata, srid, len(frame))).to_excel(writer, sheet_name="export", index=False)
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


class ExportIncomplete(Exception):
    """A written file does not hold every feature: it must not be sent."""


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
