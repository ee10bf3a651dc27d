"""Shared set-up for the benchmarks: a scratch database beside the development one."""

import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def use_scratch_database(name: str, migrate: bool = True, fresh: bool = False) -> None:
    """Point Django at a scratch database (created, with PostGIS, if missing) before django.setup().

    fresh: drop it first, when rows left by an earlier run would change what is measured.
    """
    import dj_database_url
    import psycopg

    base = (
        os.environ.get("DATABASE_URL")
        or f"postgis://registry@127.0.0.1:{os.environ.get('LOCALDB_PORT', '54329')}/climate_registry"
    )
    config = dj_database_url.parse(base)
    admin = psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
        autocommit=True,
    )
    if fresh:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")  # a development installation (load_demo refuses otherwise)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The (z, x, y) web-mercator tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def viewer_client():
    """A Django test client signed in as a user with the viewer role (the benchmarks' reader)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from access.roles import sync_roles

    sync_roles()
    user, _ = get_user_model().objects.get_or_create(username="bench-viewer")
    user.groups.add(Group.objects.get(name="viewer"))
    client = Client()
    client.force_login(user)
    return client


def timed_together(functions, runs: int) -> list[list[float]]:
    """Time callables in turn, round after round (after one warm-up call each), so load drift hits all alike."""
    for fn in functions:
        fn()
    times = [[] for _ in functions]
    for _ in range(runs):
        for fn, samples in zip(functions, times):
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(times) * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms"
