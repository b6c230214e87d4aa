"""Fuzzing every API operation from its own OpenAPI schema: no input makes a server error.

Schemathesis generates requests (valid and invalid bodies, query strings and path ids) for every
operation the schema documents; each is sent through Django's test client (so the test's transaction
holds, as for every other test), authenticated with a
token obtained from ``/api/auth/token/``, as a user who may write (the municipality's methodologist)
and as one who may only read their own profile (the teacher). The generation is derandomised, so a
failure reproduces on the next run. The number of requests sent is asserted, so a schema that
silently loses its operations fails here too.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.test import APIClient
from schemathesis.core import NOT_SET

from metodist.accounts.tests.factories import PASSWORD

EXAMPLES_PER_OPERATION = 10


def _operations():
    spec = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(spec)
    operations = []
    for result in schema.get_all_operations():
        operations.append(result.ok())
    return operations


def _token(username: str) -> str:
    response = APIClient().post(reverse("api:token"), {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _send(client: APIClient, case):
    """Send a generated case the way an HTTP client would put it on the wire."""
    url = case.formatted_path
    if case.query:
        url += "?" + urlencode({k: _text(v) for k, v in case.query.items()}, doseq=True)
    if case.body is NOT_SET:
        return client.generic(case.method, url)
    media_type = case.media_type or "application/json"
    if media_type == "application/json":
        return client.generic(case.method, url, json.dumps(case.body), content_type=media_type)
    if media_type == "multipart/form-data" and isinstance(case.body, dict):
        data = {str(k): _text(v) for k, v in case.body.items()}
        return client.generic(case.method, url, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT)
    if isinstance(case.body, dict):
        body = urlencode({str(k): _text(v) for k, v in case.body.items()}, doseq=True)
    else:
        body = _text(case.body)
    return client.generic(case.method, url, body, content_type=media_type)


def _text(value):
    if isinstance(value, list):
        return [_text(item) for item in value]
    if isinstance(value, dict | bool) or value is None:
        return json.dumps(value)
    return str(value)


@pytest.mark.parametrize("role", ["methodologist", "teacher"])
def test_no_generated_request_makes_a_server_error(world, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token(world.users[role].username)}")
    sent: Counter[str] = Counter()
    failures: list[str] = []

    def fuzz(operation) -> None:
        label = f"{operation.method.upper()} {operation.path}"

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = _send(client, case)
            sent[label] += 1
            if response.status_code >= 500:
                failures.append(f"{label} → {response.status_code}: {case.as_curl_command()}")
            elif response.status_code == 200 and role == "teacher":
                assert str(world.pc.last_name) not in response.content.decode("utf-8", "replace")

        run()

    for operation in _operations():
        fuzz(operation)

    total = sum(sent.values())
    print(f"\n{role}: {total} fuzzed requests over {len(sent)} operations, {len(failures)} server errors")
    assert not failures, "\n".join(failures[:20])
    assert len(sent) >= 20  # every documented operation was exercised
    assert total >= 10 * len(sent)
