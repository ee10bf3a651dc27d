"""Benchmark: importing a 100,000-feature GeoPackage of energy sites.

Writes the GeoPackage once (EPSG:25832 points in and around Aalborg, with the columns of a
turbine register), then, round after round in one run, times:
  ours       manage.py import's service: read, check every row, write sites + history rows (into an empty
             table it is a load larger than the table: the sites are copied (binary COPY) straight into it with
             its secondary indexes dropped, their history rows are one INSERT ... SELECT, and the indexes
             are built again at the end, as ogr2ogr does for its new table; foreign keys stay)
  ogr2ogr    ogr2ogr -f PostgreSQL with PG_USE_COPY=YES into a scratch table (no checks, no history)
  bulk_create  read with pyogrio, build EnergySite objects, Model.objects.bulk_create (no checks, no history)
Targets: ours <= 2x ogr2ogr, ours >= 5x faster than bulk_create.
Every timed run starts from the same state: the sites emptied and a CHECKPOINT, so no run pays for the
dirty pages of the one before it. bulk_create takes a minute a round and is far from its target, so it
is timed in the first --bulk-rounds rounds only.
Run: .venv/bin/python bench/import.py [--rows 100000] [--rounds 5] [--bulk-rounds 2]
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import use_scratch_database

DATABASE = "climate_registry_bench_import"


def write_geopackage(path: Path, rows: int) -> None:
    import geopandas as gpd
    import numpy as np
    import shapely

    rng = np.random.default_rng(2026)
    x = 540_000 + rng.random(rows) * 40_000
    y = 6_300_000 + rng.random(rows) * 40_000
    frame = gpd.GeoDataFrame(
        {
            "gsrn": [f"5707150{i:011d}" for i in range(rows)],
            "navn": [f"Vindmølle {i} ved Nørresundby" for i in range(rows)],
            "type": "Vindmølle",
            "status": rng.choice(["i drift", "godkendt", "idé"], rows),
            "kapacitet_kw": np.round(rng.random(rows) * 5000, 0),
            "idriftsat": 1980 + (np.arange(rows) % 45),
        },
        geometry=shapely.points(x, y),
        crs=25832,
    )
    frame.to_file(path, engine="pyogrio", layer="vindmoeller")


def empty_sites() -> None:
    from django.db import DatabaseError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE partnerships_measure, registry_energysite, registry_historicalenergysite RESTART IDENTITY CASCADE"
        )
        try:
            with transaction.atomic():
                cursor.execute("CHECKPOINT")
        except DatabaseError:  # not a superuser (or pg_checkpoint) on this server: runs are a little noisier
            pass


def ours(path: Path) -> None:
    from imports.service import ImportOptions, execute, start_run

    options = ImportOptions(kind="sites")
    run = execute(start_run(path, path.name, options), path, options)
    assert run.status == "applied" and run.created_count == ROWS, (run.status, run.error, run.rejections[:3])


def ogr2ogr(path: Path) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    target = f"PG:host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}" + (
        f" password={db['PASSWORD']}" if db["PASSWORD"] else ""
    )
    subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            target,
            str(path),
            "-nln",
            "bench_ogr2ogr",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geometry",
            "--config",
            "PG_USE_COPY",
            "YES",
        ],
        check=True,
        env={**os.environ, "PG_USE_COPY": "YES"},
        capture_output=True,
    )


def bulk_create(path: Path) -> None:
    import pyogrio
    from django.contrib.gis.geos import GEOSGeometry
    from django.db import transaction

    from registry.models import EnergySite

    frame = pyogrio.read_dataframe(path)
    sites = [
        EnergySite(
            external_id=row.gsrn,
            name=row.navn,
            site_type="wind",
            planning_status="operating",
            geometry=GEOSGeometry(memoryview(row.geometry.wkb), srid=25832),
            capacity=row.kapacitet_kw / 1000,
            commissioning_year=row.idriftsat,
            data_source=path.name,
        )
        for row in frame.itertuples()
    ]
    with transaction.atomic():
        EnergySite.objects.bulk_create(sites, batch_size=2000)


def main() -> None:
    global ROWS
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bulk-rounds", type=int, default=2)
    args = parser.parse_args()
    ROWS = args.rows
    use_scratch_database(DATABASE)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vindmoeller.gpkg"
        write_geopackage(path, args.rows)
        mapping = Path(folder) / "mapping.yaml"
        mapping.write_text("")
        times = {"ours": [], "ogr2ogr": [], "bulk_create": []}
        for round_number in range(args.rounds):
            for name, function in (("ours", ours), ("ogr2ogr", ogr2ogr), ("bulk_create", bulk_create)):
                if name == "bulk_create" and round_number >= args.bulk_rounds:
                    continue
                empty_sites()
                start = time.perf_counter()
                function(path)
                times[name].append(time.perf_counter() - start)
            print(
                f"round {round_number + 1}: "
                + "  ".join(f"{n} {t[-1]:6.2f} s" for n, t in times.items() if len(t) > round_number),
                flush=True,
            )
    median = {name: statistics.median(samples) for name, samples in times.items() if samples}
    paired = statistics.median(a / b for a, b in zip(times["ours"], times["ogr2ogr"]))
    print(f"\n{args.rows:,} features, median of {args.rounds} rounds ({args.bulk_rounds} of bulk_create)")
    for name, seconds in median.items():
        print(f"  {name:<12} {seconds:6.2f} s   {args.rows / seconds:>9,.0f} rows/s")
    print(
        f"ours / ogr2ogr      = {median['ours'] / median['ogr2ogr']:.2f}   (target <= 2; "
        f"median of the rounds' own ratios {paired:.2f})"
    )
    if "bulk_create" in median:  # --bulk-rounds 0 leaves it out
        print(f"bulk_create / ours  = {median['bulk_create'] / median['ours']:.2f}   (target >= 5)")


ROWS = 0

if __name__ == "__main__":
    main()
