"""What every reader returns: a file's rows and geometry, whatever its format.

In a module of its own so the vector readers (imports.vector_files) and the spreadsheet readers
(imports.files) can share it without importing each other.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyproj import CRS

FORMAT_LABELS = {
    "gpkg": "GeoPackage",
    "shapefile": "zipped Shapefile",
    "geojson": "GeoJSON",
    "kml": "KML",
    "csv": "CSV",
    "xlsx": "Excel (.xlsx)",
}


@dataclass
class Table:
    """A file's rows: the attribute columns, the geometry (or None) and the rows' numbers as the user sees them."""

    frame: pd.DataFrame
    geometry: np.ndarray | None  # shapely geometries in `crs`, one per row, None where missing
    crs: CRS | None
    row_numbers: np.ndarray
    format: str
    layer: str = ""
    notices: list[str] = field(default_factory=list)
    geometry_columns: str = "geometry"  # what the report names as the geometry's column(s)
    # Why a row has no geometry, where its coordinate cells could not be read (None for the other rows).
    geometry_errors: list | None = None

    def __len__(self):
        return len(self.frame)
