"""Production (gunicorn, DEBUG off): the pages with their static files and headers, and the database restarting
under it.

Real processes, no mocks: a throwaway PostgreSQL cluster of its own (bin/localdb in a temporary directory, on
a free port; never the shared cluster this test run's own connection lives on), migrated, and gunicorn with a
production environment against it (bench/gunicorn_server.py: DEBUG off, persistent health-checked connections,
two workers with two threads). The database is stopped under it, asked for while gone, and started again.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.gunicorn_server import GunicornServer, free_port, new_secret_key, production_env

ROOT = Path(__file__).resolve().parent.parent
LOCALDB = ROOT / "bin" / "localdb"
MESSAGE = "The database is unavailable; try again shortly."
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

SET_UP = """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from access.models import ApiToken
from partnerships.models import ClimatePartnership

user = get_user_model().objects.create_user("restart-viewer")
user.groups.add(Group.objects.get(name="viewer"))
partnership = ClimatePartnership(title="Survives the restart", sector="industry", status="dialogue")
partnership.full_clean()
partnership.save()
client = Client()
client.force_login(user)
print(json.dumps({"token": ApiToken.issue(user=user, name="restart test")[1],
                  "session": client.cookies["sessionid"].value}))
"""


class Cluster:
    """A PostgreSQL 15 + PostGIS cluster of this test's own, managed with the project's bin/localdb."""

    def __init__(self, directory: Path):
        self.directory, self.port = directory, free_port()
        self.env = {
            **os.environ,
            "LOCALDB_DIR": str(directory),
            "LOCALDB_PORT": str(self.port),
            "LOCALDB_NAME": "restart_test",
        }
        self.url = f"postgis://registry@127.0.0.1:{self.port}/restart_test"

    def run(self, command: str):
        result = subprocess.run([str(LOCALDB), command], env=self.env, capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, f"bin/localdb {command}: {result.stdout}{result.stderr}"

    def remove(self):
        self.run("stop")
        real = (self.directory / "pg").resolve().parent
        if str(real).startswith("/var/tmp/climate-registry-pg/"):  # bin/localdb's place when root's tmp is private
            shutil.rmtree(real, ignore_errors=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The throwaway cluster, migrated, with a viewer (token and session), and gunicorn on it; both removed after."""
    cluster = Cluster(tmp_path_factory.mktemp("restart-db") / "data")
    cluster.run("start")
    server = None
    try:
        secret_key = new_secret_key()
        env = production_env(cluster.url, secret_key)
        for command in (["migrate", "--no-input", "-v0"], ["shell", "-c", SET_UP]):
            result = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            assert result.returncode == 0, result.stderr
        credentials = json.loads(result.stdout.strip().splitlines()[-1])
        server = GunicornServer(cluster.url, secret_key=secret_key, workers=2, threads=2).start()
        yield cluster, server, credentials
    finally:
        if server is not None:
            server.stop()
            server.log_path.unlink(missing_ok=True)
        cluster.remove()


def gunicorn_workers(master: int) -> set[int]:
    """The pids whose parent is the gunicorn master (from /proc)."""
    workers = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            workers.add(int(stat.parent.name))
    return workers


def test_a_database_restart_gives_503s_and_the_same_server_recovers(served):
    cluster, server, credentials = served
    session_cookie = f"sessionid={credentials['session']}"
    # what is asked for, how, and what a 503 for it looks like
    requests_ = {
        "API (token)": ("/api/partnerships/", {"Authorization": f"Token {credentials['token']}"}, "application/json"),
        "tile (session)": ("/tiles/partnerships/0/0/0.pbf", {"Cookie": session_cookie}, "application/json"),
        "page /healthz": ("/healthz", {"Accept": BROWSER_ACCEPT}, "text/html"),
        "signed-in page (map search)": (
            "/map/search?q=Aalborg",
            {"Cookie": session_cookie, "Accept": BROWSER_ACCEPT},
            "text/html",
        ),
    }

    def get(name):
        path, headers, _ = requests_[name]
        return requests.get(server.url + path, headers=headers, timeout=10)

    # persistent connections by now (DATABASE_CONN_MAX_AGE=60, as in production), which the restart breaks
    for _ in range(6):
        for name in requests_:
            assert get(name).status_code == 200, name
    assert "Survives the restart" in get("API (token)").text
    master, workers = server.pid, gunicorn_workers(server.pid)
    assert len(workers) == 2

    cluster.run("stop")
    for _ in range(4):  # several times each, so more than one worker and thread answer
        for name, (_, _, content_type) in requests_.items():
            response = get(name)  # a connection reset or refused would raise here
            assert response.status_code == 503, (name, response.status_code, response.text[:500])
            assert int(response.headers["Retry-After"]) > 0, name
            assert response.headers["Content-Type"].startswith(content_type), name
            # a proxy must not keep serving the outage; private as every response that is not a static file
            assert {d.strip() for d in response.headers["Cache-Control"].split(",")} == {"no-store", "private"}, name
            if content_type == "application/json":
                assert response.json() == {"detail": MESSAGE}, name
            else:
                assert MESSAGE in response.text and "<h1>" in response.text, name

    cluster.run("start")
    recovered, deadline = set(), time.monotonic() + 10
    while len(recovered) < len(requests_) and time.monotonic() < deadline:
        for name in requests_:
            if get(name).status_code == 200:
                recovered.add(name)
        time.sleep(0.2)
    assert recovered == set(requests_), f"still failing 10 s after the restart: {set(requests_) - recovered}"
    for _ in range(6):  # every thread, not only the first to reconnect
        for name in requests_:
            assert get(name).status_code == 200, name
    assert "Survives the restart" in get("API (token)").text
    # the same server: no restart of the master, no worker replaced
    assert server.process.poll() is None and server.pid == master
    assert gunicorn_workers(master) == workers
    log = server.log_path.read_text(errors="replace")
    assert "Internal Server Error" not in log and "Traceback" not in log, server.log_tail()


def test_production_serves_the_pages_with_their_static_files_and_security_headers(served):
    """DEBUG off uses the manifest storage: a page whose static file (or its source map) is missing would be a 500."""
    _cluster, server, credentials = served
    signed_in = {"Cookie": f"sessionid={credentials['session']}", "Accept": BROWSER_ACCEPT}
    for path in ("/", "/map/", "/heat/opportunities/", "/api/docs/", "/admin/login/"):
        response = requests.get(server.url + path, headers=signed_in, timeout=10)
        assert response.status_code == 200, (path, response.status_code, server.log_tail())
        assert "script-src 'self';" in response.headers["Content-Security-Policy"], path
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"], path
        for static_path in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text)):
            assert re.search(r"\.[0-9a-f]{12}\.\w+$", static_path), static_path  # hashed: cached for ever
            asset = requests.get(server.url + static_path, timeout=10)
            assert asset.status_code == 200, static_path
            assert "max-age=315360000" in asset.headers["Cache-Control"], static_path
