"""Two app servers and two workers on loopback, one database: work never depends on the process that asked.

Real processes, as production runs them: gunicorn with a production environment (bench/gunicorn_server.py)
twice, and `manage.py procrastinate worker` twice (tests/jobs.py), all on this run's test database. Users
sign in over HTTP with their passwords; the session made on one server is read by the other.
"""

import re
import signal
import time

import mapbox_vector_tile
import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point

from access.models import ApiToken
from access.roles import EDITOR, VIEWER, sync_roles
from bench.common import tile_of
from bench.gunicorn_server import GunicornServer, new_secret_key
from imports.models import ImportRun
from registry.models import EnergySite

from .conftest import make_site
from .import_files import many_solar_sites, write_csv
from .jobs import FAST_RECOVERY, WorkerProcess, database_url_of_tests

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PASSWORD = "Limfjord-Broen-2030"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, django_db_setup):
    """Two servers (one secret key: a session from one is good on the other) and two workers."""
    logs = tmp_path_factory.mktemp("queue-logs")
    imports = tmp_path_factory.mktemp("queue-imports")
    shared = {"IMPORT_ROOT": str(imports), **FAST_RECOVERY}
    key, url = new_secret_key(), database_url_of_tests()
    servers = [GunicornServer(url, secret_key=key, workers=2, threads=2, env=shared) for _ in range(2)]
    workers = [WorkerProcess(f"worker-{i}", logs, **shared) for i in (1, 2)]
    try:
        for server in servers:
            server.start()
        for worker in workers:
            worker.__enter__()
        yield servers, workers
    finally:
        for worker in workers:
            worker.__exit__(None, None, None)
        for server in servers:
            server.stop()


def signed_in(server, username) -> requests.Session:
    session = requests.Session()
    session.get(f"{server.url}/accounts/login/")
    response = session.post(
        f"{server.url}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return session


@pytest.fixture
def people(db):
    """An editor and a viewer, made as an administrator makes them: a password and a role's group."""
    sync_roles()
    made = {}
    for role in (EDITOR, VIEWER):
        user = get_user_model().objects.create_user(username=f"queue-{role}", password=PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


def upload(session, server, path) -> int:
    session.get(f"{server.url}/imports/")
    with open(path, "rb") as handle:
        response = session.post(
            f"{server.url}/imports/",
            {"kind": "sites", "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            files={"file": (path.name, handle)},
            allow_redirects=False,
        )
    assert response.status_code == 302, response.text
    return int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))


def apply(session, server, pk) -> int:
    session.get(f"{server.url}/imports/{pk}/")
    response = session.post(
        f"{server.url}/imports/{pk}/apply", {"csrfmiddlewaretoken": session.cookies["csrftoken"]}, allow_redirects=False
    )
    assert response.status_code == 302, response.text
    return int(re.search(r"/imports/(\d+)/", response.headers["Location"]).group(1))


def follow(session, server, pk, until=lambda status: status["finished"], seconds=240) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = session.get(f"{server.url}/imports/{pk}/status.json").json()
        if until(status):
            return status
        time.sleep(0.2)
    raise AssertionError(f"import #{pk} is still {status}")


def test_an_import_asked_of_one_server_is_done_by_a_worker_and_followed_on_the_other(cluster, people, tmp_path):
    (first, second), workers = cluster
    path = write_csv(
        tmp_path / "moeller.csv",
        ["id", "navn", "type", "lon", "lat"],
        [["Q1", "Mølle ved Vadum", "vind", 9.86, 57.12], ["Q2", "Mølle ved Nibe", "vind", 9.64, 56.98]],
    )
    on_first, on_second = signed_in(first, "queue-editor"), signed_in(second, "queue-editor")
    checked = upload(on_first, first, path)
    status = follow(on_second, second, checked)
    assert status["status"] == "checked" and status["rows_done"] == 2
    applied = apply(on_second, second, checked)
    assert follow(on_first, first, applied)["status"] == "applied"
    page = on_second.get(f"{second.url}/imports/{applied}/").text
    assert 'id="created-count">2<' in page
    done_by = {run.worker.split(":")[1] for run in ImportRun.objects.all()}
    assert done_by <= {str(w.pid) for w in workers}  # each run was done by a worker, never by a web server
    assert EnergySite.objects.count() == 2 and EnergySite.history.count() == 2


def test_a_worker_killed_during_an_import_leaves_nothing_and_the_other_worker_completes_it(cluster, people, tmp_path):
    (first, second), workers = cluster
    count = 60_000
    path = many_solar_sites(tmp_path / "mange.gpkg", count, "K", seed=7)
    on_first, on_second = signed_in(first, "queue-editor"), signed_in(second, "queue-editor")
    checked = upload(on_first, first, path)
    assert follow(on_second, second, checked)["status"] == "checked"
    pk = apply(on_first, first, checked)
    follow(on_second, second, pk, until=lambda status: status["phase"] == "writing")
    doing = ImportRun.objects.get(pk=pk).worker.split(":")[1]
    (victim,) = [w for w in workers if str(w.pid) == doing]
    victim.process.send_signal(signal.SIGKILL)
    victim.process.wait()
    # Nothing the dead worker wrote is there: no rows were committed along the way (and the attempt that
    # completes it below creates every one of them: none was left over from the first)
    assert EnergySite.objects.count() == 0 and EnergySite.history.count() == 0
    status = follow(on_second, second, pk)
    assert status["status"] == "applied", status
    assert "1 attempt stopped because its worker stopped" in status["note"]
    run = ImportRun.objects.get(pk=pk)
    (survivor,) = [w for w in workers if w is not victim]
    assert run.attempt == 2 and run.worker.split(":")[1] == str(survivor.pid)
    assert [i["retry"] for i in run.interruptions] == [True]
    assert run.created_count == count
    assert EnergySite.objects.count() == count and EnergySite.history.count() == count
    page = on_first.get(f"{first.url}/imports/{pk}/").text
    assert "It is tried again" not in page and "1 attempt stopped" in page
    victim.__enter__()  # the next test has two workers again


def test_a_worker_stopping_gracefully_finishes_its_import_and_nobody_takes_it_over(cluster, people, tmp_path):
    """SIGTERM (a deploy, systemd stopping the unit): the worker stops its heartbeat but finishes the job in hand.
    Its heartbeat goes stale for longer than JOB_STALLED_SECONDS while the other worker's recovery runs every
    second: the attempt's advisory lock says the worker lives, so the import is neither retried nor failed."""
    from django.db import connection

    (first, second), workers = cluster
    count = 400_000
    path = many_solar_sites(tmp_path / "flere.gpkg", count, "G", seed=11)
    session = signed_in(first, "queue-editor")
    checked = upload(session, first, path)
    assert follow(session, first, checked)["status"] == "checked"
    pk = apply(session, first, checked)
    follow(session, second, pk, until=lambda status: status["status"] == "running")  # reading the file, at first
    doing = ImportRun.objects.get(pk=pk).worker.split(":")[1]
    (stopping,) = [w for w in workers if str(w.pid) == doing]
    stopping.process.send_signal(signal.SIGTERM)
    stale, deadline = False, time.monotonic() + 240
    while ImportRun.objects.get(pk=pk).status not in ImportRun.FINISHED and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bool_or(last_heartbeat < NOW() - make_interval(secs => %s)) FROM procrastinate_workers",
                [float(FAST_RECOVERY["JOB_STALLED_SECONDS"])],
            )
            stale |= bool(cursor.fetchone()[0])
        time.sleep(0.2)
    run = ImportRun.objects.get(pk=pk)
    assert (run.status, run.attempt, run.interruptions, run.created_count) == ("applied", 1, [], count)
    assert stale, "the import ended before the stopping worker's heartbeat went stale: make the file larger"
    assert run.worker.split(":")[1] == str(stopping.pid)
    assert stopping.process.wait(60) == 0  # then it stopped, as asked
    assert EnergySite.objects.count() == count and EnergySite.history.count() == count
    stopping.__enter__()  # the next test has two workers again


def names_in(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return {
        f["properties"]["name"]
        for f in mapbox_vector_tile.decode(response.content).get("sites", {}).get("features", [])
    }


def test_an_edit_through_one_server_is_never_served_stale_by_the_other(cluster, people):
    (first, second), _ = cluster
    site = make_site(name="Vindmølle Nørhalne", site_type="wind", geometry=Point(9.92, 57.05, srid=4326))
    z, x, y = tile_of(9.92, 57.05, 12)
    viewers = [signed_in(server, "queue-viewer") for server in (first, second)]
    # every gunicorn worker of both servers caches the tile (a few requests reach each of them)
    for _ in range(8):
        for session, server in zip(viewers, (first, second), strict=True):
            assert names_in(session.get(f"{server.url}/tiles/sites/{z}/{x}/{y}.pbf")) == {"Vindmølle Nørhalne"}
    key = ApiToken.issue(user=people[EDITOR], name="queue test")[1]
    renamed = requests.patch(
        f"{first.url}/api/sites/{site.pk}/",
        json={"type": "Feature", "properties": {"name": "Vindmølle Nørhalne Syd"}},
        headers={"Authorization": f"Token {key}"},
    )
    assert renamed.status_code == 200, renamed.text
    for _ in range(8):
        assert names_in(viewers[1].get(f"{second.url}/tiles/sites/{z}/{x}/{y}.pbf")) == {"Vindmølle Nørhalne Syd"}
    assert settings.CACHES["tiles"]["BACKEND"].endswith("LocMemCache")  # per process: only the version is shared
