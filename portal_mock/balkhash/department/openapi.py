"""The department's API in OpenAPI 3.1 (served at /balkhash/uo/openapi.json).

The request-body schemas here are the ones the API validates with (jsonschema, draft 2020-12),
so the description cannot drift from what the server accepts; the checks that need the
registers or the case (an IIN in ГБД ФЛ, a ground of the service) answer with the field too.
"""

from __future__ import annotations

import copy

from jsonschema import Draft202012Validator

from egov_sim.reference.balkhash_services import CATEGORIES, FLAGS

from .cases_store import STATES
from .chains import VERBS
from .staff import ROLES

_S = {"type": "string"}
_NS = {"type": "string", "minLength": 1}
_IIN = {"type": "string", "pattern": "^[0-9]{12}$"}
_DATE = {"type": "string", "format": "date"}
_OBJ = {"type": "object"}


def _o(props: dict, required: tuple = (), extra: bool = False) -> dict:
    return {"type": "object", "additionalProperties": extra, "required": list(required), "properties": props}


LOGIN = _o({"login": _NS, "password": _NS}, ("login", "password"))
INTAKE = _o({
    "service": {"anyOf": [{"type": "integer"}, _S]},
    "category": {"type": "string", "enum": list(CATEGORIES)},
    "subtype": {"type": ["string", "null"]},
    "flags": {"type": "array", "items": {"type": "string", "enum": list(FLAGS)}, "uniqueItems": True},
    "applicant": _o({"iin": _S, "phone": _S}, ("iin",)),
    "representative": _o({"fullName": _NS, "iin": _S, "phone": _S, "poaNumber": _S}, ("fullName",)),
    "subjectIin": _S,
    "documents": {"type": "array", "items": _S},
    "form": {"type": "object"},
    "queue": _o({"arrivedAt": _S, "personsAhead": {"type": "integer", "minimum": 0}}, ("arrivedAt",)),
}, ("service", "applicant"))
EMPTY = _o({})
RESOLVE = _o({"executor": _NS, "text": _S}, ("executor",))
COMMISSION_BODY = _o({"eligible": {"type": "boolean"}, "protocolNumber": _NS, "reason": _S},
                     ("eligible", "protocolNumber"))
SURVEY = _o({"conclusion": {"type": "string", "enum": ["needy", "not_needy"]}, "housingConditions": _S, "note": _S})
CHECK = _o({"complete": {"type": "boolean"}, "remarks": _S})
OUTCOME = _o({"outcome": {"type": "string", "enum": ["grant", "refusal"]},
              "grounds": {"type": "array", "items": _S}, "reasonText": _S,
              "amount": {"anyOf": [{"type": "number", "minimum": 0}, _S]}, "text": _S}, ("outcome",))
DECIDE = _o({"outcome": {"type": "string", "enum": ["grant", "refusal"]}, "grounds": {"type": "array", "items": _S},
             "reasonText": _S, "amount": {"anyOf": [{"type": "number", "minimum": 0}, _S]}, "text": _S})
VISA = _o({"remarks": _S})
NOTIFY = _o({"method": {"type": "string", "enum": ["in_person", "post"]},
             "receivedBy": {"type": "string", "enum": ["applicant", "representative"]}})
RETURN = _o({"reasons": {"type": "array", "items": _NS, "minItems": 1}}, ("reasons",))
SUSPEND = _o({"ground": _NS, "reasonText": _NS}, ("ground", "reasonText"))
RESUME = _o({"note": _S})
DISPATCH = _o({"cases": {"type": "array", "items": _NS, "minItems": 1}}, ("cases",))
UNEMPLOYED = _o({"iin": _S, "registeredOn": _DATE, "category": {"type": "string", "enum": list(CATEGORIES)}}, ("iin",))
DEREGISTER = _o({"on": _DATE, "reason": _NS}, ("reason",))
EVENT = _o({"kind": _NS, "onDate": _DATE, "note": _S}, ("kind",))
HOUSEHOLD = _o({"applicantIin": _S, "activity": _S, "address": _S, "caresFor": _S, "activitySince": _DATE},
               ("applicantIin",))
MEMBER = _o({"iin": _S, "relation": _S, "activity": _S, "caresFor": _S, "activitySince": _DATE},
            ("iin", "relation", "activity"))
MEMBER_UPDATE = _o({"activity": _S, "caresFor": {"type": ["string", "null"]}, "activitySince": _DATE}, ("activity",))
INCOMES = _o({"incomes": {"type": "array", "minItems": 1, "items": _o(
    {"iin": _S, "month": _S, "kind": _S, "amount": {"anyOf": [{"type": "number"}, _S]}},
    ("iin", "month", "kind", "amount"))}}, ("incomes",))
EXPENSES = _o({"expenses": {"type": "array", "minItems": 1, "items": _o(
    {"month": _S, "kind": _S, "amount": {"anyOf": [{"type": "number"}, _S]}}, ("month", "kind", "amount"))}},
    ("expenses",))
DISABILITY = _o({"group": _S, "cause": _S, "since": _DATE, "until": _DATE, "certificateNumber": _S},
                ("group", "cause", "since"))
IPR = _o({"number": _NS, "issuedOn": _DATE, "validUntil": _DATE, "measures": {"type": "array", "items": _S}},
         ("number", "issuedOn", "measures"))
CONTRAINDICATION = _o({"measure": _S, "since": _DATE, "until": _DATE, "note": _S}, ("measure", "since"))
STATUS = _o({"status": _S, "since": _DATE, "until": _DATE, "document": _S}, ("status", "since"))
COMPENSATION = _o({"iin": _S, "paidOn": _DATE, "amount": {"anyOf": [{"type": "number"}, _S]}, "reference": _S},
                  ("iin", "paidOn", "amount"))
CONFIRM = _o({"quarter": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}}, ("quarter",))
TERMINATE = _o({"ground": _NS, "on": _DATE, "childIin": _S, "reasonText": _S}, ("ground",))
ASSIGN_SUSPEND = _o({"ground": _NS, "on": _DATE}, ("ground",))
ASSIGN_RESUME = _o({"on": _DATE})

STEP_BODIES = {"receive": EMPTY, "resolve": RESOLVE, "refer": EMPTY, "commission": COMMISSION_BODY,
               "order_survey": EMPTY, "survey": SURVEY, "accept_conclusion": EMPTY, "forward": EMPTY, "check": CHECK,
               "draft": OUTCOME, "visa": VISA, "decide": DECIDE, "notify": NOTIFY}

VALIDATORS = {name: Draft202012Validator(schema) for name, schema in {
    "login": LOGIN, "intake": INTAKE, "return": RETURN, "suspend": SUSPEND, "resume": RESUME, "dispatch": DISPATCH,
    "unemployed": UNEMPLOYED, "deregister": DEREGISTER, "event": EVENT, "household": HOUSEHOLD, "member": MEMBER,
    "memberUpdate": MEMBER_UPDATE, "incomes": INCOMES, "expenses": EXPENSES, "disabilities": DISABILITY, "iprs": IPR,
    "contraindications": CONTRAINDICATION, "statuses": STATUS, "compensation": COMPENSATION, "confirm": CONFIRM,
    "terminate": TERMINATE, "assignSuspend": ASSIGN_SUSPEND, "assignResume": ASSIGN_RESUME, "empty": EMPTY,
    **{f"step:{k}": v for k, v in STEP_BODIES.items()}}.items()}


def field_of(error) -> str:
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
    return path or "(body)"


def problems(name: str, body) -> list[dict]:
    """Every way ``body`` breaks the schema ``name`` (``path``, ``message``)."""
    return sorted(({"path": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message[:300]}
                   for e in VALIDATORS[name].iter_errors(body)), key=lambda x: x["path"])


def first_error(name: str, body) -> tuple[str, str] | None:
    error = next(iter(sorted(VALIDATORS[name].iter_errors(body), key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return None
    return field_of(error), error.message


# --- the document ------------------------------------------------------------------------------

def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


_ERR = {"$ref": "#/components/schemas/Error"}


def _errors(*codes: int) -> dict:
    text = {400: "a query or path parameter is unknown or malformed (BAD_PARAMETER), or the body is not JSON",
            401: "not signed in, or the session expired",
            403: "the role, unit or executor this needs (error.requiredRole, requiredUnit, requiredExecutor)",
            404: "not found (also: another office's case)", 409: "the case is not at this step (error.expectedStep)",
            422: "the body breaks the schema (INVALID_BODY: field, details) or a field is refused (error.field), or "
                 "the registers or the regulation do not allow it (error.code, error.assessment)",
            429: "too many failed sign-ins"}
    return {str(c): {"description": text[c], **_json(_ERR)} for c in codes}


_SECURE: list[dict[str, list]] = [{"bearer": []}]
_NUMBER = [{"name": "number", "in": "path", "required": True, "schema": _S}]
_IINP = [{"name": "iin", "in": "path", "required": True, "schema": _IIN}]


def _op(method: str, op: str, summary: str, *, body: dict | None = None, params=(), tags=("cases",),
        ok: str = "200", secure: bool = True, errors=(400, 401, 403, 404, 409, 422), description: str = "") -> dict:
    out = {"operationId": op, "summary": summary, "tags": list(tags), "security": _SECURE if secure else [],
           "parameters": list(params), "responses": {ok: {"description": "done", **_json(_OBJ)}, **_errors(*errors)}}
    if description:
        out["description"] = description
    if body is not None:
        out["requestBody"] = {"required": True, **_json(body)}
    return {method: out}


def _paths() -> dict:
    p: dict = {
        "/openapi.json": _op("get", "openapi", "This description", secure=False, errors=(), tags=("meta",)),
        "/services": _op("get", "services", "The fifteen services of seed 001", errors=(401,), tags=("meta",)),
        "/services/{service}": _op("get", "service", "One service with its chains per channel", tags=("meta",),
                                   params=[{"name": "service", "in": "path", "required": True, "schema": _S}],
                                   errors=(401, 404)),
        "/readings": _op("get", "readings", "The readings of the seed in force", errors=(401,), tags=("meta",)),
        "/staff": _op("get", "staff", "The department's and the akims' staff", errors=(401,), tags=("meta",)),
        "/session": {**_op("post", "login", "Sign in (realm balkhash_uo)", body=LOGIN, secure=False, errors=(400, 401, 429),
                           tags=("session",)),
                     **_op("get", "me", "Who is signed in", errors=(401,), tags=("session",)),
                     **_op("delete", "logout", "Sign out", ok="204", errors=(401,), tags=("session",))},
        "/cases": {**_op("get", "listCases", "Cases of your office and unit (?state=, service=, awaiting=me, limit, offset)",
                         params=[{"name": n, "in": "query", "required": False, "schema": s} for n, s in (
                             ("state", {"type": "string", "enum": list(STATES)}), ("service", {"type": "integer", "minimum": 1, "maximum": 15}),
                             ("awaiting", {"type": "string", "enum": ["me"]}), ("applicant", _IIN),
                             ("limit", {"type": "integer", "minimum": 1, "maximum": 500}),
                             ("offset", {"type": "integer", "minimum": 0, "maximum": 10 ** 9}))], errors=(400, 401)),
                   **_op("post", "accept", "Accept an application at the УО or the akim (талон), or refuse it at intake",
                         body=INTAKE, ok="201", description="Role: the СФЕ of the service's row 1 (a specialist, "
                         "the akim for the akim channel). 409 OFFICE_CLOSED outside the office's hours.")},
        "/cases/{number}": _op("get", "getCase", "One case with its chain", params=_NUMBER, errors=(401, 404)),
        "/cases/{number}/history": _op("get", "history", "Every act with its actor, time, row and term",
                                       params=_NUMBER, errors=(401, 404)),
        "/cases/{number}/assessment": _op("get", "assessment", "The checks of the service read from the registers now",
                                          params=_NUMBER, errors=(401, 404)),
        "/cases/{number}/documents": _op("get", "caseDocuments", "The documents of the case", params=_NUMBER,
                                         errors=(401, 404)),
        "/cases/{number}/return": _op("post", "returnCase", "Return the package to the ЦОН (services 2, 6, 11)",
                                      body=RETURN, params=_NUMBER),
        "/cases/{number}/suspend": _op("post", "suspend", "Suspend (service 11; 15 with the reading)", body=SUSPEND,
                                       params=_NUMBER),
        "/cases/{number}/resume": _op("post", "resume", "Resume a suspended case", body=RESUME, params=_NUMBER),
        "/cases/{number}/archive": _op("post", "archive", "Put a finished case in the archive", body=EMPTY,
                                       params=_NUMBER),
        "/transfers": {**_op("get", "transfers", "Реестры in and out (?direction=INCOMING|OUTGOING, status=)",
                             errors=(400, 401), tags=("transfers",)),
                       **_op("post", "dispatch", "Send the results of cases at their dispatch step to the ЦОН in one "
                             "реестр", body=DISPATCH, ok="201", tags=("transfers",))},
        "/transfers/{number}": _op("get", "transfer", "One реестр", params=_NUMBER, errors=(401, 404),
                                   tags=("transfers",)),
        "/transfers/{number}/receive": _op("post", "receiveTransfer", "Receive the packages of an incoming реестр "
                                           "(one case each)", body=EMPTY, params=_NUMBER, ok="201", tags=("transfers",)),
        "/transfers/{number}/send": _op("post", "sendTransfer", "Send an outgoing реестр again", body=EMPTY,
                                        params=_NUMBER, tags=("transfers",)),
        "/documents/{number}": _op("get", "document", "A document as JSON; …/html printable; …/xml EDS-signed",
                                   params=_NUMBER, errors=(401, 404), tags=("documents",)),
        "/documents/{number}/html": _op("get", "documentHtml", "Printable HTML", params=_NUMBER, errors=(401, 404),
                                        tags=("documents",)),
        "/documents/{number}/xml": _op("get", "documentXml", "The EDS-signed XML (reading electronic_results)",
                                       params=_NUMBER, errors=(401, 404), tags=("documents",)),
        "/registers/persons/{iin}": _op("get", "person", "Everything the registers hold on a person (?on=date)",
                                        params=_IINP, errors=(400, 401, 404), tags=("registers",)),
        "/registers/persons/{iin}/assessment": _op(
            "get", "assessPerson", "The checks of a service for a person (?service=, on=, subject=, subtype=, flags=)",
            params=_IINP, errors=(400, 401, 404, 422), tags=("registers",)),
        "/registers/thresholds": _op("get", "thresholds", "The thresholds and amounts by year, with their source",
                                     errors=(401,), tags=("registers",)),
        "/registers/unemployed": {**_op("get", "unemployed", "The register of unemployed (?on=date)", errors=(400, 401),
                                        tags=("registers",)),
                                  **_op("post", "registerUnemployed", "Enter a карточка персонального учета",
                                        body=UNEMPLOYED, ok="201", tags=("registers",))},
        "/registers/unemployed/{iin}/deregister": _op("post", "deregister", "Deregister", body=DEREGISTER, params=_IINP,
                                                      tags=("registers",)),
        "/registers/unemployed/{iin}/events": _op("post", "employmentEvent", "An event of active employment measures",
                                                  body=EVENT, params=_IINP, ok="201", tags=("registers",)),
        "/registers/households": {**_op("get", "households", "Households (?iin=)", errors=(400, 401), tags=("registers",)),
                                  **_op("post", "createHousehold", "A household with its applicant", body=HOUSEHOLD,
                                        ok="201", tags=("registers",))},
        "/registers/households/{id}": _op("get", "household", "One household with its computation (?on=)",
                                          params=[{"name": "id", "in": "path", "required": True,
                                                   "schema": {"type": "integer"}}], errors=(401, 404),
                                          tags=("registers",)),
        "/registers/households/{id}/members": _op("post", "addMember", "Add a member", body=MEMBER, ok="201",
                                                  params=[{"name": "id", "in": "path", "required": True,
                                                           "schema": {"type": "integer"}}], tags=("registers",)),
        "/registers/households/{id}/expenses": _op("put", "setExpenses", "Housing expenses within the norms",
                                                   body=EXPENSES, params=[{"name": "id", "in": "path", "required": True,
                                                                           "schema": {"type": "integer"}}],
                                                   tags=("registers",)),
        "/registers/members/{iin}": {**_op("put", "updateMember", "Change a member's occupation", body=MEMBER_UPDATE,
                                           params=_IINP, tags=("registers",)),
                                     **_op("delete", "removeMember", "Remove a member", params=_IINP,
                                           tags=("registers",))},
        "/registers/incomes": _op("put", "setIncomes", "Incomes per member and month", body=INCOMES, tags=("registers",)),
        "/registers/compensations": _op("post", "compensation", "A compensation paid (service 2)", body=COMPENSATION,
                                        ok="201", tags=("registers",)),
        "/registers/assignments": _op("get", "assignments", "Assignments (?service=, status=, iin=)", errors=(400, 401),
                                      tags=("registers",)),
        "/registers/assignments/{number}": _op("get", "assignment", "One assignment", params=_NUMBER,
                                               errors=(401, 404), tags=("registers",)),
        "/registers/assignments/{number}/confirm": _op("post", "confirmQuarter", "Quarterly confirmation (6, 7)",
                                                       body=CONFIRM, params=_NUMBER, tags=("registers",)),
        "/registers/assignments/{number}/review": _op("get", "reviewAssignment", "Service 6's termination grounds the "
                                                      "registers hold (§10)", params=_NUMBER, errors=(401, 404, 422),
                                                      tags=("registers",)),
        "/registers/assignments/{number}/terminate": _op("post", "terminate", "Terminate (service 6 grounds)",
                                                         body=TERMINATE, params=_NUMBER, tags=("registers",)),
        "/registers/assignments/{number}/suspend": _op("post", "suspendAssignment", "Suspend (service 11)",
                                                       body=ASSIGN_SUSPEND, params=_NUMBER, tags=("registers",)),
        "/registers/assignments/{number}/resume": _op("post", "resumeAssignment", "Resume", body=ASSIGN_RESUME,
                                                      params=_NUMBER, tags=("registers",)),
    }
    for kind, schema in (("disabilities", DISABILITY), ("iprs", IPR), ("contraindications", CONTRAINDICATION),
                         ("statuses", STATUS)):
        p[f"/registers/medical/{{iin}}/{kind}"] = _op("post", f"add_{kind}", f"Medical and social data: {kind}",
                                                      body=schema, params=_IINP, ok="201", tags=("registers",))
    for verb in VERBS:
        if verb in ("accept", "dispatch"):
            continue
        p[f"/cases/{{number}}/{verb}"] = _op("post", verb, f"Chain step {verb}", body=STEP_BODIES[verb], params=_NUMBER,
                                             description="Only when the case's next step is this verb, by the step's "
                                                         "role (GET /cases/{number} → nextStep).")
    return p


PATHS = _paths()
SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "properties": {
        "code": _S, "message": _S, "field": _S, "requiredRole": _S, "requiredUnit": _S, "requiredExecutor": _S,
        "expectedStep": {"type": "string", "enum": list(VERBS)}, "expectedRole": {"type": "string", "enum": list(ROLES)},
        "currentState": {"type": "string", "enum": list(STATES)}, "assessment": _OBJ}}}},
}


def document(server_url: str = "/balkhash/uo") -> dict:
    return {"openapi": "3.1.0",
            "info": {"title": "egov-sim: the Balkhash department of employment and social programmes (seed 001)",
                     "version": "1", "description": "SYNTHETIC workstation of the УО, its settlement akims and its "
                                                   "registers. See docs/balkhash.md."},
            "servers": [{"url": server_url}], "paths": copy.deepcopy(PATHS),
            "components": {"schemas": copy.deepcopy(SCHEMAS),
                           "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
