"""Files as people bring them, written for the import tests (real formats, real libraries)."""

import json
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely

# The Energy Agency's turbines in Aalborg (../shared/data, CC0), kept in the repository with the demo
# data: CI runs on a clean clone where ../shared is not there.
AALBORG_TURBINES = Path(__file__).resolve().parents[1] / "demo" / "aalborg_wind_turbines_ens.geojson"


def ens_register_xlsx(path: Path, change_capacity_of_first: float | None = None) -> Path:
    """The Danish Energy Agency's turbine register as it comes: Danish headers, UTM 32 coordinates, kW."""
    turbines = gpd.read_file(AALBORG_TURBINES).to_crs(25832)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Vindmøller"
    sheet.append(
        [
            "Møllenummer (GSRN)",
            "Kapacitet (kW)",
            "Fabrikat",
            "X (øst) koordinat UTM 32 Euref89",
            "Y (nord) koordinat UTM 32 Euref89",
            "Dato for oprindelig nettilslutning",
        ]
    )
    for i, turbine in enumerate(turbines.itertuples()):
        capacity = turbine.capacityKw if i or change_capacity_of_first is None else change_capacity_of_first
        sheet.append(
            [
                f"57071500{i:010d}",
                capacity,
                turbine.manufacturer,
                round(turbine.geometry.x, 2),
                round(turbine.geometry.y, 2),
                f"{1990 + i % 30}-06-01",
            ]
        )
    workbook.save(path)
    return path


def write_csv(path: Path, header: list[str], rows: list[list], delimiter=",") -> Path:
    lines = [delimiter.join(header)] + [delimiter.join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def zipped_shapefile(path: Path, frame: gpd.GeoDataFrame, with_prj: bool = True, name: str = "solparker") -> Path:
    folder = path.parent / f"{name}-shp"
    folder.mkdir(exist_ok=True)
    with warnings.catch_warnings():  # dBase cuts names to 10 characters: that is the point
        warnings.simplefilter("ignore")
        frame.to_file(folder / f"{name}.shp", engine="pyogrio")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in folder.iterdir():
            if with_prj or part.suffix != ".prj":
                archive.write(part, part.name)
    return path


def solar_parks(count: int = 3) -> gpd.GeoDataFrame:
    """A consultant's planned solar parks near Aalborg: polygons in UTM 32N."""
    parks = [shapely.box(550_000 + i * 2_000, 6_310_000, 550_800 + i * 2_000, 6_310_600) for i in range(count)]
    return gpd.GeoDataFrame(
        {
            "projekt_id": [f"SOL-{i + 1}" for i in range(count)],
            "projektnavn": [f"Solcellepark {i + 1}" for i in range(count)],
            "teknologi": ["solceller"] * count,
            "status": ["screening"] * count,
            "effekt_mw": [10.5 + i for i in range(count)],
        },
        geometry=parks,
        crs=25832,
    )


def many_solar_sites(path: Path, count: int, prefix: str, seed: int) -> Path:
    """A GeoPackage of `count` solar sites scattered over Aalborg in EPSG:25832: an import that takes a while."""
    import numpy as np

    rng = np.random.default_rng(seed)
    gpd.GeoDataFrame(
        {"id": [f"{prefix}{i}" for i in range(count)], "type": "solar"},
        geometry=shapely.points(550_000 + rng.random(count) * 9_000, 6_310_000 + rng.random(count) * 9_000),
        crs=25832,
    ).to_file(path, engine="pyogrio")
    return path


def kml(path: Path, placemarks: list[tuple[str, float, float]]) -> Path:
    marks = "".join(
        f"<Placemark><name>{name}</name><Point><coordinates>{lon},{lat}</coordinates></Point></Placemark>"
        for name, lon, lat in placemarks
    )
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document>{marks}</Document></kml>",
        encoding="utf-8",
    )
    return path


def geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}
