"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis): no answer is a 5xx.

Every operation the schema lists is called with generated parameters, headers and bodies
against a real server (writes carry no token, so they are refused before touching the store).
``CQCKG_FUZZ_EXAMPLES`` sets the examples per operation (default 25).
"""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings

from conftest import RunningServer
from cqckg.serve.app import create_app
from cqckg.serve.settings import Settings

EXAMPLES = int(os.environ.get("CQCKG_FUZZ_EXAMPLES", "25"))


# The schema as the app describes itself (no server needed to collect the tests).
schema = schemathesis.openapi.from_dict(create_app(Settings(store=":memory:")).openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_errors(server: RunningServer, case: schemathesis.Case) -> None:
    response = case.call(base_url=server.url, timeout=30)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
        f"{response.text[:300]}"
    )
