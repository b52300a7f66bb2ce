"""The 2012 ЦОН's API in OpenAPI 3.1 (served at /balkhash/con/openapi.json); the request-body
schemas are the ones the API validates with."""

from __future__ import annotations

import copy

from jsonschema import Draft202012Validator

from egov_sim.reference.balkhash_services import CATEGORIES, FLAGS

from .staff import ROLES
from .store import STATUSES

_S = {"type": "string"}
_NS = {"type": "string", "minLength": 1}
_OBJ = {"type": "object"}


def _o(props: dict, required: tuple = ()) -> dict:
    return {"type": "object", "additionalProperties": False, "required": list(required), "properties": props}


LOGIN = _o({"login": _NS, "password": _NS}, ("login", "password"))
TICKET = _o({"service": {"anyOf": [{"type": "integer"}, _S]},
             "purpose": {"type": "string", "enum": ["submit", "collect"]}}, ("service",))
CALL = _o({"purpose": {"type": "string", "enum": ["submit", "collect"]}})
APPLICATION = _o({
    "service": {"anyOf": [{"type": "integer"}, _S]}, "ticket": _S,
    "category": {"type": "string", "enum": list(CATEGORIES)}, "subtype": {"type": ["string", "null"]},
    "flags": {"type": "array", "items": {"type": "string", "enum": list(FLAGS)}, "uniqueItems": True},
    "applicant": _o({"iin": _S, "surname": _S, "name": _S, "patronymic": _S, "phone": _S}, ("iin", "surname", "name")),
    "representative": _o({"fullName": _NS, "iin": _S, "phone": _S, "poaNumber": _S}, ("fullName",)),
    "subjectIin": _S, "documents": {"type": "array", "items": _S}, "form": {"type": "object"},
}, ("service", "applicant", "documents"))
EMPTY = _o({})
TRANSFER = _o({"applications": {"type": "array", "items": _NS, "minItems": 1}}, ("applications",))
INFORM = _o({"method": {"type": "string", "enum": ["phone", "sms", "letter", "in_person"]}}, ("method",))
ISSUE = _o({"receiptNumber": _NS, "receivedBy": {"type": "string", "enum": ["applicant", "representative"]},
            "ticket": _S}, ("receiptNumber",))
RETURN_DOCS = _o({"receivedBy": {"type": "string", "enum": ["applicant", "representative"]}})

VALIDATORS = {name: Draft202012Validator(schema) for name, schema in {
    "login": LOGIN, "ticket": TICKET, "call": CALL, "application": APPLICATION, "empty": EMPTY, "transfer": TRANSFER,
    "inform": INFORM, "issue": ISSUE, "returnDocuments": RETURN_DOCS}.items()}


def problems(name: str, body) -> list[dict]:
    """Every way ``body`` breaks the schema ``name`` (``path``, ``message``)."""
    return sorted(({"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message[:300]}
                   for e in VALIDATORS[name].iter_errors(body)), key=lambda x: x["path"])


def first_error(name: str, body) -> tuple[str, str] | None:
    error = next(iter(sorted(VALIDATORS[name].iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return None
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    missing = None
    if error.validator == "required":
        missing = next((p for p in error.validator_value if p not in (error.instance or {})), None)
    elif error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        missing = extra[0] if extra else None
    if missing:
        path = f"{path}.{missing}" if path else missing
    return path or "(body)", error.message


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(method, op, summary, *, body=None, ok="200", secure=True, params=(), errors=(400, 401, 403, 404, 409, 422),
        description=""):
    texts = {400: "a parameter is unknown or malformed (BAD_PARAMETER), or the body is not JSON", 401: "not signed in", 403: "the role this needs (error.requiredRole)",
             404: "not found", 409: "wrong status, or the centre is closed (CENTRE_CLOSED)",
             422: "the body breaks the schema (INVALID_BODY: field, details), a field is refused, or the regulation "
                  "does not allow it (error.code, error.field)", 429: "too many failed sign-ins"}
    out = {"operationId": op, "summary": summary, "security": [{"bearer": []}] if secure else [],
           "parameters": list(params),
           "responses": {ok: {"description": "done", **_json(_OBJ)},
                         **{str(c): {"description": texts[c], **_json({"$ref": "#/components/schemas/Error"})}
                            for c in errors}}}
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = {"required": True, **_json(body)}
    return {method: out}


_N = [{"name": "number", "in": "path", "required": True, "schema": _S}]

PATHS = {
    "/openapi.json": _op("get", "openapi", "This description", secure=False, errors=()),
    "/services": _op("get", "services", "The services rendered through the centre, with their documents, terms, "
                     "schedules and queue norms", secure=False, errors=()),
    "/session": {**_op("post", "login", "Sign in (realm balkhash_con)", body=LOGIN, secure=False, errors=(400, 401, 429)),
                 **_op("get", "me", "Who is signed in", errors=(401,)),
                 **_op("delete", "logout", "Sign out", ok="204", errors=(401,))},
    "/queue": _op("get", "queue", "Today's electronic queue", errors=(401,)),
    "/queue/tickets": _op("post", "takeTicket", "The kiosk: a ticket of the electronic queue (no sign-in)",
                          body=TICKET, ok="201", secure=False, errors=(400, 409, 422),
                          description="The wait allowed is the service's norm (§9): N minutes × persons ahead, or "
                                      "a fixed maximum. 409 CENTRE_CLOSED outside the hours of the service."),
    "/queue/call": _op("post", "callNext", "Call the next ticket to your window", body=CALL),
    "/applications": {**_op("get", "applications", "Applications (?status=, service=, uncollected=true)",
                            errors=(400, 401)),
                      **_op("post", "submit", "Register an application (consultant) or accept it with the расписка "
                            "(inspector); an incomplete package gets the receipt of refusal", body=APPLICATION, ok="201")},
    "/applications/{number}": _op("get", "application", "One application with its history", params=_N, errors=(401, 404)),
    "/applications/{number}/accept": _op("post", "accept", "The inspector checks and gives the расписка", body=EMPTY,
                                         params=_N),
    "/applications/{number}/handover": _op("post", "handover", "Documents to the накопительный сектор", body=EMPTY,
                                           params=_N),
    "/applications/{number}/inform": _op("post", "inform", "Inform of a return or a refusal (1 wd)", body=INFORM,
                                         params=_N),
    "/applications/{number}/issue": _op("post", "issue", "Issue the result against the расписка", body=ISSUE, params=_N),
    "/applications/{number}/return-documents": _op("post", "returnDocuments", "Hand back a returned package",
                                                   body=RETURN_DOCS, params=_N),
    "/applications/{number}/papers": _op("get", "papers", "The расписка, receipts and results of an application",
                                         params=_N, errors=(401, 404)),
    "/papers/{number}": _op("get", "paper", "A paper as JSON", params=_N, errors=(401, 404)),
    "/papers/{number}/html": _op("get", "paperHtml", "A paper, printable", params=_N, errors=(401, 404)),
    "/papers/{number}/xml": _op("get", "paperXml", "A result's EDS-signed XML (electronic reading)", params=_N,
                                errors=(401, 404)),
    "/transfers": {**_op("get", "transfers", "Реестры in and out (?direction=, status=)", errors=(400, 401)),
                   **_op("post", "makeTransfer", "The накопительный сектор's реестр to the УО (sent through ШЭП)",
                         body=TRANSFER, ok="201")},
    "/transfers/{number}": _op("get", "transfer", "One реестр", params=_N, errors=(401, 404)),
    "/transfers/{number}/accept": _op("post", "acceptTransfer", "Accept the results of an incoming реестр",
                                      body=EMPTY, params=_N),
    "/transfers/{number}/send": _op("post", "sendTransfer", "Send an outgoing реестр again", body=EMPTY, params=_N),
}

SCHEMAS = {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": _S, "message": _S, "field": _S, "requiredRole": {"type": "string", "enum": list(ROLES)},
    "currentStatus": {"type": "string", "enum": list(STATUSES)}, "schedule": _OBJ}}}}}


def document(server_url: str = "/balkhash/con") -> dict:
    return {"openapi": "3.1.0",
            "info": {"title": "egov-sim: the 2012 ЦОН of Balkhash (seed 001)", "version": "1",
                     "description": "SYNTHETIC workstation of the 2012 public service centre. See docs/balkhash.md."},
            "servers": [{"url": server_url}], "paths": copy.deepcopy(PATHS),
            "components": {"schemas": copy.deepcopy(SCHEMAS),
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
