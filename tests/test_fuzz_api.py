"""Schemathesis against our own OpenAPI schema, authenticated, over every operation: zero server errors,
and every response (status, content type, headers, body) as the schema documents it.

Bounded here (a few examples per operation) to keep CI fast; for a longer run by hand:
  st run http://127.0.0.1:8000/api/schema/ -H "Authorization: Token <key>" -n 200 \
    -c not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,\
response_schema_conformance
"""

import pytest

from .fuzzing import run_schemathesis

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
    "response_schema_conformance"
)


def test_every_operation_answers_as_documented_and_never_with_a_server_error(live_server):
    assert run_schemathesis(f"{live_server.url}/api/schema/", "-n", "4", "-c", CHECKS) >= 60
