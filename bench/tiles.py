"""Benchmark: vector tiles from /tiles/sites/ against the bare ST_AsMVT SQL for the same tiles.

Seeds 100,000 energy sites in a scratch database and requests ~200 tiles across zooms 8-16 over
Aalborg, in one run: each tile cold through our endpoint (full Django stack, session auth,
permission check, layer version, cache miss), the bare SQL for it, then each tile again from our
cache. Prints p50/p95 and the ratios. Targets: ours cold p50 <= 1.5x bare SQL; cached >= 20x
faster than cold.
Run: .venv/bin/python bench/tiles.py
"""

import random
import statistics
import time

from common import summary, tile_of, use_scratch_database, viewer_client

DATABASE = "climate_registry_bench_tiles"
SITES = 100_000
SEED_SQL = """
TRUNCATE partnerships_measure, registry_energysite RESTART IDENTITY CASCADE;
INSERT INTO registry_energysite (name, site_type, planning_status, geometry, capacity, capacity_unit,
    municipality_code, description, data_source, external_id, created_at, updated_at)
SELECT 'Bench site ' || i,
       (ARRAY['wind','solar','biogas','co2_capture','power_to_x','biochar','grass_protein'])[1 + i %% 7],
       (ARRAY['idea','screening','local_plan','approved','operating'])[1 + i %% 5],
       ST_SetSRID(ST_MakePoint(540000 + (i::bigint * 7919 %% 40000), 6300000 + (i::bigint * 104729 %% 40000)), 25832),
       (i %% 500) / 10.0, 'MW', '0851', '', 'bench', 'bench:' || i, now(), now()
FROM generate_series(1, %(sites)s) AS i;
"""
BARE_SQL = """
SELECT ST_AsMVT(t, 'sites', 4096, 'mvt') FROM (
    SELECT id, name, site_type, planning_status, capacity::float8 AS capacity, capacity_unit, municipality_code,
           ST_AsMVTGeom(ST_Transform(geometry, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS mvt
    FROM registry_energysite
    WHERE archived_at IS NULL AND geometry && ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 25832)
) t
"""


def sample_tiles(count_per_zoom=28, seed=851):
    rng = random.Random(seed)
    tiles = []
    for z in range(8, 17):
        chosen = set()
        for _ in range(2000):  # low zooms have only a few tiles over Aalborg
            chosen.add(tile_of(rng.uniform(9.72, 10.33), rng.uniform(56.86, 57.19), z))
            if len(chosen) == count_per_zoom:
                break
        tiles += sorted(chosen)
    return tiles


def main():
    use_scratch_database(DATABASE)
    from django.core.cache import caches
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"sites": SITES})
        cursor.execute("VACUUM ANALYZE registry_energysite")
    client = viewer_client()
    tiles = sample_tiles()
    caches["tiles"].clear()
    client.get("/tiles/sites/0/0/0.pbf")  # warm up connections and imports
    caches["tiles"].clear()

    cold, bare, cached, sizes, bodies = [], [], [], [], []
    for z, x, y in tiles:  # interleaved per tile, so load drift hits both alike
        start = time.perf_counter()
        response = client.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
        cold.append(time.perf_counter() - start)
        assert response.status_code == 200
        sizes.append(len(response.content))
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(BARE_SQL, {"z": z, "x": x, "y": y})
            body = cursor.fetchone()[0]
            bare.append(time.perf_counter() - start)
        bodies.append((bytes(body or b""), response.content))
    for z, x, y in tiles:
        start = time.perf_counter()
        client.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
        cached.append(time.perf_counter() - start)
    # the same tiles, or the comparison means nothing (decoded where small enough to decode quickly)
    import mapbox_vector_tile

    for bare_tile, our_tile in bodies:
        if len(our_tile) < 100_000:
            ids = [
                {f["properties"]["name"] for f in mapbox_vector_tile.decode(t).get("sites", {}).get("features", [])}
                for t in (bare_tile, our_tile)
            ]
            assert ids[0] == ids[1]

    print(f"seeded {SITES:,} sites; {len(tiles)} tiles over zooms 8-16; median tile {statistics.median(sizes):,.0f} B")
    print(f"ours, cold   {summary(cold)}")
    print(f"bare SQL     {summary(bare)}")
    print(f"ours, cached {summary(cached)}")
    print(f"ours cold / bare SQL (p50): {statistics.median(cold) / statistics.median(bare):.2f}  (target <= 1.5)")
    print(f"cold / cached (p50):        {statistics.median(cold) / statistics.median(cached):.1f}x  (target >= 20)")


if __name__ == "__main__":
    main()
