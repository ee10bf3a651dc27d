"""Run QGIS 3.22 (tests/qgis_client.py, under the system's Python with PyQGIS) on a JSON job; its parsed answer.

One QGIS process per call: give it every layer of a test at once. Each call has a fresh auth database and a fresh
QGIS profile (HOME), so no sign-in or cached reply carries over from another run.
"""

import json
import os
import subprocess
from pathlib import Path

QGIS_PYTHON = "/usr/bin/python3"
CLIENT = Path(__file__).with_name("qgis_client.py")


def _environment(work: Path | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": ""}
    env.pop("VIRTUAL_ENV", None)
    if work is not None:
        for name, folder in (("HOME", "home"), ("XDG_RUNTIME_DIR", "run"), ("QGIS_AUTH_DB_DIR_PATH", "auth")):
            (work / folder).mkdir(mode=0o700, parents=True, exist_ok=True)
            env[name] = str(work / folder)
    return env


def run(job: dict, work: Path, timeout: int = 240) -> dict:
    """The client's answer to `job`; PNGs go to work/png unless the job says where."""
    work.mkdir(parents=True, exist_ok=True)
    job = {**job, "render": {"dir": str(work / "png"), **job.get("render", {})}}
    Path(job["render"]["dir"]).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [QGIS_PYTHON, str(CLIENT)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_environment(work),
        cwd=work,
    )
    # QGIS is a system package of `make setup` (qgis, python3-qgis): missing, this fails, never skips
    assert done.returncode == 0, f"QGIS client failed ({done.returncode}):\n{done.stderr[-4000:]}"
    return json.loads(done.stdout)


def sign_ins(**named: tuple[str, str]) -> dict:
    """Basic auth configs by name: sign_ins(viewer=("demo-viewer", "demo")); layers name the one they use."""
    return {"sign_ins": {name: {"username": user, "password": secret} for name, (user, secret) in named.items()}}


def oapif(base_url: str, collection: str, sign_in: str | None = None) -> dict:
    """An OGC API - Features layer, as QGIS's data source manager adds it."""
    uri = f"url='{base_url}/ogc/' typename='{collection}'"
    return {"name": collection, "provider": "OAPIF", "uri": uri, "sign_in": sign_in}


def wfs(base_url: str, typename: str, sign_in: str | None = None) -> dict:
    uri = f"url='{base_url}/wfs/' typename='{typename}' version='2.0.0' restrictToRequestBBOX='0'"
    return {"name": typename, "provider": "WFS", "uri": uri, "sign_in": sign_in}


def vector_tiles(base_url: str, layer: str, sign_in: str | None = None, zmax: int = 14) -> dict:
    uri = f"type=xyz&url={base_url}/tiles/{layer}/{{z}}/{{x}}/{{y}}.pbf&zmin=0&zmax={zmax}"
    return {"name": f"{layer} (tiles)", "provider": "vectortile", "uri": uri, "sign_in": sign_in}
