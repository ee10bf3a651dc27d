"""bin/localdb: the project-local cluster starts, is reused, and survives a crash."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bin" / "localdb"


@pytest.fixture
def cluster(tmp_path):
    env = {**os.environ, "LOCALDB_DIR": str(tmp_path / "data"), "LOCALDB_PORT": str(55000 + os.getpid() % 1000)}

    def run(*args):
        return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=180)

    yield run, tmp_path / "data"
    run("stop")
    real = (tmp_path / "data" / "pg").resolve().parent
    if str(real).startswith("/var/tmp/climate-registry-pg/"):  # the fallback used when root's tmp is private
        shutil.rmtree(real, ignore_errors=True)


def query(run):
    return run("psql", "-tAc", "SELECT postgis_version() IS NOT NULL")


def test_start_twice_reuses_the_running_cluster(cluster):
    run, _ = cluster
    assert run("start").returncode == 0
    assert run("start").returncode == 0
    assert query(run).stdout.strip() == "t"


def test_start_after_a_crash_recovers(cluster):
    run, data = cluster
    assert run("start").returncode == 0
    pid = int((data / "pg").resolve().joinpath("postmaster.pid").read_text().split()[0])
    os.kill(pid, signal.SIGKILL)  # leaves a stale postmaster.pid and socket lock behind
    for _ in range(50):
        try:
            os.kill(pid, 0)
            time.sleep(0.1)
        except ProcessLookupError:
            break
    result = run("start")
    assert result.returncode == 0, result.stderr
    assert query(run).stdout.strip() == "t"
