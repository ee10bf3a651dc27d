"""Runs the `ogctests` OGC API - Features core suite (PyPI) against a live server, signed in with an API token.

Executed by the interpreter of `.venv-ogctests` (ogctests pins pytest 8 and httpx 0.27, so it lives in its own
virtualenv); usage: runner.py <base url of /ogc> <token> <junit xml path>.
"""

import sys

import httpx
from ogctests.main import run_ogctests

url, token, junit = sys.argv[1:4]
client = httpx.Client(base_url=url, headers={"Authorization": f"Token {token}"}, timeout=60)
# -c /dev/null: the suite's own pytest run must not pick up this project's pytest.ini
sys.exit(
    run_ogctests(
        "features/core",
        test_client=client,
        flags=["-c", "/dev/null", "-p", "no:cacheprovider", "-q", "-rA", f"--junit-xml={junit}"],
    )
)
