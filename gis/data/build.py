"""Rebuild the boundary files shipped in gis/data from DAGI's municipality polygons (see README.md).

Run by hand when the source changes: `python gis/data/build.py path/to/kommuner.geojson`.
Outputs (EPSG:25832):
- municipalities.geojson: the 98 Danish municipalities, dissolved by KOMKODE, each with the waters
  its own shores enclose (see enclosed_waters), simplified 20 m as one coverage (no gaps or
  overlaps between neighbours).
- denmark_extent.geojson: the municipalities buffered 1 km, Christiansø, and a hand-drawn outline
  of Danish waters that follows the borders with Germany and Sweden. Used to reject coordinates
  that cannot be in Denmark.
"""

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Polygon, box

MUNICIPALITY_COUNT = 98
OUTSIDE_MUNICIPALITIES = {"0411"}  # Christiansø: Danish land, but in no municipality
# Water narrower than twice this between a municipality's shores is counted as that municipality's:
# the Limfjord from Aalborg to Hals (under 2 km wide) is, Nibe Bredning and the open sea are not.
CLOSING_M = 1000
SHORE_STEP_M = 200  # shore points used to split shared water along its median line
SIMPLIFY_M = 20
# The land border with Germany (Vidå to the head of Flensborg Fjord), where DAGI has no German land to
# bound the closing: nothing there is water, so nothing is filled (EPSG:25832).
GERMAN_LAND_BORDER = box(470_000, 6_060_000, 526_500, 6_086_000)

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
    (11.55, 54.47),  # south of Rødsand, whose offshore wind farms lie in Danish waters
    (11.4, 54.55),
    (10.9, 54.6),
    (10.5, 54.65),
    (10.05, 54.82),
    (9.6, 54.87),
]


def polygonal(geom):
    """The polygons of a geometry as one MultiPolygon (make_valid may leave stray lines and points)."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # collections, then multi-parts
    return shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])


def read_dagi(path: Path) -> gpd.GeoDataFrame:
    """DAGI polygons as one valid (Multi)Polygon per KOMKODE, in EPSG:25832: code, name, geometry."""
    parts = gpd.read_file(path, engine="pyogrio")
    parts = parts.set_geometry(parts.geometry.force_2d()).to_crs(25832)
    parts["geometry"] = parts.geometry.make_valid()
    dissolved = parts.dissolve(by="KOMKODE", aggfunc={"KOMNAVN": "first"}).reset_index()
    return dissolved.rename(columns={"KOMKODE": "code", "KOMNAVN": "name"})[["code", "name", "geometry"]]


def enclosed_waters(land) -> shapely.Geometry:
    """Water that Danish shores enclose: a morphological closing of the land, less the land itself.

    DAGI ends every municipality at the water's edge, so a harbour or a fjord crossing lies in none.
    """
    closed = land.buffer(CLOSING_M, quad_segs=8).buffer(-CLOSING_M, quad_segs=8)
    return polygonal(shapely.make_valid(closed.difference(land).difference(GERMAN_LAND_BORDER)))


def waters_by_nearest_shore(munis: gpd.GeoDataFrame, water) -> list:
    """The water split among the municipalities by nearest shore (each point goes to the closest land).

    Water enclosed by one municipality's shores is all its own; water between two is split on the
    median line, as sea boundaries are drawn. Voronoi cells of points along every shore do the split.
    """
    shapely.prepare(water)
    points, owners = [], []
    for i, geom in enumerate(munis.geometry.values):
        coords = shapely.get_coordinates(shapely.segmentize(geom.boundary, SHORE_STEP_M))
        near = shapely.dwithin(water, shapely.points(coords), CLOSING_M)
        points.append(coords[near])
        owners.append(np.full(near.sum(), i))
    points, owners = np.vstack(points), np.concatenate(owners)
    points, first = np.unique(points.round(1), axis=0, return_index=True)  # shared borders: one owner each
    owners = owners[first]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=water, ordered=True))
    wet = shapely.intersects(water, cells)
    return [shapely.intersection(water, shapely.union_all(cells[wet & (owners == i)])) for i in range(len(munis))]


def municipalities_with_waters(dagi: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 98 municipalities, each with its share of the enclosed waters, simplified as one coverage."""
    munis = dagi[~dagi.code.isin(OUTSIDE_MUNICIPALITIES)].reset_index(drop=True)
    if len(munis) != MUNICIPALITY_COUNT:
        sys.exit(f"The source has {len(munis)} municipalities, not {MUNICIPALITY_COUNT}: refusing to build.")
    water = enclosed_waters(shapely.union_all(dagi.geometry.values))
    shares = waters_by_nearest_shore(munis, water)
    whole = [polygonal(shapely.make_valid(shapely.union(m, w))) for m, w in zip(munis.geometry.values, shares)]
    cleaned = shapely.coverage_clean(np.array(whole, dtype=object))  # the water shares meet to the last bit
    munis["geometry"] = gpd.GeoSeries(shapely.coverage_simplify(cleaned, SIMPLIFY_M), crs=25832)
    return munis


def denmark_extent(munis: gpd.GeoDataFrame, dagi: gpd.GeoDataFrame):
    """Danish land and municipal waters buffered 1 km, united with the drawn outline of Danish waters."""
    land = shapely.union_all([*munis.geometry.values, *dagi.geometry.values]).buffer(1000)
    waters = gpd.GeoSeries([Polygon(DANISH_WATERS)], crs=4326).to_crs(25832).iloc[0]
    return shapely.union(land, waters).simplify(200)


def main(source: Path, out: Path = Path(__file__).parent) -> None:
    dagi = read_dagi(source)
    munis = municipalities_with_waters(dagi)
    write = {"driver": "GeoJSON", "engine": "pyogrio", "COORDINATE_PRECISION": 1}
    munis.to_file(out / "municipalities.geojson", **write)
    extent = denmark_extent(munis, dagi)
    gpd.GeoDataFrame({"name": ["Denmark, land and waters"]}, geometry=[extent], crs=25832).to_file(
        out / "denmark_extent.geojson", **write
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent)
