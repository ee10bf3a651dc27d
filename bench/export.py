"""Benchmark: the whole-layer GeoJSON export against a plain DRF-gis serializer and raw psql.

Seeds 100,000 energy sites in a scratch database, then in one run times: our export
(GET /api/exports/sites.geojson through the full Django stack, streamed); the same rows through
djangorestframework-gis's GeoFeatureModelSerializer; and psql running one hand-written query that
builds the same FeatureCollection in PostGIS. Then it measures the peak memory (RSS) of our export
at 100,000 rows and at 10,000 rows, each in a fresh process.
Targets: >= 10x faster than the serializer, <= 1.5x raw psql, peak memory ratio <= 1.2.
Run: .venv/bin/python bench/export.py
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from common import ROOT, summary, timed_together, use_scratch_database, viewer_client

DATABASE = "climate_registry_bench_export"
SITES, SMALL = 100_000, 10_000
SEED_SQL = """
TRUNCATE partnerships_measure, registry_energysite RESTART IDENTITY CASCADE;
INSERT INTO registry_energysite (name, site_type, planning_status, geometry, capacity, capacity_unit,
    municipality_code, description, data_source, external_id, created_at, updated_at)
SELECT 'Bench site ' || i || ' ved Nørresundby',
       (ARRAY['wind','solar','biogas','co2_capture','power_to_x','biochar','grass_protein'])[1 + i %% 7],
       (ARRAY['idea','screening','local_plan','approved','operating'])[1 + i %% 5],
       ST_SetSRID(ST_MakePoint(540000 + (i::bigint * 7919 %% 40000), 6300000 + (i::bigint * 104729 %% 40000)), 25832),
       (i %% 500) / 10.0, 'MW', CASE WHEN i <= %(small)s THEN '0851' ELSE '0000' END, '', 'bench',
       'bench:' || i, now(), now()
FROM generate_series(1, %(sites)s) AS i;
"""
PSQL_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', json_agg(json_build_object(
    'type', 'Feature', 'id', id, 'geometry', ST_AsGeoJSON(ST_Transform(geometry, 4326), 7)::json,
    'properties', json_build_object('id', id, 'external_id', external_id, 'name', name, 'site_type', site_type,
        'planning_status', planning_status, 'capacity', capacity, 'capacity_unit', capacity_unit,
        'commissioning_year', commissioning_year, 'municipality_code', municipality_code,
        'description', description, 'data_source', data_source))))
FROM registry_energysite WHERE archived_at IS NULL
"""


def export(client, query="") -> int:
    response = client.get(f"/api/exports/sites.geojson{query}")
    assert response.status_code == 200
    return sum(len(chunk) for chunk in response.streaming_content)


def peak_rss_kib() -> int:
    """This process's peak resident set (VmHWM): unlike ru_maxrss it is not inherited across fork and exec."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def measure_memory(rows: int) -> None:
    """Child process: stream the export of `rows` sites, print peak RSS in KiB."""
    use_scratch_database(DATABASE, migrate=False)
    client = viewer_client()
    query = "?municipality_code=0851" if rows == SMALL else ""
    export(client, "?municipality_code=none")  # warm up: imports, connection, an empty export
    before = peak_rss_kib()
    size = export(client, query)
    peak = peak_rss_kib()
    print(json.dumps({"rows": rows, "bytes": size, "peak_rss_kib": peak, "growth_kib": peak - before}))


def child_peak(rows: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--memory", str(rows)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ},
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        return measure_memory(args.memory)

    use_scratch_database(DATABASE)
    from django.db import connection
    from rest_framework.renderers import JSONRenderer
    from rest_framework_gis.serializers import GeoFeatureModelSerializer

    from registry.models import EnergySite

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"sites": SITES, "small": SMALL})
        cursor.execute("VACUUM ANALYZE registry_energysite")
    client = viewer_client()
    settings_db = connection.settings_dict

    class PlainSerializer(GeoFeatureModelSerializer):
        class Meta:
            model = EnergySite
            geo_field = "geometry"
            fields = (
                "id",
                "external_id",
                "name",
                "site_type",
                "planning_status",
                "capacity",
                "capacity_unit",
                "commissioning_year",
                "municipality_code",
                "description",
                "data_source",
                "geometry",
            )

    def serializer():
        data = PlainSerializer(EnergySite.objects.filter(archived_at__isnull=True), many=True).data
        return len(JSONRenderer().render(data))

    def psql():
        env = {**os.environ, "PGPASSWORD": settings_db.get("PASSWORD") or ""}
        subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-At",
                "-h",
                settings_db["HOST"],
                "-p",
                str(settings_db["PORT"]),
                "-U",
                settings_db["USER"],
                "-d",
                settings_db["NAME"],
                "-o",
                "/dev/null",
                "-c",
                PSQL_SQL,
            ],
            check=True,
            env=env,
        )

    ours_size = export(client)
    assert ours_size > SITES * 200, ours_size
    ours_times, psql_times = timed_together([lambda: export(client), psql], args.runs)
    start = time.perf_counter()
    serializer()
    serializer_time = time.perf_counter() - start

    small, large = child_peak(SMALL), child_peak(SITES)
    print(f"seeded {SITES:,} sites; {args.runs} runs each (serializer once)")
    print(f"ours: GET /api/exports/sites.geojson  {summary(ours_times)}   ({ours_size / 1e6:.1f} MB)")
    print(f"raw psql FeatureCollection           {summary(psql_times)}")
    print(f"DRF-gis GeoFeatureModelSerializer    {serializer_time * 1000:8.1f} ms")
    print(f"serializer / ours: {serializer_time / statistics.median(ours_times):.1f}x  (target >= 10)")
    print(f"ours / psql:       {statistics.median(ours_times) / statistics.median(psql_times):.2f}  (target <= 1.5)")
    print(
        f"peak RSS of the exporting process: {small['peak_rss_kib'] / 1024:.0f} MiB at {SMALL:,} rows "
        f"({small['bytes'] / 1e6:.1f} MB out), {large['peak_rss_kib'] / 1024:.0f} MiB at {SITES:,} rows "
        f"({large['bytes'] / 1e6:.1f} MB out): ratio {large['peak_rss_kib'] / small['peak_rss_kib']:.2f}"
        f"  (target <= 1.2)"
    )
    print(
        f"growth of peak RSS during the export itself: {small['growth_kib'] / 1024:.1f} MiB at {SMALL:,} rows, "
        f"{large['growth_kib'] / 1024:.1f} MiB at {SITES:,} rows"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
