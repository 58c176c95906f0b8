"""The OpenAPI 3.1 description of the read API, served at ``/api/v1/openapi.json``.

Written by hand: the API is small, and a test checks that every API route is described
here and every path described here is a route (tests/api/test_openapi.py), and that the
document is valid OpenAPI 3.1 (openapi-spec-validator).
"""

from __future__ import annotations

from flask import current_app

VERSION = "1.0.0"
# The document is read by developers and tools, in English like the API's error codes: not translated.
API_TITLE = "Convention read API"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_TIME = {"type": ["string", "null"], "format": "date-time"}
_INT = {"type": "integer"}

_SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "description": "The edition's slug, e.g. `demo`.",
    "schema": _STRING,
}
_PAGE = {
    "name": "page",
    "in": "query",
    "description": "Page number, from 1.",
    "schema": {"type": "integer", "minimum": 1, "default": 1},
}
_PER_PAGE = {
    "name": "per_page",
    "in": "query",
    "description": "Items per page.",
    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
}

_REFUSALS = {
    "401": _error("No token, or a token that is unknown, revoked or of another edition (`invalid_token`)."),
    "403": _error("A valid token of the edition without the scope this operation needs (`insufficient_scope`)."),
}


def _list_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["data", "page", "per_page", "total", "pages", "next"],
        "properties": {
            "data": {"type": "array", "items": _ref(item)},
            "page": _INT,
            "per_page": _INT,
            "total": _INT,
            "pages": _INT,
            "next": {
                "type": ["string", "null"],
                "format": "uri",
                "description": "The address of the next page, null on the last one.",
            },
        },
    }


def _operation(operation_id: str, summary: str, scope: str, ok: dict, *, parameters=(), extra=None) -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"bearerToken": [scope]}],
        "parameters": [_SLUG, *parameters],
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": ok}}},
            **_REFUSALS,
            **(extra or {}),
        },
    }


SCHEMAS = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {"error": _STRING, "message": _STRING}},
    "Speaker": {
        "type": "object",
        "properties": {"code": _STRING, "name": _STRING, "organisation": _STRING, "biography_html": _STRING},
    },
    "Talk": {
        "type": "object",
        "required": ["code", "state", "title", "speakers"],
        "properties": {
            "code": _STRING,
            "state": {"type": "string", "enum": ["accepted", "confirmed"]},
            "title": _STRING,
            "abstract": _STRING,
            "description_html": _STRING,
            "format": _NULLABLE_STRING,
            "duration_minutes": {"type": ["integer", "null"]},
            "theme": _NULLABLE_STRING,
            "language": _STRING,
            "level": _STRING,
            "may_record": {"type": "boolean"},
            "speakers": {"type": "array", "items": _ref("Speaker")},
        },
    },
    "TalkList": _list_of("Talk"),
    "Schedule": {
        "type": "object",
        "required": ["version", "edition", "rooms", "days", "blocks", "talks"],
        "description": "The newest published version, as the public schedule shows it; times in UTC "
        "(ISO 8601), shown in the edition's time zone.",
        "properties": {
            "version": {"type": "object", "properties": {"number": _INT, "name": _STRING, "published_at": _TIME}},
            "edition": {"type": "object", "properties": {"slug": _STRING, "name": _STRING, "timezone": _STRING}},
            "rooms": {"type": "array", "items": {"type": "object"}},
            "days": {"type": "array", "items": {"type": "object"}},
            "blocks": {"type": "array", "items": {"type": "object"}},
            "talks": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Attendee": {
        "type": "object",
        "properties": {
            "code": _STRING,
            "name": _STRING,
            "email": _STRING,
            "organisation": _STRING,
            "ticket_type": _STRING,
            "price_cents": _INT,
        },
    },
    "Order": {
        "type": "object",
        "required": ["code", "state", "total_cents", "currency", "attendees"],
        "properties": {
            "code": _STRING,
            "state": {"type": "string", "enum": ["reserved", "paid", "expired", "cancelled", "refunded"]},
            "email": _STRING,
            "buyer_name": _STRING,
            "total_cents": _INT,
            "refunded_cents": _INT,
            "currency": _STRING,
            "payment_method": _STRING,
            "payment_reference": _NULLABLE_STRING,
            "created_at": _TIME,
            "expires_at": _TIME,
            "paid_at": _TIME,
            "cancelled_at": _TIME,
            "refunded_at": _TIME,
            "attendees": {"type": "array", "items": _ref("Attendee")},
        },
    },
    "OrderList": _list_of("Order"),
}

PATHS = {
    "/api/v1/{slug}/proposals": {
        "get": _operation(
            "listTalks",
            "The programme's talks (accepted and confirmed proposals), public fields only.",
            "schedule:read",
            _ref("TalkList"),
            parameters=(_PAGE, _PER_PAGE),
        )
    },
    "/api/v1/{slug}/schedule": {
        "get": _operation(
            "getSchedule",
            "The published schedule (its newest version).",
            "schedule:read",
            _ref("Schedule"),
            extra={"404": _error("No schedule published yet (`not_published`).")},
        )
    },
    "/api/v1/{slug}/orders": {
        "get": _operation(
            "listOrders",
            "The edition's orders with their attendees (organizer data).",
            "orders:read",
            _ref("OrderList"),
            parameters=(
                _PAGE,
                _PER_PAGE,
                {
                    "name": "state",
                    "in": "query",
                    "description": "Only orders in this state.",
                    "schema": {"type": "string", "enum": ["reserved", "paid", "expired", "cancelled", "refunded"]},
                },
            ),
            extra={"400": _error("An unknown `state` (`invalid_state`).")},
        )
    },
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "getOpenApi",
            "summary": "This description.",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
}


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": API_TITLE,
            "version": VERSION,
            "description": "Read-only JSON for machines. Each edition's organizers create API tokens "
            "(one scope each) on their token page or with `flask tokens create`; send one "
            "as `Authorization: Bearer <token>`. Proposals and the schedule need "
            "`schedule:read`, orders `orders:read`.",
        },
        "servers": [{"url": current_app.config["BASE_URL"]}],
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An edition's API token (`cvt_...`).",
                }
            },
            "schemas": SCHEMAS,
        },
        "security": [{"bearerToken": []}],
        "paths": PATHS,
    }
