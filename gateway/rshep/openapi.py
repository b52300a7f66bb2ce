"""The АРМ API described in OpenAPI 3.1, served at /arm/openapi.json.

The request-body schemas here are the ones the API validates with (jsonschema, draft 2020-12),
so the description cannot drift from what the server accepts. Paths are relative to the mount
point (``servers: [{url: /arm}]``).
"""

from __future__ import annotations

import functools

from egov_sim.core.openapi import BodySchemas, error_responses, error_schema, json_body, json_content, nullable, ref
from egov_sim.core.openapi import document as build_document

from .chain import STATES
from .staff import ROLES

DOCUMENT_URI = "urn:egov-sim:arm:openapi"

_STR = {"type": "string"}
_IIN = {"type": "string", "pattern": "^[0-9]{12}$"}
_TIME = {"type": "string", "format": "date-time"}
_DATE = {"type": "string", "format": "date"}
_nullable = nullable


# --- request bodies (validated) -------------------------------------------------------------------

LOGIN = {
    "type": "object", "additionalProperties": False, "required": ["login", "password"],
    "properties": {"login": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 1}},
}
INTAKE = {
    "type": "object", "additionalProperties": False, "required": ["serviceCode", "applicant"],
    "properties": {
        "serviceCode": {"type": "string", "minLength": 1},
        "applicant": {"type": "object", "additionalProperties": False, "required": ["iin", "surname", "name"],
                      "properties": {"iin": _IIN, "surname": {"type": "string", "minLength": 1},
                                     "name": {"type": "string", "minLength": 1}, "patronymic": _STR}},
        "form": {"type": "object", "additionalProperties": {"type": "string"}},
        "documents": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "handedInAt": {"type": "string", "description": "when the recipient handed the package in "
                       "(ISO date-time with offset, within 10 days before now; default now): the "
                       "terms count from it (002 §5.1, 000 §5.3)"},
    },
}
EMPTY = {"type": "object", "additionalProperties": False, "properties": {}}
ASSIGN = {
    "type": "object", "additionalProperties": False, "required": ["executor"],
    "properties": {"executor": {"type": "string", "minLength": 1, "description": "the executor's login"}},
}
EXTEND = {
    "type": "object", "additionalProperties": False, "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1},
                   "missingDocuments": {"type": "array", "items": {"type": "string"}}},
}
DRAFT = {
    "type": "object", "additionalProperties": False, "required": ["documentsConform"],
    "description": "Condition K06: documentsConform=true drafts a decision, false a reasoned refusal.",
    "properties": {
        "documentsConform": {"type": "boolean"},
        "decisionText": {"type": "string", "minLength": 1},
        "amount": {"type": "number", "minimum": 0},
        "reasonCode": {"type": "string", "minLength": 1},
        "reasonText": {"type": "string", "minLength": 1},
        "violations": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["description"],
            "properties": {"documentTypeCode": _STR, "description": {"type": "string", "minLength": 1}}}},
    },
    "if": {"properties": {"documentsConform": {"const": False}}},
    "then": {"required": ["reasonText"]},
}

# --- responses ------------------------------------------------------------------------------------

_SCHEMAS = {
    "Error": error_schema(
        requiredRole={"type": "string", "enum": list(ROLES), "description": "403"},
        requiredProvider={"type": "string", "description": "403"},
        requiredExecutor={"type": "string", "description": "403"},
        expectedState={"type": "array", "items": {"type": "string", "enum": list(STATES)},
                       "description": "409"},
        currentState={"type": "string", "enum": list(STATES)},
        action=_STR),
    "LoginRequest": LOGIN, "IntakeRequest": INTAKE, "EmptyBody": EMPTY, "AssignRequest": ASSIGN,
    "ExtendRequest": EXTEND, "DraftRequest": DRAFT,
    "Account": {"type": "object", "properties": {
        "login": _STR, "roles": {"type": "array", "items": {"type": "string", "enum": list(ROLES)}},
        "provider": _STR, "providerName": _STR, "fullName": _STR, "iin": _IIN, "position": _STR,
        "inboxes": {"type": "array", "items": _STR}}},
    "Session": {"type": "object", "properties": {"token": _STR, "expiresAt": _TIME,
                                                  "account": {"$ref": "#/components/schemas/Account"}}},
    "Request": {"type": "object", "properties": {
        "id": {"type": "integer"}, "provider": _STR, "providerName": _STR, "serviceCode": _STR,
        "serviceName": _STR, "seed": _STR,
        "channel": {"type": "string", "enum": ["CON", "PORTAL", "OFFICE", "AKIM"]},
        "origin": _nullable(_STR), "routeId": _nullable(_STR), "shepMessageId": _nullable(_STR),
        "requestId": _STR, "applicant": {"type": "object", "properties": {"iin": _IIN, "name": _STR}},
        "receivedAt": _TIME, "state": {"type": "string", "enum": list(STATES)},
        "registrationNumber": _nullable(_STR), "registeredAt": _nullable(_TIME), "dueDate": _nullable(_DATE),
        "dueAt": _nullable(_TIME), "term": _nullable({"$ref": "#/components/schemas/TermDue"}),
        "terms": {"type": "array", "items": {"$ref": "#/components/schemas/TermDue"}},
        "termExtended": {"type": "boolean"},
        "executor": _nullable(_STR), "draft": _nullable({"type": "object"}),
        "journalNumber": _nullable(_STR), "journalAt": _nullable(_TIME), "signedBy": _nullable(_STR),
        "completedAt": _nullable(_TIME), "resultAvailable": {"type": "boolean"},
        "checks": {"type": "object", "description": "signature verdict (K05 / K08-K10) and warnings"},
        "nextActions": {"type": "array", "items": _STR}}},
    "TermDue": {"type": "object", "description": "a term of the regulation (egov_sim/reference/terms.py) "
                "and when it is due for this request", "properties": {
        "term": _STR, "basis": {"type": "string", "enum": ["stated", "sum"]}, "allowed": _STR,
        "source": _STR, "text": _STR, "dueAt": _TIME, "dueDate": _DATE,
        "result": {"type": "boolean", "description": "the result's term: the one dueDate is"}}},
    "RequestList": {"type": "object", "properties": {
        "requests": {"type": "array", "items": {"$ref": "#/components/schemas/Request"}}}},
    "Delivery": {"type": "object", "properties": {
        "outboxId": {"type": "integer"}, "kind": {"type": "string", "enum": ["NOTIFICATION", "RESPONSE"]},
        "status": _STR, "state": {"type": "string", "enum": ["pending", "sending", "sent", "failed", "no_route"]},
        "error": _nullable(_STR), "serviceId": _nullable(_STR), "attempts": {"type": "integer"},
        "shepMessageId": _nullable(_STR)}},
    "ActionResult": {"type": "object", "properties": {
        "request": {"$ref": "#/components/schemas/Request"},
        "deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}},
    "History": {"type": "object", "properties": {
        "requestId": {"type": "integer"}, "dueDate": _nullable(_DATE), "entries": {"type": "array", "items": {
            "type": "object", "properties": {
                "action": _STR, "actor": _STR, "role": _STR, "at": _TIME, "fromState": _nullable(_STR),
                "toState": _STR, "elapsedSeconds": _nullable({"type": "number"}), "norm": _nullable(_STR),
                "source": _nullable(_STR), "detail": {"type": "object"}}}}}},
    "Outbox": {"type": "object", "properties": {
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}}}},
    "Catalogue": {"type": "object", "properties": {
        "services": {"type": "array", "items": {"type": "object"}},
        "providers": {"type": "array", "items": {"type": "object"}},
        "routes": {"type": "object", "additionalProperties": _STR}}},
}


def _json(schema: dict) -> dict:
    return json_content(schema)


_ref = ref


def _errors(*codes: int) -> dict:
    return error_responses(
        *codes, s403="the role (or executor) required for this action is named (WRONG_ROLE)",
        s404="not in your inbox", s409="the request is not in the state this action needs; the "
                                       "expected state is named (WRONG_STATE)",
        s422="the body breaks the schema (INVALID_BODY) or a rule (INVALID_INPUT); field names it")


_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"},
        "description": "the inbox id (Acknowledgement/inboxId)"}]
_SECURE: list[dict[str, list[str]]] = [{"bearer": []}]


def _action(op: str, summary: str, body: str, role: str, *extra: int) -> dict:
    return {"post": {
        "operationId": op, "summary": summary, "tags": ["chain"], "security": _SECURE, "parameters": _ID,
        "description": f"Role: {role}.",
        "requestBody": json_body(_ref(body), required=False),
        "responses": {"200": {"description": "done; messages to the origin were sent through ШЭП",
                              **_json(_ref("ActionResult"))},
                      **_errors(400, 401, 403, 404, 409, 413, 415, 422, *extra)}}}


PATHS = {
    "/openapi.json": {"get": {"operationId": "openapi", "summary": "This description", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3.1", **_json({"type": "object"})}}}},
    "/catalogue": {"get": {"operationId": "catalogue", "summary": "The service catalogue (services, providers, routes)",
                           "security": [], "responses": {"200": {"description": "catalogue",
                                                                 **_json(_ref("Catalogue"))}}}},
    "/session": {
        "post": {"operationId": "login", "summary": "Sign in (realm arm)", "security": [],
                 "requestBody": json_body(_ref("LoginRequest")),
                 "responses": {"200": {"description": "a bearer token", **_json(_ref("Session"))},
                               **_errors(400, 401, 413, 415, 422, 429)}},
        "delete": {"operationId": "logout", "summary": "Sign out", "security": _SECURE,
                   "responses": {"204": {"description": "signed out"}, **_errors(401)}}},
    "/me": {"get": {"operationId": "me", "summary": "The signed-in staff member", "security": _SECURE,
                    "responses": {"200": {"description": "account", **_json(_ref("Account"))}, **_errors(401)}}},
    "/requests": {
        "get": {"operationId": "listRequests", "summary": "The inbox of your provider", "security": _SECURE,
                "parameters": [{"name": "state", "in": "query", "required": False,
                                "schema": {"type": "string", "enum": list(STATES)}},
                               {"name": "limit", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                               {"name": "offset", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 0, "maximum": 2 ** 63 - 1}}],
                "responses": {"200": {"description": "requests", **_json(_ref("RequestList"))}, **_errors(400, 401)}},
        "post": {"operationId": "intake", "summary": "Accept and register an application handed in at the office",
                 "description": "Role: clerk. Office channel (002 §4, §5.1) or rural akim (000 §1.2, §5.1).",
                 "tags": ["chain"], "security": _SECURE, "requestBody": json_body(_ref("IntakeRequest")),
                 "responses": {"201": {"description": "registered", **_json(_ref("ActionResult"))},
                               **_errors(400, 401, 403, 413, 415, 422)}}},
    "/requests/{id}": {"get": {"operationId": "getRequest", "summary": "One request", "security": _SECURE,
                               "parameters": _ID, "responses": {"200": {"description": "request", **_json(_ref("Request"))},
                                                                **_errors(401, 404)}}},
    "/requests/{id}/history": {"get": {
        "operationId": "history", "summary": "Every action with its actor, time and the regulation's term",
        "security": _SECURE, "parameters": _ID,
        "responses": {"200": {"description": "history", **_json(_ref("History"))}, **_errors(401, 404)}}},
    "/requests/{id}/result": {"get": {
        "operationId": "result", "summary": "The signed ServiceResult (rs:ServiceResult, enveloped EDS)",
        "security": _SECURE, "parameters": _ID,
        "responses": {"200": {"description": "the signed document",
                              "content": {"application/xml": {"schema": {"type": "string"}}}},
                      **_errors(401, 404)}}},
    "/requests/{id}/outbox": {"get": {
        "operationId": "outbox", "summary": "Messages to the origin and their delivery through ШЭП",
        "security": _SECURE, "parameters": _ID,
        "responses": {"200": {"description": "outbox", **_json(_ref("Outbox"))}, **_errors(401, 404)}}},
    "/requests/{id}/deliver": {"post": {
        "operationId": "deliver", "summary": "Retry the undelivered messages of the request", "tags": ["outbox"],
        "security": _SECURE, "parameters": _ID,
        "requestBody": json_body(_ref("EmptyBody"), required=False),
        "responses": {"200": {"description": "what was sent", **_json(_ref("ActionResult"))},
                      **_errors(400, 401, 404, 413, 415, 422)}}},
    "/requests/{id}/register": _action("register", "A1 / S1: register (journal number), send to the head",
                                       "EmptyBody", "clerk"),
    "/requests/{id}/assign": _action("assign", "A2 / S2: appoint the responsible executor", "AssignRequest",
                                     "head (at a rural akim's office: the akim)"),
    "/requests/{id}/review": _action("review", "A3 begins: the executor takes the request into work", "EmptyBody",
                                     "assigned executor"),
    "/requests/{id}/extend": _action("extend", "000 §5.3 (K15): documents insufficient — extend the term",
                                     "ExtendRequest", "assigned executor"),
    "/requests/{id}/draft": _action("draft", "A3 / S3-S4: check the documents (K06) and draft the result",
                                    "DraftRequest", "assigned executor"),
    "/requests/{id}/sign": _action("sign", "A4 / S5: sign the result with the head's EDS (K13)", "EmptyBody",
                                   "head (for a rural akim: the head of the district akimat)"),
    "/requests/{id}/issue": _action("issue", "A5 / S6: register in the accounting journal, issue / send",
                                    "EmptyBody", "assigned executor"),
}

def openapi_document(server_url: str = "/arm") -> dict:
    return build_document(
        title="egov-sim АРМ РШЭП (provider workstation)",
        description="SYNTHETIC: the workstation of a state-service provider on the regional "
                    "e-government gateway РШЭП (ӨЭҮШ АЖО). See docs/rshep.md.",
        server_url=server_url, paths=PATHS, schemas=_SCHEMAS)


@functools.cache
def body_schemas() -> BodySchemas:
    """The validators of the request bodies: the document's own component schemas."""
    return BodySchemas(openapi_document(), DOCUMENT_URI)
