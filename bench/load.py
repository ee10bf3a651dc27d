"""Load test: the live server (gunicorn, as in production) under concurrent readers and writers.

For a bounded time on loopback, reader threads fetch vector tiles over Aalborg (zooms 8-14, every layer, with
a session, as the map does) and /api/progress/ (with a token, as a script does), while writer threads create
partnerships (POST /api/partnerships/) and edit a few shared ones (PATCH with If-Match). Writers share those
records on purpose: a 412 is the correct answer to an edit made from a stale version, so it is counted apart
(conflicts), never as an error. The reference runs in the same threads, interleaved, through the same gunicorn:
GET /healthz (full middleware stack and a SELECT 1), so "tiles p50 / healthz p50" says what a tile costs over
the bare stack whatever the machine's load.
Afterwards every acknowledged write is looked up in the database: each 201 by its id and title, each 200
PATCH by its value in the record's history, and each edited record must stand at the last version a client
was told about (its ETag). Errors are any 5xx, connection error or unexpected status.
Target: zero errors and zero lost writes (the exit status is 1 otherwise).
Then (unless --no-reports) the same load runs again, twice as long, while a worker of the job queue (at
the idle CPU priority of the README's systemd unit) draws PDF status reports, asked for over HTTP as the
dashboard asks, in every other window of REPORT_WINDOW seconds: tiles requested while a report was being
drawn are compared with those requested while none was, interleaved so the data the writers add weighs
on both alike. Target: the tile p95 rises at most 20%, because the report is drawn by a worker, not a web
worker.
Run: .venv/bin/python bench/load.py [--seconds 20] [--readers 6] [--writers 2] [--workers 2] [--threads 4]
"""

import argparse
import io
import math
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict

import requests
from common import tile_of, use_scratch_database
from gunicorn_server import GunicornServer, QueueWorker, new_secret_key

DATABASE = "climate_registry_bench_load"
AALBORG = (9.72, 56.86, 10.33, 57.19)  # lon/lat box over the municipality
LAYERS = ("sites", "partnerships", "symbioses")
SHARED_RECORDS = 6  # partnerships every writer edits, so that edits conflict
EXPECTED = {"tiles": {200}, "progress": {200}, "healthz": {200}, "create": {201}, "update": {200, 412}}
READER_CYCLE = ("tiles", "tiles", "tiles", "progress", "healthz")
REPORT_P95_RISE = 1.20  # the tile p95 while reports are drawn, over the tile p95 without
REPORT_WINDOW = 4.0  # seconds: reports are asked for in every other window


def aalborg_tiles(per_zoom=30, seed=851) -> list[tuple[int, int, int]]:
    """Every tile over Aalborg at zooms 8-14, at most `per_zoom` of them (a fixed sample) per zoom."""
    rng, tiles = random.Random(seed), []
    west, south, east, north = AALBORG
    for z in range(8, 15):
        (_, x0, y0), (_, x1, y1) = tile_of(west, north, z), tile_of(east, south, z)
        zoom = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        tiles += rng.sample(zoom, min(per_zoom, len(zoom)))
    return tiles


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest sample with at least p % of the samples at or below it."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else float("nan")


class Results:
    """What every thread saw, per request class; shared by all threads under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.counts = Counter()
        self.errors = Counter()
        self.conflicts = Counter()
        self.error_samples = []
        self.created = []  # (id, title) of every 201
        self.updated = []  # (id, value written, ETag returned) of every 200 PATCH
        self.spans = defaultdict(list)  # (started, ended) on the perf_counter clock, of every answered request
        self.report_failures = []

    def record(self, kind: str, seconds: float, response: requests.Response | None, failure: str = ""):
        with self.lock:
            self.counts[kind] += 1
            if response is not None:
                self.latencies[kind].append(seconds)
                ended = time.perf_counter()
                self.spans[kind].append((ended - seconds, ended))
            if response is not None and response.status_code in EXPECTED[kind]:
                if response.status_code == 412:
                    self.conflicts[kind] += 1
                return True
            self.errors[kind] += 1
            if len(self.error_samples) < 10:
                detail = failure or f"HTTP {response.status_code}: {response.text[:300]!r}"
                self.error_samples.append(f"{kind}: {detail}")
            return False


def timed(results: Results, kind: str, session: requests.Session, method: str, url: str, **kwargs):
    start = time.perf_counter()
    try:
        response = session.request(method, url, timeout=30, **kwargs)
    except requests.RequestException as error:
        results.record(kind, time.perf_counter() - start, None, f"{type(error).__name__}: {error}")
        return None
    ok = results.record(kind, time.perf_counter() - start, response)
    return response if ok else None


def reader(base, stop_at, results, tiles, session_key, viewer_token, seed):
    """Tiles (session, like the map), /api/progress/ (token, like a script) and the reference, in turn."""
    rng, session, turn = random.Random(seed), requests.Session(), 0
    while time.monotonic() < stop_at:
        kind = READER_CYCLE[turn % len(READER_CYCLE)]
        turn += 1
        if kind == "tiles":
            z, x, y = rng.choice(tiles)
            timed(
                results,
                kind,
                session,
                "GET",
                f"{base}/tiles/{rng.choice(LAYERS)}/{z}/{x}/{y}.pbf",
                headers={"Cookie": f"sessionid={session_key}"},
            )
        elif kind == "progress":
            timed(
                results,
                kind,
                session,
                "GET",
                f"{base}/api/progress/",
                headers={"Authorization": f"Token {viewer_token}"},
            )
        else:
            timed(results, kind, session, "GET", f"{base}/healthz")


def writer(base, stop_at, results, editor_token, organisation_ids, shared_ids, seed):
    """A new partnership, then an edit of a shared one from the version this writer last saw; and again."""
    rng, session = random.Random(seed), requests.Session()
    session.headers["Authorization"] = f"Token {editor_token}"
    etags = {pk: session.get(f"{base}/api/partnerships/{pk}/", timeout=30).headers["ETag"] for pk in shared_ids}
    while time.monotonic() < stop_at:
        title = f"Load test {uuid.uuid4()}"
        response = timed(
            results,
            "create",
            session,
            "POST",
            f"{base}/api/partnerships/",
            json={
                "title": title,
                "sector": rng.choice(["industry", "agriculture"]),
                "status": "dialogue",
                "organisation_ids": [rng.choice(organisation_ids)],
            },
        )
        if response is not None:
            with results.lock:
                results.created.append((response.json()["id"], title))
        pk, value = rng.choice(shared_ids), f"load {uuid.uuid4()}"
        response = timed(
            results,
            "update",
            session,
            "PATCH",
            f"{base}/api/partnerships/{pk}/",
            json={"notes": value},
            headers={"If-Match": etags[pk]},
        )
        if response is not None and response.status_code == 200:
            etags[pk] = response.headers["ETag"]
            with results.lock:
                results.updated.append((pk, value, etags[pk]))
        elif response is not None:  # 412: someone else was first; carry on from the current version
            etags[pk] = response.json()["current_etag"]


def reporter(base, stop_at, session_key, drawn: list, failures: list):
    """Asks for one PDF status report after another, as the dashboard's button does, and waits for each."""
    try:
        ask_for_reports(base, stop_at, session_key, drawn)
    except Exception as error:  # an exception would end the thread unseen: the run fails on it instead
        failures.append(repr(error))


def ask_for_reports(base, stop_at, session_key, drawn: list):
    """In every other REPORT_WINDOW, one PDF after another; `drawn` gets each one's (asked, ready) times."""
    session = requests.Session()
    session.headers["Cookie"] = f"sessionid={session_key}"
    session.get(f"{base}/progress/reports/")
    token = session.cookies.get("csrftoken")
    session.headers["Cookie"] += f"; csrftoken={token}"
    started = time.monotonic()
    while time.monotonic() < stop_at:
        if int((time.monotonic() - started) / REPORT_WINDOW) % 2:
            time.sleep(0.1)  # a window without reports
            continue
        since = time.perf_counter()
        asked = session.post(
            f"{base}/progress/reports/", {"format": "pdf", "csrfmiddlewaretoken": token}, allow_redirects=False
        )
        if asked.status_code != 302:
            raise RuntimeError(f"asking for a report: {asked.status_code}")
        while True:
            status = session.get(f"{base}{asked.headers['Location']}status.json").json()
            if status["finished"]:
                break
            time.sleep(0.7)  # as often as the report's page asks (static/js/report.js)
        if status["status"] != "ready":
            raise RuntimeError(f"report failed: {status}")
        drawn.append((since, time.perf_counter()))


def lost_writes(results: Results) -> list[str]:
    """Every acknowledged write, looked up in the database; what is missing is lost."""
    from core.versions import record_etag
    from partnerships.models import ClimatePartnership

    lost = []
    created = dict(results.created)
    stored = dict(ClimatePartnership.objects.filter(pk__in=created).values_list("pk", "title"))
    lost += [
        f"created #{pk} {title!r}: not in the database" for pk, title in created.items() if stored.get(pk) != title
    ]
    edited = {pk for pk, _, _ in results.updated}
    history = set(
        ClimatePartnership.history.filter(id__in=edited, notes__startswith="load ").values_list("id", "notes")
    )
    lost += [
        f"edit of #{pk} to {value!r}: no such version in its history"
        for pk, value, _ in results.updated
        if (pk, value) not in history
    ]
    acknowledged = {etag: value for _, value, etag in results.updated}
    for record in ClimatePartnership.objects.filter(pk__in=edited):
        etag = record_etag(record)
        if acknowledged.get(etag) != record.notes:  # it must stand at the last version a client was told about
            lost += [f"#{record.pk} stands at {etag} ({record.notes!r}), which no client was told about"]
    return lost


def set_up():
    """A fresh scratch database with the demo data; a session for the map, tokens for scripts."""
    use_scratch_database(DATABASE, fresh=True)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from access.models import ApiToken
    from partnerships.models import ClimatePartnership
    from registry.models import Organisation

    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects.in_bulk(["demo-viewer", "demo-editor"], field_name="username")
    client = Client()
    client.force_login(users["demo-viewer"])  # signed with DJANGO_SECRET_KEY, the one the server gets too
    return {
        "session_key": client.cookies["sessionid"].value,
        "viewer_token": ApiToken.issue(user=users["demo-viewer"], name="bench/load.py")[1],
        "editor_token": ApiToken.issue(user=users["demo-editor"], name="bench/load.py")[1],
        "organisation_ids": list(Organisation.objects.live().values_list("pk", flat=True)),
        "shared_ids": list(
            ClimatePartnership.objects.live().order_by("pk").values_list("pk", flat=True)[:SHARED_RECORDS]
        ),
    }


def warm_up(base, fixtures, rounds, tile, server):
    """Every worker imports and connects before the clock starts (not counted); a failure here stops the run."""
    warm, session, (z, x, y) = Results(), requests.Session(), tile
    for _ in range(rounds):
        timed(
            warm,
            "tiles",
            session,
            "GET",
            f"{base}/tiles/sites/{z}/{x}/{y}.pbf",
            headers={"Cookie": f"sessionid={fixtures['session_key']}"},
        )
        timed(
            warm,
            "progress",
            session,
            "GET",
            f"{base}/api/progress/",
            headers={"Authorization": f"Token {fixtures['viewer_token']}"},
        )
        timed(warm, "healthz", session, "GET", f"{base}/healthz")
    if warm.error_samples:
        raise SystemExit("warm-up failed: " + "; ".join(warm.error_samples) + "\n" + server.log_tail())


def report(results: Results, elapsed: float, lost: list[str]) -> int:
    print(f"{'class':<20}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}{'412s':>7}")
    for kind in ("tiles", "progress", "create", "update", "healthz"):
        ordered = sorted(results.latencies[kind])
        label = "healthz (reference)" if kind == "healthz" else kind
        print(
            f"{label:<20}{results.counts[kind]:>8}{results.counts[kind] / elapsed:>9.1f}"
            + "".join(f"{percentile(ordered, p) * 1000:>9.1f}" for p in (50, 95, 99))
            + f"{results.errors[kind]:>8}{results.conflicts[kind]:>7}"
        )
    tiles, healthz = sorted(results.latencies["tiles"]), sorted(results.latencies["healthz"])
    if tiles and healthz:
        print(f"ratio tiles / healthz reference (p50): {percentile(tiles, 50) / percentile(healthz, 50):.2f}")
    for sample in results.error_samples:
        print(f"  error: {sample}")
    print(f"acknowledged writes: {len(results.created)} created, {len(results.updated)} edited; lost: {len(lost)}")
    for line in lost[:10]:
        print(f"  lost: {line}")
    errors = sum(results.errors.values())
    total = sum(results.counts.values())
    print(f"TOTAL {total / elapsed:.1f} req/s over {elapsed:.1f} s; errors {errors}; lost writes {len(lost)}")
    return 1 if errors or lost else 0


def run_load(base, args, fixtures, tiles, with_reports: bool) -> tuple[Results, float, list]:
    """Readers and writers for args.seconds; with a reporter asking for PDF reports all the while if asked."""
    results, drawn = Results(), []
    start = time.monotonic()
    stop_at = start + args.seconds * (2 if with_reports else 1)
    threads = [
        threading.Thread(
            target=reader, args=(base, stop_at, results, tiles, fixtures["session_key"], fixtures["viewer_token"], i)
        )
        for i in range(args.readers)
    ]
    threads += [
        threading.Thread(
            target=writer,
            args=(
                base,
                stop_at,
                results,
                fixtures["editor_token"],
                fixtures["organisation_ids"],
                fixtures["shared_ids"],
                100 + i,
            ),
        )
        for i in range(args.writers)
    ]
    if with_reports:
        threads.append(
            threading.Thread(
                target=reporter, args=(base, stop_at, fixtures["session_key"], drawn, results.report_failures)
            )
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - start, drawn


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--writers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--no-reports", action="store_true", help="skip the run with reports drawn during the load")
    parser.add_argument(
        "--worker-cpu-quota",
        type=int,
        default=20,
        help="percent of one CPU the job worker may use, as the README's unit for a shared machine (0: no limit)",
    )
    args = parser.parse_args()
    secret_key = os.environ["DJANGO_SECRET_KEY"] = new_secret_key()  # before Django starts: sessions are signed
    fixtures = set_up()
    tiles = aalborg_tiles()
    server = GunicornServer(
        os.environ["DATABASE_URL"], secret_key=secret_key, workers=args.workers, threads=args.threads
    )
    try:
        server.start()
        with QueueWorker(
            server.env, cpu_quota=args.worker_cpu_quota
        ) as worker:  # idle in the first run: both runs have the same processes
            print(
                f"gunicorn pid {server.pid}, {args.workers} workers x {args.threads} threads on {server.url} "
                f"(log {server.log_path}); job worker pid {worker.process.pid} (log {worker.log_path}"
                f"{f', CPU quota {args.worker_cpu_quota}%' if args.worker_cpu_quota else ''}); "
                f"{args.readers} readers, {args.writers} writers, {args.seconds:.0f} s; "
                f"{len(tiles)} tiles x {len(LAYERS)} layers"
            )
            warm_up(server.url, fixtures, 2 * args.workers * args.threads, tiles[0], server)
            results, elapsed, _ = run_load(server.url, args, fixtures, tiles, with_reports=False)
            lost = lost_writes(results)  # before the next run edits the same records again
            if not args.no_reports:
                during, during_elapsed, drawn = run_load(server.url, args, fixtures, tiles, with_reports=True)
                lost_during = lost_writes(during)
    finally:
        server.stop()
    status = report(results, elapsed, lost)
    if not args.no_reports:
        print(f"\nthe same load, with a worker drawing PDF status reports in every other window ({len(drawn)} drawn):")
        status |= report(during, during_elapsed, lost_during)
        status |= report_rise(during, drawn)
        for failure in during.report_failures:
            print(f"  report failure: {failure}")
        status |= 1 if during.report_failures else 0
    if status:
        print(f"server log ({server.log_path}), last lines:\n{server.log_tail(40)}")
    sys.exit(status)


def report_rise(during: Results, drawn: list) -> int:
    """Tiles whose request overlapped a report being drawn, against those that overlapped none."""
    overlapping, alone = [], []
    for began, ended in during.spans["tiles"]:
        drawing = any(began < ready and ended > asked for asked, ready in drawn)
        (overlapping if drawing else alone).append(ended - began)
    p95 = [percentile(sorted(latencies), 95) for latencies in (alone, overlapping)]
    rise = p95[1] / p95[0]
    mean = sum(ready - asked for asked, ready in drawn) / len(drawn) if drawn else float("nan")
    print(
        f"tile p95 while a report is drawn / while none is: {p95[1] * 1000:.1f} ms ({len(overlapping)} tiles) / "
        f"{p95[0] * 1000:.1f} ms ({len(alone)} tiles) = {rise:.2f} (target at most {REPORT_P95_RISE:.2f}); "
        f"a report took {mean:.1f} s from request to file"
    )
    return 0 if drawn and rise <= REPORT_P95_RISE else 1


if __name__ == "__main__":
    main()
