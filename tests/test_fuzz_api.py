"""Schemathesis against our own OpenAPI schema, authenticated, over every operation: zero server errors,
and every response (status, content type, headers, body) as the schema documents it.

Bounded here (a few examples per operation) to keep CI fast; for a longer run by hand:
  st run http://127.0.0.1:8000/api/schema/ -H "Authorization: Token <key>" -n 200 \
    -c not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,\
response_schema_conformance
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from access.models import ApiToken

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SCHEMATHESIS = Path(sys.executable).parent / "st"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
    "response_schema_conformance"
)


def test_every_operation_answers_as_documented_and_never_with_a_server_error(live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    _token, raw = ApiToken.issue(user=get_user_model().objects.get(username="demo-administrator"), name="fuzz")
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/schema/",
            "-H",
            f"Authorization: Token {raw}",
            "-n",
            "4",
            "-c",
            CHECKS,
            "--phases",
            "examples,fuzzing",
            "--generation-deterministic",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    selected = re.search(r"Selected: (\d+)/(\d+)", summary)
    tested = re.search(r"Tested: (\d+)", summary)
    assert selected and tested and int(tested.group(1)) == int(selected.group(2)) >= 60, summary
