"""Schemathesis over one of our OpenAPI documents, as the demo administrator, from the test's live server."""

import re
import subprocess
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from access.models import ApiToken

SCHEMATHESIS = Path(sys.executable).parent / "st"


def run_schemathesis(url: str, *options: str, tail: int = 3000) -> int:
    """Run it over every operation of the document at `url` with `options` (examples, checks); assert it passed
    and tested every operation it selected; return how many operations the document has for it."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    _token, raw = ApiToken.issue(user=get_user_model().objects.get(username="demo-administrator"), name="fuzz")
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            url,
            "-H",
            f"Authorization: Token {raw}",
            *options,
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
    summary = result.stdout[-tail:]
    assert result.returncode == 0, summary
    selected = re.search(r"Selected: (\d+)/(\d+)", summary)
    tested = re.search(r"Tested: (\d+)", summary)
    assert selected and tested and int(tested.group(1)) == int(selected.group(2)), summary
    return int(selected.group(2))
