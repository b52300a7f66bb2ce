"""The portal API's OpenAPI 3.1 description, and the validation of request bodies against it.

The document is the single source of the bodies' shapes: the API validates every JSON body with
jsonschema against ``components/schemas`` of this very document, so the description cannot
drift from what the server accepts. Paths are relative to where the portal is mounted
(``servers: [{url: "/portal"}]``).
"""

from __future__ import annotations

import functools
from typing import Any

from egov_sim.core.openapi import BodySchemas, error_responses, error_schema, json_content, ref
from egov_sim.core.openapi import document as openapi_document

from .notices import NOTICES
from .requests_store import STATUSES

DOCUMENT_URI = "urn:egov-sim:portal:openapi"

_IIN = {"type": "string", "pattern": "^[0-9]{12}$", "description": "ИИН (ЖСН), 12 digits"}
_REQUEST_ID = {"name": "requestId", "in": "path", "required": True,
               "schema": {"type": "string", "pattern": "^PRT-[0-9]{4}-[0-9]{7}$"},
               "example": "PRT-2024-0000001"}
_ref = ref


def _json(schema: dict, description: str) -> dict:
    return json_content(schema, description)


def _xml(description: str) -> dict:
    return {"description": description,
            "content": {"application/xml": {"schema": {"type": "string"}}}}


def _errors(*codes: int) -> dict:
    return error_responses(
        *codes, s401="not signed in, session expired, or the refusal of authorization (process 2)",
        s404="not found (or another user's)",
        s422="refused: the body names the notice, the check and the reason; or INVALID_BODY",
        s503="a system behind the portal is unavailable")


SCHEMAS: dict[str, Any] = {
    "Error": error_schema(
        notice=_ref("Notice"), requestId={"type": "string"},
        check={"type": "string", "description": "K07–K19 of regulations-kz.md §6"},
        step={"type": "string", "description": "node of the portal flow (4.4)"},
        reasonCode={"type": "string"}, detail={}),
    "Notice": {
        "type": "object", "required": ["code", "step", "kk", "ru"],
        "properties": {"code": {"enum": list(NOTICES)}, "step": {"type": "string"},
                       "checks": {"type": "array", "items": {"type": "string"}},
                       "source": {"type": "string"}, "basis": {"enum": ["text", "inferred"]},
                       "kk": {"type": "string"}, "ru": {"type": "string"}},
    },
    "Registration": {
        "type": "object", "additionalProperties": False, "required": ["iin", "password"],
        "properties": {"iin": {"type": "string", "maxLength": 32},
                       "password": {"type": "string", "minLength": 1, "maxLength": 256},
                       "surname": {"type": "string", "maxLength": 100},
                       "name": {"type": "string", "maxLength": 100},
                       "patronymic": {"type": "string", "maxLength": 100}},
        "description": "surname/name are used only when the portal does not consult ГБД ФЛ",
    },
    "Login": {
        "type": "object", "additionalProperties": False, "required": ["iin", "password"],
        "properties": {"iin": {"type": "string", "maxLength": 32},
                       "password": {"type": "string", "maxLength": 256}},
    },
    "User": {
        "type": "object", "required": ["iin", "surname", "name"],
        "properties": {"iin": _IIN, "surname": {"type": "string"}, "name": {"type": "string"},
                       "patronymic": {"type": ["string", "null"]},
                       "birthDate": {"type": ["string", "null"], "format": "date"}},
    },
    "Session": {
        "type": "object", "required": ["token", "expiresAt", "user"],
        "properties": {"token": {"type": "string"}, "tokenType": {"const": "Bearer"},
                       "expiresAt": {"type": "string", "format": "date-time"},
                       "user": _ref("User")},
    },
    "Attachment": {
        "type": "object", "additionalProperties": False,
        "required": ["documentCode", "fileName", "mediaType", "content"],
        "properties": {
            "documentCode": {"type": "string", "minLength": 1, "maxLength": 64,
                             "description": "a document code of the service (GET /services/{code})"},
            "title": {"type": "string", "maxLength": 300},
            "fileName": {"type": "string", "minLength": 1, "maxLength": 200},
            "mediaType": {"type": "string",
                          "pattern": "^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$"},
            "content": {"type": "string", "contentEncoding": "base64",
                        "description": "the file, base64"},
        },
    },
    "DraftInput": {
        "type": "object", "additionalProperties": False, "required": ["serviceCode", "form"],
        "properties": {
            "serviceCode": {"type": "string", "minLength": 1, "maxLength": 100},
            "providerCode": {"type": "string", "maxLength": 100,
                             "description": "office code; optional when the service has one"},
            "form": {"type": "object", "maxProperties": 100,
                     "additionalProperties": {"type": ["string", "number", "integer"]}},
            "attachments": {"type": "array", "maxItems": 30, "items": _ref("Attachment")},
        },
    },
    "Draft": {
        "type": "object", "required": ["requestId", "serviceCode", "providerCode", "xml"],
        "properties": {"requestId": {"type": "string"}, "serviceCode": {"type": "string"},
                       "providerCode": {"type": "string"},
                       "xml": {"type": "string", "description": "the unsigned rs:ServiceRequest"},
                       "sign": {"type": "string"}},
    },
    "SignedRequest": {
        "type": "object", "additionalProperties": False, "required": ["signedXml"],
        "properties": {"signedXml": {"type": "string", "minLength": 1,
                                     "description": "the draft's XML signed by the applicant "
                                                    "(NCALayer enveloped layout)"}},
    },
    "HistoryEntry": {
        "type": "object", "required": ["at", "status", "event", "message"],
        "properties": {"at": {"type": "string", "format": "date-time"},
                       "status": {"enum": list(STATUSES)}, "event": {"type": "string"},
                       "step": {"type": ["string", "null"]}, "check": {"type": ["string", "null"]},
                       "reasonCode": {"type": ["string", "null"]}, "message": {"type": "string"},
                       "notice": {"oneOf": [_ref("Notice"), {"type": "null"}]}, "detail": {}},
    },
    "Request": {
        "type": "object", "required": ["requestId", "serviceCode", "status", "createdAt"],
        "properties": {
            "requestId": {"type": "string"}, "serviceCode": {"type": "string"},
            "providerCode": {"type": "string"}, "routeId": {"type": "string"},
            "status": {"enum": list(STATUSES)}, "statusRu": {"type": "string"},
            "statusKk": {"type": "string"},
            "notice": {"oneOf": [_ref("Notice"), {"type": "null"}]},
            "createdAt": {"type": "string", "format": "date-time"},
            "updatedAt": {"type": "string", "format": "date-time"},
            "registration": {"type": ["object", "null"]},
            "resultDueDate": {"type": ["string", "null"]},
            "shepMessageId": {"type": ["string", "null"]}, "correlationId": {"type": ["string", "null"]},
            "deliveryAttempts": {"type": "integer"}, "signer": {},
            "resultAvailable": {"type": "boolean"},
            "history": {"type": "array", "items": _ref("HistoryEntry")},
        },
    },
    "RequestList": {"type": "object", "required": ["requests"],
                    "properties": {"requests": {"type": "array", "items": _ref("Request")}}},
    "ServiceSummary": {"type": "object", "required": ["code", "nameRu", "nameKk"],
                       "properties": {"code": {"type": "string"}, "seed": {"type": "string"},
                                      "nameRu": {"type": "string"}, "nameKk": {"type": "string"},
                                      "resultKind": {"type": "string"},
                                      "terms": {"type": "array", "items": {"type": "object"},
                                                "description": "the result's term (the regulation's "
                                                               "term model, docs/terms.md)"},
                                      "portalEligibility": {"type": ["object", "null"]}}},
    "ServiceDetail": {"allOf": [_ref("ServiceSummary"), {
        "type": "object", "required": ["form", "documents", "providers"],
        "properties": {"form": {"type": "array"}, "documents": {"type": "array"},
                       "providers": {"type": "array"}, "routeId": {"type": "string"},
                       "limits": {"type": "object"}}}]},
    "Result": {"type": "object", "required": ["requestId", "outcome", "summary"],
               "properties": {"requestId": {"type": "string"},
                              "outcome": {"enum": ["decision", "refusal"]},
                              "receivedAt": {"type": "string", "format": "date-time"},
                              "signer": {}, "summary": {"type": "object"},
                              "xml": {"type": "string"}}},
}

_AUTH: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _op(summary: str, responses: dict, *, tag: str, body: dict | None = None,
        params: list | None = None, auth: bool = True, description: str | None = None) -> dict:
    op: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if description:
        op["description"] = description
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = body
    op["security"] = _AUTH if auth else []
    return op


def _paths() -> dict:
    request_ref = _json(_ref("Request"), "the request with its status history")
    return {
        "/openapi.json": {"get": _op("This document", {"200": _json({"type": "object"}, "OpenAPI 3.1")},
                                     tag="meta", auth=False)},
        "/notices": {"get": _op("The notices the portal forms (kk/ru), by step",
                                {"200": _json({"type": "object"}, "notices by code")},
                                tag="meta", auth=False)},
        "/services": {"get": _op("Services offered on the portal (catalogue)",
                                 {"200": _json({"type": "object", "properties": {
                                     "services": {"type": "array", "items": _ref("ServiceSummary")}}},
                                     "services")}, tag="catalogue", auth=False)},
        "/services/{code}": {"get": _op(
            "A service's request form: fields, e-copies to attach, provider offices",
            {"200": _json(_ref("ServiceDetail"), "the form"), **_errors(404)},
            tag="catalogue", auth=False,
            params=[{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                     "example": "SIM_GUARDIAN_ALLOWANCE_PAVLODAR"}])},
        "/register": {"post": _op(
            "Register with IIN and password (002 §11.1); the IIN is looked up in ГБД ФЛ via ШЭП",
            {"201": _json(_ref("User"), "registered"), **_errors(400, 409, 413, 415, 422, 503)},
            tag="accounts", auth=False, body=_json(_ref("Registration"), "IIN and password"))},
        "/login": {"post": _op(
            "Authorization (process 1, condition 1 / K07)",
            {"200": _json(_ref("Session"), "a bearer token that expires"), **_errors(400, 401, 413, 415, 422, 429)},
            tag="accounts", auth=False, body=_json(_ref("Login"), "IIN and password"),
            description="A wrong IIN or password is refused with the notice of process 2 "
                        "(AUTH_REFUSED); repeated failures are throttled (429).")},
        "/logout": {"post": _op("End the session", {"204": {"description": "signed out"},
                                                    **_errors(401)}, tag="accounts")},
        "/me": {"get": _op("The signed-in user", {"200": _json(_ref("User"), "profile"),
                                                  **_errors(401)}, tag="accounts")},
        "/requests/draft": {"post": _op(
            "Process 3: the unsigned request document for a filled form",
            {"201": {"description": "the draft: JSON, or the XML itself with Accept: application/xml",
                     "content": {"application/json": {"schema": _ref("Draft")},
                                 "application/xml": {"schema": {"type": "string"}}}},
             **_errors(400, 401, 404, 413, 415, 422)},
            tag="requests", body=_json(_ref("DraftInput"), "service, provider, form fields, e-copies"),
            description="Refused with NOT_ELIGIBLE (K16, seed 000) or FORM_INCOMPLETE (K11). "
                        "Sign the returned XML with NCALayer, `egov-sim sign` or "
                        "signing.enveloped.sign_enveloped, then POST it to /requests.")},
        "/requests/draft/{requestId}": {"get": _op(
            "The unsigned document of a draft again", {"200": _xml("rs:ServiceRequest"),
                                                       **_errors(401, 404)},
            tag="requests", params=[_REQUEST_ID])},
        "/requests": {
            "get": _op("The personal cabinet: the user's requests",
                       {"200": _json(_ref("RequestList"), "newest first"), **_errors(401)},
                       tag="requests"),
            "post": _op(
                "Submit the signed request: condition 2 (K08, K09, K10), then process 5 (ШЭП)",
                {"201": request_ref, "200": _json(_ref("Request"), "the same document again: "
                                                  "the existing request"),
                 **_errors(400, 401, 404, 409, 413, 422)},
                tag="requests",
                body={"description": "the signed XML, raw or in JSON", "required": True,
                      "content": {"application/json": {"schema": _ref("SignedRequest")},
                                  "application/xml": {"schema": {"type": "string"}}}},
                description="The request is stored before any check. A refusal (422) names the "
                            "notice (EDS_NOT_CONFIRMED, FORM_INCOMPLETE, NOT_ELIGIBLE), the check "
                            "and the reason, and the request's history keeps them. A ШЭП fault "
                            "leaves the request 'not_delivered' (201; resend it).")},
        "/requests/{requestId}": {"get": _op(
            "One request with its status history", {"200": request_ref, **_errors(401, 404)},
            tag="requests", params=[_REQUEST_ID])},
        "/requests/{requestId}/signed": {"get": _op(
            "The signed request document as submitted", {"200": _xml("signed rs:ServiceRequest"),
                                                         **_errors(401, 404)},
            tag="requests", params=[_REQUEST_ID])},
        "/requests/{requestId}/result": {"get": _op(
            "The result e-document signed by the provider's authorised person (K13)",
            {"200": {"description": "the signed rs:ServiceResult (XML), or a JSON summary with "
                                    "Accept: application/json",
                     "content": {"application/xml": {"schema": {"type": "string"}},
                                 "application/json": {"schema": _ref("Result")}}},
             **_errors(401, 404)},
            tag="requests", params=[_REQUEST_ID],
            description="Verify it with `egov-sim verify result.xml`.")},
        "/requests/{requestId}/resend": {"post": _op(
            "Send a 'not_delivered' request through ШЭП again",
            {"200": request_ref, **_errors(401, 404, 409)}, tag="requests", params=[_REQUEST_ID])},
    }


@functools.lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    return openapi_document(
        title="egov-sim portal (egov.kz) and personal cabinet",
        description="SYNTHETIC API of the simulated e-government portal: registration, "
                    "authorization, service catalogue, EDS-signed requests sent through ШЭП to "
                    "РШЭП, and the personal cabinet. See docs/portal.md.",
        server_url="/portal", paths=_paths(), schemas=SCHEMAS, security="bearerAuth",
        security_description="token from POST /login; expires")


@functools.lru_cache(maxsize=1)
def body_schemas() -> BodySchemas:
    """The validators of the request bodies: this document's own component schemas."""
    return BodySchemas(document(), DOCUMENT_URI)
