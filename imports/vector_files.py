"""Reading the GIS formats (GeoPackage, zipped Shapefile, GeoJSON, KML) through GDAL.

Apart from the spreadsheet readers (imports.files) because these read geometry and a CRS from
the file itself, layer by layer, while spreadsheets build points from coordinate columns.
"""

import shutil
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyogrio
import shapely
from django.utils.translation import gettext as _
from pyproj import CRS

from .archives import check_zip
from .errors import FileRefused
from .tables import FORMAT_LABELS, Table

# Shapefile parts we extract; anything else in the archive is ignored.
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


def read_shapefile(path: Path, layer: str) -> Table:
    """A zipped Shapefile, read from its extracted parts and named after its own stem."""
    with extracted_shapefile(path, layer) as (shp, stem):
        table = read_vector(shp, "shapefile", "")
        table.layer = stem
        return table


@contextmanager
def extracted_shapefile(path: Path, layer: str):
    """Extract one Shapefile's parts from the zip into a temporary folder, yield the .shp path."""
    check_zip(path)
    with zipfile.ZipFile(path) as archive:
        parts = {}
        for info in archive.infolist():
            name = PurePosixPath(info.filename)
            if name.suffix.lower() in SHAPEFILE_PARTS and not name.name.startswith("."):
                parts.setdefault(name.stem, {})[name.suffix.lower()] = info
        stem = _chosen_shapefile(parts, layer)
        found = parts[stem]
        _check_shapefile_parts(stem, found)
        folder = Path(tempfile.mkdtemp(prefix="import-shp-"))
        try:
            for suffix, info in found.items():
                # Our own file names: nothing in the archive decides where a file is written.
                with archive.open(info) as source, open(folder / f"layer{suffix}", "wb") as target:
                    shutil.copyfileobj(source, target)
            yield folder / "layer.shp", stem
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _chosen_shapefile(parts: dict, layer: str) -> str:
    """The Shapefile the user asked for, or the archive's only one."""
    stems = sorted(stem for stem, found in parts.items() if ".shp" in found)
    if layer and layer not in stems:
        raise FileRefused(
            _("The archive has no Shapefile called %(layer)s; it has: %(layers)s.")
            % {"layer": layer, "layers": ", ".join(stems)}
        )
    if not layer and len(stems) > 1:
        raise FileRefused(
            _("The archive holds %(count)s Shapefiles (%(layers)s); choose one as the layer.")
            % {"count": len(stems), "layers": ", ".join(stems)}
        )
    return layer or stems[0]


def _check_shapefile_parts(stem: str, found: dict) -> None:
    """Refuse a Shapefile missing a part, above all its .prj: without it the coordinates would be a guess."""
    missing = [suffix for suffix in (".shx", ".dbf") if suffix not in found]
    if missing:
        raise FileRefused(
            _("The Shapefile %(layer)s is missing its %(parts)s file.") % {"layer": stem, "parts": ", ".join(missing)}
        )
    if ".prj" not in found:
        raise FileRefused(
            _(
                "The Shapefile %(layer)s has no .prj file, so its coordinate system is unknown. "
                "Add the .prj (QGIS and ArcGIS write one) and try again."
            )
            % {"layer": stem}
        )


def read_vector(path: Path, fmt: str, layer: str) -> Table:
    """Every row of the chosen layer (a KML's layers together) with its geometry in the file's CRS."""
    chosen = _chosen_layers(path, fmt, layer)
    frames, geometries, crs = [], [], None
    for name in chosen:
        frame, geometry, layer_crs = _read_layer(path, fmt, name)
        frames.append(pd.DataFrame(frame))
        geometries.append(np.asarray(geometry, dtype=object))
        crs = crs if crs is not None else layer_crs
    attributes = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if crs is None:
        raise FileRefused(_("The file does not say which coordinate system it uses."))
    geometry = np.concatenate(geometries) if len(geometries) > 1 else geometries[0]
    return Table(
        attributes,
        geometry,
        CRS.from_user_input(crs),
        np.arange(1, len(attributes) + 1),
        fmt,
        layer=layer or (chosen[0] if len(chosen) == 1 else ""),
    )


def _chosen_layers(path: Path, fmt: str, layer: str) -> list[str]:
    """The layers to read: the one asked for, or the file's only one (a KML's folders may be read together)."""
    try:
        layers = [str(name) for name, _geometry_type in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError as error:
        raise FileRefused(
            _("The %(format)s file cannot be read: %(error)s") % {"format": FORMAT_LABELS[fmt], "error": error}
        ) from error
    if layer and layer not in layers:
        raise FileRefused(
            _("The file has no layer called %(layer)s; it has: %(layers)s.")
            % {"layer": layer, "layers": ", ".join(layers)}
        )
    chosen = [layer] if layer else layers
    if len(chosen) > 1 and fmt != "kml":
        raise FileRefused(
            _("The file has %(count)s layers (%(layers)s); choose one.")
            % {"count": len(layers), "layers": ", ".join(layers)}
        )
    return chosen


def _read_layer(path: Path, fmt: str, name: str):
    """One layer's attributes, geometries and CRS, any reading error refused against the layer's name."""
    try:
        with warnings.catch_warnings():  # mixed-type GeoJSON properties stay text; we parse them ourselves
            warnings.simplefilter("ignore", UserWarning)
            # GDAL's Arrow stream: whole columns, a third of the time. A GeoPackage or Shapefile is cheap
            # to read twice: its attributes, then its geometries alone, cost half of what a GeoDataFrame does.
            if fmt in ("gpkg", "shapefile"):
                return _read_columns_then_geometry(path, name)
            gdf = pyogrio.read_dataframe(path, layer=name, use_arrow=True)
            return gdf.drop(columns=gdf.geometry.name), gdf.geometry.values, gdf.crs
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        ValueError,
        shapely.errors.GEOSException,
    ) as error:
        raise FileRefused(
            _("The layer %(layer)s cannot be read: %(error)s") % {"layer": name, "error": error}
        ) from error


def _read_columns_then_geometry(path: Path, name: str):
    """The attributes as a frame, then the geometries alone as WKB: cheaper than one GeoDataFrame."""
    frame = pyogrio.read_dataframe(path, layer=name, use_arrow=True, read_geometry=False)
    meta, geometry_table = pyogrio.read_arrow(path, layer=name, columns=[])
    wkb = (
        geometry_table.column(0).to_numpy(zero_copy_only=False)
        if geometry_table.num_columns
        else np.full(len(frame), None, dtype=object)
    )
    if len(wkb) != len(frame):
        raise ValueError(
            _("%(geometries)s geometries for %(rows)s rows.") % {"geometries": len(wkb), "rows": len(frame)}
        )
    return frame, shapely.from_wkb(wkb), meta["crs"]
