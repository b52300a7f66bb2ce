"""The OpenAPI 3.1 description of the ИИС ЦОН АРМ API, and the validators of its request bodies.

One document serves two purposes so they cannot drift apart: it is published at
``/con/openapi.json``, and the request bodies are validated against its own component schemas
(OpenAPI 3.1 schemas are JSON Schema 2020-12) with ``jsonschema``. A test checks that every
route of the API is described here.
"""

from __future__ import annotations

import functools
from typing import Any

from egov_sim.core.openapi import BodySchemas, error_schema, json_content, ref
from egov_sim.core.openapi import document as openapi_document

SCHEMA_URI = "urn:egov-sim:con:openapi"

_STR = {"type": "string"}
_NAME = {"type": "string", "maxLength": 100}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_STR = {"type": ["string", "null"]}
_ref = ref


def _obj(properties: dict, required: tuple[str, ...] = (), *, closed: bool = True, **extra) -> dict:
    out = {"type": "object", "properties": properties, **extra}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    return out


SCHEMAS: dict = {
    "Error": error_schema(),
    "LoginRequest": _obj({
        "login": {"type": "string", "minLength": 1, "maxLength": 100},
        "password": {"type": "string", "minLength": 1, "maxLength": 200}}, ("login", "password")),
    "Operator": _obj({"login": _STR, "office": _STR, "officeName": _NULLABLE_STR, "iin": _STR,
                      "fullName": _STR}, closed=False),
    "Session": _obj({"token": {"type": "string", "description": "Bearer token."},
                     "expiresAt": _TIME, "operator": _ref("Operator")}, closed=False),
    "Service": _obj({
        "code": {"type": "string", "description": "ШЭП serviceId (SYNTHETIC)."},
        "seed": _STR, "nameRu": _STR, "nameKz": _STR, "routeId": _STR, "resultKind": _STR,
        "terms": {"type": "array", "description": "the result's term on this channel, from the "
                  "regulation's term model (egov_sim/reference/terms.py)", "items": _obj({
                      "office": _STR, "channel": _STR, "term": _STR, "basis": _STR, "allowed": _STR,
                      "source": _STR}, closed=False)},
        "providers": {"type": "array", "items": _obj({
            "code": _STR, "nameRu": _STR, "nameKz": _STR, "bin": _STR, "region": _STR},
            closed=False)},
        "documents": {"type": "array", "items": _obj({
            "code": _STR, "nameRu": _STR, "nameKz": _STR, "required": {"type": "boolean"}},
            closed=False)},
        "form": {"type": "array", "items": _obj({
            "name": _STR, "labelRu": _STR, "labelKz": _STR, "type": _STR,
            "required": {"type": "boolean"}, "choices": {"type": "array", "items": _STR}},
            closed=False)}}, closed=False),
    "ServiceList": _obj({"items": {"type": "array", "items": _ref("Service")}}, closed=False),
    "Applicant": _obj({
        "iin": {"type": "string", "minLength": 1, "maxLength": 32,
                "description": "As told by the recipient. Not pattern-checked here: an invalid "
                               "IIN is a regulatory outcome (process 4), not a malformed call."},
        "surname": _NAME, "name": _NAME, "patronymic": _NAME,
        "phone": {"type": "string", "maxLength": 32},
        "email": {"type": "string", "maxLength": 200}}, ("iin",)),
    "Representative": _obj({
        "iin": {"type": "string", "minLength": 1, "maxLength": 32},
        "poaNumber": {"type": "string", "minLength": 1, "maxLength": 64,
                      "description": "Number of the notarised power of attorney (ЕНИС)."},
        "surname": _NAME, "name": _NAME, "patronymic": _NAME}, ("iin", "poaNumber")),
    "Document": _obj({
        "documentTypeCode": {"type": "string", "minLength": 1, "maxLength": 64,
                             "description": "One of the service's documents (GET /services)."},
        "title": {"type": "string", "maxLength": 200},
        "fileName": {"type": "string", "minLength": 1, "maxLength": 200},
        "mediaType": {"type": "string", "maxLength": 100,
                      "pattern": r"^[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+$"},
        "content": {"type": "string", "contentEncoding": "base64", "maxLength": 4_500_000,
                    "description": "The scan, base64. All documents together: at most 3 MiB."}},
        ("documentTypeCode", "fileName", "mediaType", "content")),
    "ApplicationRequest": _obj({
        "serviceCode": {"type": "string", "minLength": 1, "maxLength": 100},
        "providerCode": {"type": "string", "minLength": 1, "maxLength": 100,
                         "description": "Required when the service has several providers."},
        "applicant": _ref("Applicant"),
        "representative": _ref("Representative"),
        "form": {"type": "object", "maxProperties": 50,
                 "additionalProperties": {"type": ["string", "number"]}},
        "documents": {"type": "array", "maxItems": 30, "items": _ref("Document")}},
        ("serviceCode", "applicant")),
    "IssueRequest": _obj({
        "receivedBy": {"enum": ["applicant", "representative"]},
        "note": {"type": "string", "maxLength": 500}}, ("receivedBy",)),
    "HistoryEntry": _obj({"at": _TIME, "step": {"type": "string",
                                                "description": "Node of regulations-kz.md 4.3."},
                          "event": _STR, "message": _STR, "detail": {"type": "object"}},
                         closed=False),
    "NoticeRef": _obj({"kind": _STR, "number": _STR, "issuedAt": _TIME, "href": _STR},
                      closed=False),
    "Notice": _obj({"kind": {"enum": ["intake-refusal-receipt", "data-unavailable",
                                      "acceptance-receipt"]},
                    "number": _STR, "issuedAt": _TIME, "step": _STR,
                    "check": _NULLABLE_STR, "titleRu": _STR, "titleKz": _STR,
                    "textRu": _STR, "textKz": _STR, "details": {"type": "object"}},
                   closed=False),
    "Result": _obj({"outcome": {"enum": ["decision", "refusal"]},
                    "decision": {"type": "object"}, "refusal": {"type": "object"},
                    "registration": {"type": ["object", "null"]},
                    "journal": {"type": ["object", "null"]}, "signer": {"type": "object"},
                    "resultDate": _NULLABLE_STR, "resultDocument": {"type": "object"},
                    "signature": {"type": ["object", "null"]}, "receivedAt": _TIME,
                    "issued": {"type": ["object", "null"]}}, closed=False),
    "Application": _obj({
        "id": {"type": "string", "description": "Application number, the ServiceRequest requestId."},
        "status": {"enum": ["REFUSED_AT_INTAKE", "DATA_UNAVAILABLE", "ACCEPTED", "SENT",
                            "AT_PROVIDER", "RESULT_READY", "ISSUED"]},
        "office": _STR, "operator": _STR, "service": {"type": "object"},
        "provider": {"type": "object"}, "providerStatus": _NULLABLE_STR,
        "applicant": {"type": "object"}, "representative": {"type": ["object", "null"]},
        "form": {"type": "object"}, "documents": {"type": "array"},
        "completeness": {"type": ["object", "null"]},
        "registryChecks": {"type": "array"}, "shep": {"type": ["object", "null"]},
        "registration": {"type": ["object", "null"]}, "resultDueDate": _NULLABLE_STR,
        "result": {"type": ["object", "null"]}, "issued": {"type": ["object", "null"]},
        "notices": {"type": "array", "items": _ref("NoticeRef")},
        "links": {"type": "object"},
        "history": {"type": "array", "items": _ref("HistoryEntry")},
        "sendError": {"type": "object", "description": "Only in the answer of a send that "
                                                       "failed; the application stays ACCEPTED."},
        "createdAt": _TIME, "updatedAt": _TIME}, closed=False),
    "ApplicationList": _obj({"items": {"type": "array", "items": _ref("Application")},
                             "total": {"type": "integer"}, "limit": {"type": "integer"},
                             "offset": {"type": "integer"}}, closed=False),
}


def _error_response(description: str) -> dict:
    return json_content(_ref("Error"), description)


def _json(name: str, description: str) -> dict:
    return json_content(_ref(name), description)


def _body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


_AUTH_ERRORS = {"401": _error_response("No valid session (missing, unknown or expired token).")}
_NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "string"},
           "description": "Application number (CON-YYYY-NNNNNNN). Another office's number is 404."}
_NOT_FOUND = {"404": _error_response("No such application in the operator's office.")}
_XML = {"application/xml": {"schema": {"type": "string"}}}


def _op(summary: str, responses: dict, *, description: str | None = None, body: str | None = None,
        params: list | None = None, public: bool = False, tag: str = "applications") -> dict:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if description:
        op["description"] = description
    if body:
        op["requestBody"] = _body(body)
        op["responses"] = {
            "400": _error_response("The body is not JSON (BAD_JSON)."),
            "413": _error_response("The body is over the size cap (BODY_TOO_LARGE)."),
            "415": _error_response("The body is not application/json (UNSUPPORTED_MEDIA_TYPE)."),
            "422": _error_response("The body breaks the schema (INVALID_BODY: field, details)."),
            **responses}
    if params:
        op["parameters"] = params
    if public:
        op["security"] = []
    else:
        op["responses"] = {**op["responses"], **_AUTH_ERRORS}
    return op


PATHS: dict = {
    "/openapi.json": {"get": _op("This document", {"200": {"description": "OpenAPI 3.1"}},
                                 public=True, tag="meta")},
    "/session": {
        "post": _op("Process 1 (K02): operator login", {
            "200": _json("Session", "Signed in; use the token as a Bearer token."),
            "401": _error_response("Wrong login or password (AUTH_FAILED)."),
            "429": _error_response("Too many failed sign-ins (AUTH_THROTTLED).")},
            body="LoginRequest", public=True, tag="session"),
        "get": _op("The signed-in operator", {"200": _json("Operator", "The operator.")},
                   tag="session"),
        "delete": _op("Log out", {"204": {"description": "The session is closed."}}, tag="session"),
    },
    "/services": {"get": _op("Process 2: services rendered through the State Corporation",
                             {"200": _json("ServiceList", "services_for('con') of the catalogue.")},
                             tag="services")},
    "/services/{code}": {"get": _op(
        "One service: providers, documents (con channel), request form",
        {"200": _json("Service", "The service."),
         "404": _error_response("Unknown service, or not rendered through the State Corporation.")},
        params=[{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
        tag="services")},
    "/applications": {
        "get": _op("The office's applications, newest first", {
            "200": _json("ApplicationList", "A page of applications."),
            "400": _error_response("An unknown query parameter or a bad value (BAD_PARAMETER).")},
            params=[{"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                "maximum": 200}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 10 ** 9}}]),
        "post": _op("Processes C0-P5: accept an application and send it to АРМ РШЭП", {
            "201": _json("Application", "The application as it ended: REFUSED_AT_INTAKE (receipt "
                                        "of refusal, K01), DATA_UNAVAILABLE (process 4 notice), "
                                        "SENT, or ACCEPTED with sendError."),
            "422": _error_response("The body breaks the schema (INVALID_BODY), or the entry breaks "
                                   "the request form's rules (UNKNOWN_SERVICE, "
                                   "SERVICE_NOT_OFFERED, PROVIDER_REQUIRED, UNKNOWN_PROVIDER, "
                                   "UNKNOWN_DOCUMENT_TYPE, FORM_INVALID, BAD_BASE64, "
                                   "DOCUMENTS_TOO_LARGE); no application is created.")},
            body="ApplicationRequest"),
    },
    "/applications/{number}": {"get": _op("An application with its history", {
        "200": _json("Application", "The application."), **_NOT_FOUND}, params=[_NUMBER])},
    "/applications/{number}/send": {"post": _op(
        "Process 5 again: resend an ACCEPTED application whose send failed", {
            "200": _json("Application", "Sent (SENT) or failed again (ACCEPTED, sendError)."),
            "409": _error_response("The application is not ACCEPTED (WRONG_STATUS)."), **_NOT_FOUND},
        params=[_NUMBER])},
    "/applications/{number}/issue": {"post": _op(
        "Process 8: the result (decision or reasoned refusal) handed to the recipient", {
            "200": _json("Application", "ISSUED."),
            "409": _error_response("No result to issue (WRONG_STATUS)."),
            "422": _error_response("The body breaks the schema (INVALID_BODY), or "
                                   "receivedBy=representative without a representative "
                                   "(NO_REPRESENTATIVE)."),
            **_NOT_FOUND}, body="IssueRequest", params=[_NUMBER])},
    "/applications/{number}/notices/{kind}": {"get": _op(
        "A notice or receipt: JSON, or the printable text with ?format=text", {
            "200": {"description": "The notice.", "content": {
                "application/json": {"schema": _ref("Notice")},
                "text/plain": {"schema": {"type": "string"}}}},
            "400": _error_response("format is neither json nor text (BAD_PARAMETER)."),
            "404": _error_response("No such application, or no such notice for it.")},
        params=[_NUMBER, {"name": "kind", "in": "path", "required": True,
                          "schema": {"enum": ["intake-refusal-receipt", "data-unavailable",
                                              "acceptance-receipt"]}},
                {"name": "format", "in": "query", "schema": {"enum": ["json", "text"]}}])},
    "/applications/{number}/package": {"get": _op(
        "The signed ServiceRequest sent to АРМ РШЭП (K05), as the document that was signed",
        {"200": {"description": "Signed XML.", "content": _XML},
         "404": _error_response("No such application, or no package (not accepted).")},
        params=[_NUMBER])},
    "/applications/{number}/result": {"get": _op(
        "The result received from АРМ РШЭП: decision or reasoned refusal", {
            "200": _json("Result", "The result and its signature check."),
            "404": _error_response("No such application, or no result yet.")}, params=[_NUMBER])},
    "/applications/{number}/result.xml": {"get": _op(
        "The signed result document (ServiceResult), verifiable with `egov-sim verify`",
        {"200": {"description": "Signed XML.", "content": _XML},
         "404": _error_response("No such application, or no result yet.")}, params=[_NUMBER])},
    "/applications/{number}/result/document": {"get": _op(
        "The result's own e-document (resultDocument), decoded, with its media type",
        {"200": {"description": "The file.", "content": {"*/*": {"schema": {"type": "string",
                                                                             "format": "binary"}}}},
         "404": _error_response("No such application, or the result has no document.")},
        params=[_NUMBER])},
}


def document(server_url: str = "/con") -> dict:
    """The OpenAPI 3.1 document (a fresh copy)."""
    return openapi_document(
        title="egov-sim ИИС ЦОН АРМ (State Corporation operator workstation)",
        description="SYNTHETIC API of the simulated ИИС ЦОН operator workstation (seed 002 "
                    "§9-§10, State Corporation channel). See docs/con.md.",
        server_url=server_url, paths=PATHS, schemas=SCHEMAS,
        tags=("session", "services", "applications", "meta"))


@functools.cache
def body_schemas() -> BodySchemas:
    """The validators of the request bodies: the document's own component schemas."""
    return BodySchemas(document(), SCHEMA_URI)
