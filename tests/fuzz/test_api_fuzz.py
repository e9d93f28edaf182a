"""Property-based fuzz of /api/v1/openapi.json against a live server (schemathesis).

Every operation of the OpenAPI description gets the examples of the document, the
coverage phase (boundary and invalid values of every parameter and body field) and a
few generated cases; each case is sent anonymously and with the bearer token of
every role of the demo data. A case fails when the server answers 5xx, a status code
the document does not list for the operation, a content type it does not list, or a
body that breaks the documented schema. Generation is deterministic (fixed seed, no
example database) so a failure in CI reproduces locally.
"""

from __future__ import annotations

import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.api.openapi import build_spec

from .conftest import ACCOUNTS, CASES, PASSWORD, STATUSES

# Examples per operation of the random (fuzzing) phase; the coverage phase adds its own.
MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, negative_data_rejection]
ROLES = (None, "citizen", "secretary", "host", "officer", "admin")
CONFIG = SchemathesisConfig.from_dict({
    "seed": 20260701,
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True,
                   "database": "none", "with-security-parameters": False},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
               "fuzzing": {"enabled": True}, "stateful": {"enabled": False}},
})

# The document is built from the code, as /api/v1/openapi.json serves it (checked below),
# so that pytest collects one test per operation before any server runs.
schema = schemathesis.openapi.from_dict(build_spec(), config=CONFIG)


def test_fuzzed_document_is_the_served_one(fuzz_site):
    response = requests.get(f"{fuzz_site.api}/openapi.json", timeout=10)
    assert response.status_code == 200
    assert response.json() == build_spec()


def _fresh_token(fuzz_site) -> str:
    """A token of its own for /auth/logout, which revokes the token it is called with."""
    response = requests.post(f"{fuzz_site.api}/auth/login", timeout=10,
                             json={"username": ACCOUNTS["citizen"], "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["token"]


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, fuzz_site):
    """No input, from any caller, yields a 5xx or an answer the document does not describe.

    The callers take turns: anonymous, then each role, case after case of the operation.
    """
    roles = ROLES if case.operation.security else (None, "citizen")
    key = (fuzz_site.backend, case.operation.label)
    sent = CASES.get(key, 0)
    role = roles[sent % len(roles)]
    headers = fuzz_site.headers(role)
    if case.operation.label == "POST /auth/logout" and role:
        headers = {"Authorization": f"Bearer {_fresh_token(fuzz_site)}"}
    CASES[key] = sent + 1
    response = case.call_and_validate(base_url=fuzz_site.api, headers=headers, checks=CHECKS,
                                      timeout=30)
    STATUSES[fuzz_site.backend][response.status_code // 100] += 1
