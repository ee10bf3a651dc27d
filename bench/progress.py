"""Benchmark: GET /api/progress/ against hand-written SQL computing the same totals.

Seeds 10,000 partnerships with 50,000 measures in a scratch database, then times, interleaved in
one run: our endpoint (full Django stack, session auth, permission check, JSON); the reference, one
hand-written SQL statement of GROUP BYs yielding the same totals the endpoint returns (tonnes by
sector, bucket and first year; realised by year; partnerships signed per year; international
partnerships and funding per year); and, for transparency, the tonnes GROUP BY alone.
Target: ours / reference <= 1.5 at p50.
Run: .venv/bin/python bench/progress.py [--runs 40]
"""

import argparse
import statistics

from common import summary, timed_together, use_scratch_database, viewer_client

PARTNERSHIPS, MEASURES_EACH = 10_000, 5

SEED_SQL = """
TRUNCATE partnerships_realisedreduction, partnerships_measure, partnerships_partnershiporganisation,
         partnerships_externalfunding, partnerships_climatepartnership RESTART IDENTITY CASCADE;
INSERT INTO partnerships_climatepartnership
    (title, sector, status, signed_on, dialogue_started_on, notes, external_id, agreement, created_at, updated_at)
SELECT 'Bench partnership ' || i,
       CASE WHEN i %% 2 = 0 THEN 'industry' ELSE 'agriculture' END,
       (ARRAY['dialogue','signed','active','active','completed','cancelled','signed','active'])[1 + i %% 8],
       CASE WHEN i %% 8 = 0 THEN NULL ELSE DATE '2023-01-01' + (i * 37 %% 1400) END,
       DATE '2022-06-01', '', 'bench:' || i, '', now(), now()
FROM generate_series(1, %(partnerships)s) AS i;
INSERT INTO partnerships_measure
    (partnership_id, title, measure_type, annual_reduction_t, first_year, method, source, external_id,
     created_at, updated_at)
SELECT 1 + (j %% %(partnerships)s), 'Bench measure ' || j,
       (ARRAY['energy_efficiency','fuel_switch','electrification','surplus_heat','biogas','land_use'])[1 + j %% 6],
       (j * 7919 %% 2000) / 10.0 + 5, 2023 + (j * 2654435761 %% 97) %% 8, 'calculated', 'bench', 'bench:' || j,
       now(), now()
FROM generate_series(1, %(measures)s) AS j;
"""

TONNES_ONLY_SQL = """
SELECT p.sector,
       CASE WHEN p.status IN ('signed', 'active', 'completed') THEN 'committed' ELSE 'pipeline' END AS bucket,
       m.first_year, SUM(m.annual_reduction_t)
FROM partnerships_measure m JOIN partnerships_climatepartnership p ON p.id = m.partnership_id
WHERE m.archived_at IS NULL AND p.archived_at IS NULL AND p.status <> 'cancelled'
GROUP BY 1, 2, 3
"""

# The same totals as the endpoint, written by hand without our selectors.
REFERENCE_SQL = (
    TONNES_ONLY_SQL.strip()
    + """
UNION ALL
SELECT p.sector, 'realised', r.year, SUM(r.realised_t)
FROM partnerships_realisedreduction r JOIN partnerships_measure m ON m.id = r.measure_id
JOIN partnerships_climatepartnership p ON p.id = m.partnership_id
WHERE m.archived_at IS NULL AND p.archived_at IS NULL AND p.status IN ('signed', 'active', 'completed')
GROUP BY 1, 3
UNION ALL
SELECT sector, 'signed', date_part('year', signed_on)::int, COUNT(*) FROM partnerships_climatepartnership
WHERE archived_at IS NULL AND status IN ('signed', 'active', 'completed') GROUP BY 1, 3
UNION ALL
SELECT NULL, 'international', date_part('year', signed_on)::int, COUNT(*) FROM partnerships_internationalpartnership
WHERE archived_at IS NULL AND status IN ('signed', 'active', 'ended') GROUP BY 3
UNION ALL
SELECT NULL, 'funding', date_part('year', granted_on)::int, SUM(amount_dkk) FROM partnerships_externalfunding
WHERE archived_at IS NULL AND status = 'granted' GROUP BY 3
"""
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    use_scratch_database("climate_registry_bench_progress")

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"partnerships": PARTNERSHIPS, "measures": PARTNERSHIPS * MEASURES_EACH})
        # as autovacuum would have done by the time anyone asks: visibility map and statistics up to date
        cursor.execute("VACUUM ANALYZE partnerships_climatepartnership, partnerships_measure")
    client = viewer_client()

    def ours():
        response = client.get("/api/progress/")
        assert response.status_code == 200
        return response.json()

    def sql(statement):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement)
                return cursor.fetchall()

        return run

    reference, tonnes_only = sql(REFERENCE_SQL), sql(TONNES_ONLY_SQL)

    # the same totals, or the comparison means nothing
    body, rows = ours(), reference()
    for sector in ("industry", "agriculture"):
        committed = float(sum(r[3] for r in rows if r[0] == sector and r[1] == "committed"))
        pipeline = float(sum(r[3] for r in rows if r[0] == sector and r[1] == "pipeline"))
        assert abs(body[sector]["committed_tonnes"] - committed) < 0.01, (sector, committed)
        assert abs(body[sector]["pipeline_tonnes"] - pipeline) < 0.01, (sector, pipeline)

    for sector in ("industry", "agriculture"):
        signed = {str(int(r[2])): int(r[3]) for r in rows if r[0] == sector and r[1] == "signed"}
        assert {y: s["count"] for y, s in body[sector]["partnerships_signed"].items() if s["count"]} == signed

    # interleaved, so drift in the machine's load hits all alike
    ours_times, reference_times, tonnes_times = timed_together([ours, reference, tonnes_only], args.runs)
    ratio = statistics.median(ours_times) / statistics.median(reference_times)
    print(f"seeded: {PARTNERSHIPS:,} partnerships, {PARTNERSHIPS * MEASURES_EACH:,} measures; {args.runs} runs each")
    print(f"/api/progress/ (ours, full HTTP stack)    {summary(ours_times)}")
    print(f"reference: same totals, hand-written SQL  {summary(reference_times)}")
    print(f"tonnes GROUP BY alone (for comparison)    {summary(tonnes_times)}")
    print(f"ratio ours/tonnes-only (p50): {statistics.median(ours_times) / statistics.median(tonnes_times):.2f}")
    print(f"ratio ours/reference (p50): {ratio:.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
