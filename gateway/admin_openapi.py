"""The OpenAPI 3.1 document of the admin API (``GET /admin/openapi.json``): the journal, fault
injection and stub states, plus what other systems mount beside them (``extra_paths``: the
ГБД ФЛ persons of adapters/gbd_fl/admin_api.py).

Like the portal's, ЦОН's and АРМ's documents it is what a client (or a fuzzer: schemathesis in
tests/security) reads to know every path, parameter and body; the admin guard applies to it
too (loopback, or the admin token).
"""

from __future__ import annotations

from typing import Any, Mapping

from egov_sim.core.openapi import error_responses, json_body, json_content, ref

_STRING = {"type": "string"}
_INT = {"type": "integer"}


def query(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path_param(name: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def op(summary: str, responses: dict, *, tag: str, params: list | None = None, body: dict | None = None) -> dict:
    out: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if params:
        out["parameters"] = params
    if body is not None:
        out["requestBody"] = body
    return out


_FILTERS = [query("serviceId", _STRING), query("senderId", _STRING), query("routeId", _STRING),
            query("status", _STRING, "a status code (SCSS001) or a fault's errorCode"),
            query("messageId", _STRING), query("text", _STRING, "contained in the request body"),
            query("since", _STRING, "ISO-8601 or an age: 30s, 15m, 2h, 1d"), query("until", _STRING)]

_FAULT_RULE = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "serviceId": _STRING, "senderId": _STRING,
        "latencyMs": {"type": "number", "minimum": 0}, "latencyMsMin": {"type": "number", "minimum": 0},
        "latencyMsMax": {"type": "number", "minimum": 0}, "faultCode": _STRING, "faultMessage": _STRING,
        "faultData": _STRING, "timeout": {"type": "boolean"}, "malformed": _STRING,
        "probability": {"type": "number", "minimum": 0, "maximum": 1}, "times": {"type": "integer", "minimum": 1},
    },
}


def paths() -> dict[str, Any]:
    """The gateway's own admin paths."""
    entry_list = json_content({"type": "object", "required": ["items", "limit", "offset", "total"]},
                              "entries, newest first, without bodies")
    return {
        "/journal": {
            "get": op("List exchanges", {"200": entry_list, **error_responses(400)}, tag="journal",
                      params=[*_FILTERS, query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}),
                              query("offset", {"type": "integer", "minimum": 0})]),
            "delete": op("Clear the journal", {"200": json_content({"type": "object"}, "how many were deleted")},
                         tag="journal"),
        },
        "/journal/export": {"get": op(
            "Export exchanges with bodies (JSON lines, oldest first)",
            {"200": {"description": "one exchange per line",
                     "content": {"application/x-ndjson": {"schema": _STRING}}}, **error_responses(400)},
            tag="journal", params=_FILTERS)},
        "/journal/check": {"get": op(
            "How many times a service was called (with an IIN)",
            {"200": json_content({"type": "object"}, "the count (and ok: true)"),
             "409": json_content({"type": "object"}, "another count than expected"), **error_responses(400)},
            tag="journal", params=[query("serviceId", _STRING), query("iin", _STRING), query("senderId", _STRING),
                                   query("since", _STRING), query("count", {"type": "integer", "minimum": 0})])},
        "/journal/{journal_id}": {"get": op(
            "One exchange with its bodies (secrets redacted)",
            {"200": json_content({"type": "object"}, "the exchange"), **error_responses(400, 404)},
            tag="journal", params=[path_param("journal_id", _INT),
                                   query("bodies", {"type": "string", "enum": ["true", "false"]})])},
        "/faults": {
            "get": op("The fault rules", {"200": json_content({"type": "object"}, "items")}, tag="faults"),
            "post": op("Add a fault rule", {"201": json_content({"type": "object"}, "the stored rule"),
                                            **error_responses(400, 413, 415, 422)},
                       tag="faults", body=json_body(_FAULT_RULE)),
            "delete": op("Remove every fault rule", {"200": json_content({"type": "object"}, "how many")},
                         tag="faults"),
        },
        "/faults/{rule_id}": {
            "get": op("One fault rule", {"200": json_content({"type": "object"}, "the rule"), **error_responses(404)},
                      tag="faults", params=[path_param("rule_id", _INT)]),
            "delete": op("Remove one fault rule", {"200": json_content({"type": "object"}, "removed"),
                                                   **error_responses(404)},
                         tag="faults", params=[path_param("rule_id", _INT)]),
        },
        "/stubs": {"get": op("The stub sets and their scenario states",
                             {"200": json_content({"type": "object"}, "stub sets")}, tag="stubs")},
        "/stubs/state": {"delete": op("Every scenario back to Started",
                                      {"200": json_content({"type": "object"}, "reset")}, tag="stubs")},
        "/stubs/reload": {"post": op("Re-read changed stub files now",
                                     {"200": json_content({"type": "object"}, "reloaded")}, tag="stubs")},
        "/stubs/{name}/state": {"delete": op(
            "One stub set's scenarios back to Started",
            {"200": json_content({"type": "object"}, "reset"), **error_responses(404)},
            tag="stubs", params=[path_param("name", _STRING)])},
        "/stubs/{name}/state/{scenario}": {"put": op(
            "Set one scenario's state",
            {"200": json_content({"type": "object"}, "the state"), **error_responses(400, 404, 413)},
            tag="stubs", params=[path_param("name", _STRING), path_param("scenario", _STRING)],
            body=json_body({"type": "object", "required": ["state"], "properties": {"state": _STRING}}))},
    }


def document(extra_paths: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "egov-sim admin API", "version": "1",
                 "description": "The ШЭП journal, fault injection, stub states and the ГБД ФЛ persons "
                                "(docs/journal.md, docs/faults.md, docs/stubs.md, docs/gbd_fl.md). Loopback "
                                "clients only, or every client with the admin token."},
        "servers": [{"url": "/admin"}],
        "paths": {**paths(), **(extra_paths or {})},
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"],
                                     "properties": {"code": _STRING, "message": _STRING}}}}}},
    }


__all__ = ["document", "op", "path_param", "query", "ref"]
