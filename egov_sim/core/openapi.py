"""The OpenAPI 3.1 documents of the JSON APIs, and the validation of request bodies against them.

Each API (portal, ЦОН, АРМ) describes itself with these helpers and validates its request
bodies with :class:`BodySchemas` against the ``components/schemas`` of that very document
(OpenAPI 3.1 schemas are JSON Schema 2020-12, checked with ``jsonschema``), so the published
description cannot drift from what the server accepts. A body that breaks its schema is a 422
``INVALID_BODY`` naming the first offending ``field`` and listing every problem in ``details``
(:mod:`egov_sim.core.json_api`).
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from egov_sim.core.json_api import ApiError

STATUS_TEXTS = {
    400: "the body is not JSON (BAD_JSON), or a parameter is unknown or malformed (BAD_PARAMETER)",
    401: "no valid session: missing, unknown or expired token (UNAUTHENTICATED)",
    403: "signed in, but not allowed to do this",
    404: "not found (another user's or office's is not found either)",
    405: "the path does not take this method (METHOD_NOT_ALLOWED; Allow lists those it takes)",
    409: "conflicts with the current state",
    413: "the body is over the size cap (BODY_TOO_LARGE)",
    415: "the body is not application/json (UNSUPPORTED_MEDIA_TYPE)",
    422: "the body breaks the schema (INVALID_BODY: field, details) or a rule refuses it",
    429: "too many failed sign-ins (AUTH_THROTTLED)",
    503: "the database or a system behind this one is unavailable",
}
"""What each error status means in every API (core/json_api.py has the full table)."""

QUIET_FIELDS = frozenset({"password", "content"})
"""Never echoed back in a validation message: a password, megabytes of a scan."""


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def json_content(schema: dict, description: str | None = None) -> dict:
    """A response (or, without description, a body's content) of ``application/json``."""
    out: dict[str, Any] = {"content": {"application/json": {"schema": schema}}}
    if description is not None:
        out = {"description": description, **out}
    return out


def xml_content(description: str) -> dict:
    return {"description": description,
            "content": {"application/xml": {"schema": {"type": "string"}}}}


def json_body(schema: dict, *, required: bool = True, description: str | None = None) -> dict:
    body: dict[str, Any] = {"required": required, **json_content(schema)}
    if description:
        body["description"] = description
    return body


def error_responses(*statuses: int, **texts: str) -> dict:
    """The error responses of an operation: ``error_responses(401, 404, s409="…")``; a text
    given as ``s<status>`` replaces the standard one."""
    out = {}
    for status in sorted({*statuses, *(int(k[1:]) for k in texts)}):
        text = texts.get(f"s{status}", STATUS_TEXTS.get(status, "error"))
        out[str(status)] = json_content(ref("Error"), text)
    return out


def error_schema(**members: dict) -> dict:
    """The ``Error`` component: the shared body, with the members an API adds described."""
    return {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable, machine-readable"},
                "message": {"type": "string", "description": "one line for a person"},
                "field": {"type": "string",
                          "description": "400/422: the offending field (dotted path)"},
                "details": {"type": "array", "items": {"type": "object"},
                            "description": "422 INVALID_BODY: every problem (path, message)"},
                **members,
            }}},
    }


def document(*, title: str, description: str, server_url: str, paths: dict, schemas: dict,
             tags: Iterable[str] = (), security: str = "bearer",
             security_description: str | None = None) -> dict:
    """An OpenAPI 3.1 document (a fresh copy of ``paths`` and ``schemas``)."""
    scheme: dict[str, Any] = {"type": "http", "scheme": "bearer"}
    if security_description:
        scheme["description"] = security_description
    out: dict[str, Any] = {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": title, "version": "1", "description": description},
        "servers": [{"url": server_url}],
        "security": [{security: []}],
    }
    if tags:
        out["tags"] = [{"name": t} for t in tags]
    out["paths"] = copy.deepcopy(paths)
    out["components"] = {"schemas": copy.deepcopy(schemas),
                         "securitySchemes": {security: scheme}}
    return out


def _field(error: ValidationError) -> str:
    """The dotted path of the field an error is about (the missing or extra one by name)."""
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    named = None
    if error.validator == "required" and isinstance(error.instance, dict):
        named = next((p for p in error.validator_value if p not in error.instance), None)
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        named = extra[0] if extra else None
    if named:
        path = f"{path}.{named}" if path else named
    return path or "(body)"


def _message(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    if parts and parts[-1] in QUIET_FIELDS:
        return f"fails the '{error.validator}' rule"
    return error.message[:300]


class BodySchemas:
    """The component schemas of an OpenAPI document as validators of request bodies."""

    def __init__(self, document: dict, uri: str):
        self.names = frozenset(document.get("components", {}).get("schemas", {}))
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self._registry: Registry = Registry().with_resource(uri, resource)
        self._uri = uri
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, name: str) -> Draft202012Validator:
        if name not in self.names:
            raise KeyError(name)
        if name not in self._validators:
            self._validators[name] = Draft202012Validator(
                {"$ref": f"{self._uri}#/components/schemas/{name}"}, registry=self._registry)
        return self._validators[name]

    def problems(self, name: str, body: Any) -> list[dict]:
        """Every way ``body`` breaks the schema ``name``: ``{"path", "message"}`` by path."""
        found = [{"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": _message(e)}
                 for e in self.validator(name).iter_errors(body)]
        return sorted(found, key=lambda p: p["path"])

    def check(self, name: str, body: Any) -> Any:
        """``body`` if it fits the schema ``name``; else 422 ``INVALID_BODY`` naming the first
        problem (``field``) and listing all of them (``details``)."""
        first = best_match(self.validator(name).iter_errors(body))
        if first is None:
            return body
        field = _field(first)
        message = ("a JSON body is required" if body is None
                   else f"{field}: {_message(first)}")
        raise ApiError(422, "INVALID_BODY", message, field=field, schema=name,
                       details=self.problems(name, body))
