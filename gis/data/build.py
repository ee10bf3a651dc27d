"""Rebuild the boundary files shipped in gis/data from the third-party data in ../shared/data.

Run once by hand when the source data changes: `python gis/data/build.py ../shared/data`.
Outputs (EPSG:25832):
- municipalities.geojson: the 98 Danish municipalities, dissolved by KOMKODE, simplified 20 m.
- denmark_extent.geojson: Danish land (buffered 1 km) united with a hand-drawn outline of
  Danish waters that follows the borders with Germany and Sweden. Used to reject
  coordinates that cannot be in Denmark.
"""

import sys
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Polygon
from shapely.ops import unary_union

# Danish waters, lon/lat, drawn clear of German and Swedish land (see README, "CRS").
DANISH_WATERS = [
    (8.66, 54.91),
    (8.55, 55.10),
    (7.9, 55.12),
    (7.0, 55.4),
    (5.5, 55.8),
    (4.3, 56.0),
    (3.2, 56.2),
    (3.3, 57.0),
    (4.6, 57.5),
    (7.3, 57.8),
    (9.5, 58.1),
    (10.6, 57.95),
    (11.3, 57.6),
    (11.7, 57.1),
    (12.3, 56.6),
    (12.35, 56.3),
    (12.63, 56.05),
    (12.68, 55.75),
    (12.72, 55.35),
    (14.2, 55.3),
    (15.5, 55.5),
    (15.5, 54.8),
    (14.5, 54.75),
    (13.0, 54.8),
    (12.2, 54.5),
    (11.4, 54.55),
    (10.9, 54.6),
    (10.5, 54.65),
    (10.05, 54.82),
    (9.6, 54.87),
]


def main(shared_data: Path) -> None:
    out = Path(__file__).parent
    munis = gpd.read_file(shared_data / "dk_municipalities.geojson", engine="pyogrio")
    munis = munis.set_geometry(munis.geometry.force_2d()).to_crs(25832)
    munis["geometry"] = munis.geometry.make_valid()
    dissolved = munis.dissolve(by="KOMKODE", aggfunc={"KOMNAVN": "first"}).reset_index()
    dissolved["geometry"] = dissolved.geometry.simplify(20).make_valid()
    dissolved = dissolved.rename(columns={"KOMKODE": "code", "KOMNAVN": "name"})[["code", "name", "geometry"]]
    dissolved.to_file(out / "municipalities.geojson", driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=1)

    land = unary_union(dissolved.geometry.buffer(1000).values)
    waters = gpd.GeoSeries([Polygon(DANISH_WATERS)], crs=4326).to_crs(25832).iloc[0]
    extent = unary_union([land, waters]).simplify(200)
    gpd.GeoDataFrame({"name": ["Denmark, land and waters"]}, geometry=[extent], crs=25832).to_file(
        out / "denmark_extent.geojson", driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=1
    )


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
