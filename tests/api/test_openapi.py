"""The OpenAPI description: valid OpenAPI 3.1, and exactly the API's routes."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError


def _api_routes(app) -> set[tuple[str, str]]:
    """(method, path in OpenAPI's ``{name}`` form) of every route of the API blueprint."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule)
            routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_the_description_is_served_as_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://127.0.0.1:5000"}]
    validate(document)  # raises on an invalid document


def test_every_api_route_is_described_and_every_described_path_exists(app, client):
    document = client.get("/api/v1/openapi.json").json
    described = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert described == _api_routes(app)
    assert len(described) == 4


def test_each_operation_names_the_scope_its_view_checks(app, client):
    document = client.get("/api/v1/openapi.json").json
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        security = document["paths"][path]["get"]["security"]
        assert security == [{"bearerToken": [app.view_functions[rule.endpoint].api_scope]}], path


def test_the_validator_catches_a_broken_document(client):
    document = client.get("/api/v1/openapi.json").json
    document["paths"]["/api/v1/{slug}/orders"]["get"]["responses"] = "nothing"
    with pytest.raises(OpenAPIValidationError):
        validate(document)
