"""The vocabulary of operations that play a flow's nodes against the running systems.

A flow file names, for each node, the real operation that plays it (``op``) and its arguments
(``args``). This table is the contract between the flow files and the engine that runs them:
the loader checks every ``op`` and its ``args`` here, and the engine implements each name
against the HTTP APIs of the portal (``/portal``), the ЦОН (``/con``) and the АРМ РШЭП
(``/arm``). It says *what* each operation does, never *how*.

Conventions the engine relies on:

- The persons come from the scenario: ``applicant`` (the recipient), ``representative`` (under a
  notarised power of attorney, ЦОН only), ``operator`` (the ЦОН operator); the provider's staff
  are the office's clerk, head and executor (gateway/rshep/staff.py).
- A *condition* op answers yes or no: what the systems actually said is the branch taken.
- Some systems play several nodes in one call (the ЦОН's intake plays X1..P5 at once,
  portal_mock/con/intake.py; the portal's submission checks eligibility and the EDS in one
  answer). The first op of such a group makes the call; the others read the answer or the
  history it left for their node.
- Observation ops (``*.check_state``, ``portal.wait_status``, ``notice.expect``) act on nothing:
  they check that a system reached a state or issued a notice, as the node says it must.
- An argument value ``{option: NAME}`` is a flow reading's switch: the scenario's value of the
  option, or the reading's default, is put in its place (loader.resolve_args).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal, Mapping

from egov_sim.reference.catalogue import PROVIDERS, SERVICES

System = Literal["portal", "con", "arm", "person", "front_office", "balkhash_uo", "balkhash_con"]
Plays = Literal["process", "condition"]

_SERVICE = {"enum": sorted(SERVICES), "description": "service code (ШЭП serviceId), egov_sim/reference/catalogue.py"}
_PROVIDER = {"enum": sorted(PROVIDERS), "description": "provider office code, egov_sim/reference/catalogue.py"}
_DOCUMENT_CODES = sorted({d.code for s in SERVICES.values() for d in s.documents})
_DOCUMENTS = {"type": "array", "items": {"enum": _DOCUMENT_CODES}, "uniqueItems": True,
              "description": "documentTypeCode of each document handed in; default: every document "
                             "the service requires for the channel, less the scenario's missing_document"}
_NO_ARGS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}

NOTICE_KINDS = (
    "refusal_receipt",      # ЦОН X2: receipt of refusal to accept documents (K01)
    "data_unavailable",     # ЦОН P4: data cannot be obtained (K03, K04)
    "acceptance_receipt",   # ЦОН M9: receipt on acceptance, with the result date [inferred]
    "auth_refused",         # portal P2: authorization refused (K07)
    "eds_not_confirmed",    # portal P4: the recipient's EDS not confirmed (K08-K10, K17)
    "not_eligible",         # 000 portal C0: the portal is not for this recipient (K16) [inferred]
    "request_accepted",     # 000 portal X2: "request accepted" in the cabinet (K18)
    "documents_refused",    # portal P6: refusal for violations in the documents (K06)
    "result_ready",         # portal P7: the result is in the personal cabinet (K13, K19)
)

PORTAL_STATUSES = ("submitted", "sending", "not_delivered", "accepted", "registered", "in_review",
                   "result_ready", "refused")
"""The request statuses of the personal cabinet (portal_mock/portal/requests_store.py)."""

ARM_STATES = ("RECEIVED", "REGISTERED", "EXECUTOR_ASSIGNED", "UNDER_REVIEW", "AWAITING_SIGNATURE",
              "SIGNED", "COMPLETED")
"""The request states of the АРМ РШЭП (gateway/rshep/chain.py)."""


def _args(required: tuple[str, ...] = (), **properties: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(required)}


@dataclass(frozen=True)
class Operation:
    name: str
    system: System
    plays: tuple[Plays, ...]
    """Which node kinds it may play; a condition op answers yes or no."""
    summary: str
    args: Mapping[str, Any]
    """JSON Schema (2020-12) of the ``args`` mapping."""


def _op(name: str, system: System, plays: str, summary: str, args: Mapping[str, Any] = _NO_ARGS) -> Operation:
    return Operation(name, system, tuple(plays.split("|")), summary, args)  # type: ignore[arg-type]


OPERATIONS: Mapping[str, Operation] = MappingProxyType({o.name: o for o in (
    # --- a person, outside the systems -----------------------------------------------------------
    _op("person.act", "person", "process",
        "A person's act that calls no system (hands the documents over, types the IIN and "
        "password, opens the portal): the clock advances by the node's duration."),

    # --- the portal (egov.kz, ИС ПЭП) ------------------------------------------------------------
    _op("portal.register", "portal", "process",
        "002 §11.1 / 000 §8.1: register the applicant on the portal with IIN and password "
        "(POST /portal/register); an applicant already registered goes on.",
        _args(password={"type": "string", "minLength": 8})),
    _op("portal.login", "portal", "condition",
        "Condition 1 (K07): sign in with the applicant's IIN and password (POST /portal/login); "
        "yes = a session. The scenario's setup credentials spoils them.",
        _NO_ARGS),
    _op("portal.fill_form", "portal", "process",
        "Process 3 (K11): choose the service and the provider, fill in the request form, attach "
        "the e-copies of the documents (POST /portal/requests/draft).",
        _args(("service", "provider"), service=_SERVICE, provider=_PROVIDER, documents=_DOCUMENTS,
              form={"type": "object", "description": "form fields; default: filled from the applicant's "
                                                      "registry record and the scenario's setup"})),
    _op("portal.check_eligibility", "portal", "condition",
        "000 condition 0 (K16, §1.3): may this applicant use the portal channel? yes = the "
        "submission is not refused as not eligible. restricted=false reads §1.3 as an enumeration: "
        "always yes.",
        _args(("restricted",), restricted={"type": "boolean"})),
    _op("portal.sign_and_submit", "portal", "condition",
        "Condition 2 (K08-K10, K17): sign the request with the applicant's EDS certificate and "
        "submit it (POST /portal/requests); yes = the portal confirmed the EDS and accepted the "
        "request. The scenario's setup certificate chooses a bad certificate or signature.",
        _NO_ARGS),
    _op("portal.send", "portal", "process",
        "Process 5: the portal sends the signed request through ШЭП to АРМ РШЭП (the service "
        "code's ШЭП message); done when the cabinet shows the request accepted.",
        _NO_ARGS),
    _op("portal.wait_status", "portal", "process",
        "Wait until the personal cabinet shows the request in this status (000 §8.2, K18).",
        _args(("status",), status={"enum": list(PORTAL_STATUSES)})),
    _op("cabinet.result", "portal", "process",
        "002 P7 / 000 §3 (K13, K19): fetch the result from the personal cabinet "
        "(GET /portal/requests/{id}/result) and verify the EDS of the provider's authorised person.",
        _NO_ARGS),

    # --- the ЦОН (State Corporation, ИИС ЦОН АРМ) -------------------------------------------------
    _op("con.completeness_check", "con", "condition",
        "Condition 0 (K01, §9.1): the operator checks the package against the Standard's item 9; "
        "yes = complete. Plays the ЦОН's intake call for X1..P5 (portal_mock/con/intake.py).",
        _args(("service", "provider"), service=_SERVICE, provider=_PROVIDER, documents=_DOCUMENTS,
              office={"type": "string", "pattern": "^[A-Z]{3}-[A-Z0-9]{2,3}$",
                      "description": "ЦОН office code; default: the operator's"})),
    _op("con.operator_login", "con", "process",
        "Process 1 (K02, §9.2): the operator signs in to АРМ ИИС ЦОН with login and password.",
        _NO_ARGS),
    _op("con.open_application", "con", "process",
        "Process 2 (§9.3): select the service, open the request form, enter the recipient's data "
        "and, when the scenario has a representative, the representative's and the power of "
        "attorney's.", _NO_ARGS),
    _op("con.send_queries", "con", "process",
        "Process 3 (§9.4): the ИИС ЦОН asks ГБД ФЛ for the recipient and, with a representative, "
        "ЕНИС for the power of attorney, through ШЭП.", _NO_ARGS),
    _op("con.lookup", "con", "condition",
        "Condition 1 (K03, K04, §9.5): were the data obtained? yes = the recipient is in ГБД ФЛ "
        "and (with a representative) the power of attorney is in ЕНИС. literal_and=true reads "
        "§9.6 literally: no only when both are missing (regulations-kz §7 item 5).",
        _args(("literal_and",), literal_and={"type": "boolean"})),
    _op("con.sign_and_send", "con", "process",
        "Process 5 (K05, §9.7): the operator's EDS certifies the request and the ИИС ЦОН sends it "
        "through ШЭП to АРМ РШЭП; the operator hands over the receipt on acceptance, whose date of "
        "issue process 8 is judged against (App.4 B10).", _NO_ARGS),
    _op("con.result_received", "con", "process",
        "002 X4 (App.4, 'within 1 working day'): the result formed in АРМ РШЭП has reached the "
        "ЦОН (the application's status RESULT_READY).", _NO_ARGS),
    _op("con.issue_result", "con", "process",
        "Process 8 (§10.4, App.4 B10): the result formed in АРМ РШЭП reaches the ЦОН and the "
        "operator hands it to the recipient: the decision or the reasoned refusal, under the "
        "provider's EDS (K13).", _NO_ARGS),

    # --- notices, on any front office -------------------------------------------------------------
    _op("notice.expect", "front_office", "process",
        "The system issued the recipient this notice or receipt (ЦОН: the application's notices; "
        "portal: the refusal or the cabinet's notice).",
        _args(("kind",), kind={"enum": list(NOTICE_KINDS)})),

    # --- the provider's office ----------------------------------------------------------------------
    _op("office.accept", "arm", "process",
        "A1 / S1 at the office (002 §5.1, 000 §5.1): the clerk of the provider (or of the rural "
        "akim) accepts the application with its documents and registers it (POST /arm/requests).",
        _args(("service", "provider"), service=_SERVICE, provider=_PROVIDER, documents=_DOCUMENTS)),

    # --- the provider in АРМ РШЭП ---------------------------------------------------------------
    _op("arm.register", "arm", "process",
        "A1 / P6 / S1: the clerk registers the request that came through ШЭП "
        "(POST /arm/requests/{id}/register).",
        _args(("provider",), provider=_PROVIDER)),
    _op("arm.assign", "arm", "process",
        "A2 / S2: the head (at a rural akim's office, the akim) appoints the responsible executor "
        "(POST /arm/requests/{id}/assign).",
        _args(executor={"type": "string", "description": "the executor's АРМ login; default: the "
                                                         "office's first executor"})),
    _op("arm.review", "arm", "condition",
        "The executor reviews the documents (POST /arm/requests/{id}/review), reading first what "
        "was handed over: the documents the АРМ recorded missing. check=conformity (002, K06, "
        "K12): do the documents conform and are there grounds? no = a reasoned refusal (a "
        "document missing; setup executor_refuses). check=sufficiency (000, K15): are the "
        "documents sufficient and presentable? no = the term is extended (a document missing; "
        "setup documents_incomplete).",
        _args(("check",), check={"enum": ["conformity", "sufficiency"]})),
    _op("arm.draft", "arm", "process",
        "A3 / S3 (and S3X): the executor draws up the decision and sends it to the head for "
        "signature (POST /arm/requests/{id}/draft). extend_term: first extend the term "
        "(000 §5.3, K15: 7 to 19 wd, 4 to 16 wd; POST /arm/requests/{id}/extend).",
        _args(extend_term={"type": "boolean"})),
    _op("arm.refuse", "arm", "process",
        "002 P7 / P6 / X1 (K06 no): the executor forms the reasoned refusal (naming the documents "
        "the АРМ recorded missing). via_head=true: it goes to the head for signature, and the "
        "flow's next nodes A4 and A5 sign, register and issue it as a decision; false: the "
        "executor's own EDS certifies it and it is issued at once (regulations-kz §7 item 9).",
        _args(("via_head",), via_head={"type": "boolean"},
              reason_code={"type": "string", "pattern": "^[A-Z_]+$"})),
    _op("arm.sign", "arm", "process",
        "A4 / S5 (K14, K19): the head reviews and signs the result with the head's EDS "
        "(POST /arm/requests/{id}/sign); for a rural akim the head of the district akimat.",
        _NO_ARGS),
    _op("arm.send_result", "arm", "process",
        "A5 / S6: the executor registers the result in the accounting journal and issues it: "
        "through ШЭП to the ЦОН or the portal, or in person at the office "
        "(POST /arm/requests/{id}/issue).", _NO_ARGS),
    _op("arm.check_state", "arm", "process",
        "The request stands in this АРМ state (a step another op performed, e.g. 000 S4: the "
        "draft is with the head).",
        _args(("state",), state={"enum": list(ARM_STATES)})),

    # --- seed 001: the Balkhash department and its akims (/balkhash/uo) -------------------------
    _op("balkhash.accept", "balkhash_uo", "process",
        "001 main process #1 (the akim's #1): the specialist (or the settlement akim) accepts the "
        "application with the documents the scenario files, registers it in the journal and gives the "
        "талон with the date of the result (POST /balkhash/uo/cases); setup prior plays service 1 first.",
        _NO_ARGS),
    _op("balkhash.intake", "balkhash_uo", "condition",
        "Was the application accepted with a талон (yes), or refused at acceptance for a missing "
        "document (no; reading uo_incomplete=refuse_at_intake, D09)?",
        _args(uo_incomplete={"enum": ["refuse_at_intake", "accept"]})),
    _op("balkhash.check", "balkhash_uo", "condition",
        "A ground of §10 answered by the registers: yes when every named check of the case's "
        "assessment passes (GET /balkhash/uo/cases/{n}/assessment). readings: the Balkhash readings "
        "the answer depends on (the department must run under them).",
        _args(("checks",), checks={"type": "array", "minItems": 1, "uniqueItems": True,
                                   "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]+$"}},
              readings={"type": "object", "additionalProperties": {"type": ["string", "boolean"]}})),
    _op("balkhash.refusal_ground", "balkhash_uo", "process",
        "The reasoned refusal (мотивированный ответ об отказе) will name this ground of §10, its reason "
        "the failed check's text; the drafting row after it drafts the refusal.",
        _args(("ground",), ground={"type": "string", "pattern": "^[A-Z][A-Z0-9_]+$"})),
    _op("balkhash.step", "balkhash_uo", "process",
        "The department's steps of the node's row (its cell), each by the role the action table names: "
        "resolve, order_survey, survey, draft (the grant, or the refusal on the path's grounds), visa, "
        "decide, notify, dispatch (the реестр to the ЦОН through ШЭП), … (POST /balkhash/uo/cases/{n}/{verb}). "
        "readings: the Balkhash readings the row depends on (service 6's issuer via the akim, D17).",
        _args(cell={"type": "string"},
              readings={"type": "object", "additionalProperties": {"type": ["string", "boolean"]}})),
    _op("balkhash.suspend", "balkhash_uo", "process",
        "The head suspends the case on the service's suspension ground (POST /balkhash/uo/cases/{n}/suspend).",
        _args(("ground",), ground={"type": "string", "pattern": "^[A-Z][A-Z0-9_]+$"})),
    _op("balkhash.reading", "balkhash_uo", "condition",
        "A branch the regulation leaves to a reading, answered by the reading the department runs under: "
        "yes when reading is yes_when (value: the scenario's option, which the department must share).",
        _args(("reading", "value", "yes_when"), reading={"type": "string"}, value={"type": "string"},
              yes_when={"type": "string"})),
    _op("balkhash.result", "balkhash_uo", "process",
        "The result the applicant gets at the office: the case's result documents (a refusal at "
        "acceptance).", _NO_ARGS),
    _op("balkhash.return", "balkhash_uo", "process",
        "§10 of services 2, 6, 11: the УО returns the ЦОН's package with its written justification "
        "(POST /balkhash/uo/cases/{n}/return; a реестр back through ШЭП).", _NO_ARGS),
    _op("balkhash.receive", "balkhash_uo", "process",
        "The УО receives the ЦОН's documents by the реестр and registers them (POST /balkhash/uo/"
        "transfers/{n}/receive): the case is opened.", _NO_ARGS),

    # --- seed 001: the 2012 ЦОН (/balkhash/con) --------------------------------------------------
    _op("balkhash.con_submit", "balkhash_con", "process",
        "The applicant's ticket of the electronic queue, the call to a window, the documents handed "
        "over: the consultant registers them in the journal, or the inspector accepts them with the "
        "расписка (POST /balkhash/con/applications).",
        _args(("by",), by={"enum": ["consultant", "inspector"]})),
    _op("balkhash.con_accept", "balkhash_con", "process",
        "The operating-hall inspector checks the documents and gives the расписка with the date of "
        "issue (POST /balkhash/con/applications/{n}/accept).", _NO_ARGS),
    _op("balkhash.con_intake", "balkhash_con", "condition",
        "Did the ЦОН accept the package (yes), or refuse it with the receipt listing the missing "
        "documents (no)?", _NO_ARGS),
    _op("balkhash.con_refusal_receipt", "balkhash_con", "process",
        "The receipt of refusal to accept the documents, listing the missing ones (service 11 §10).",
        _NO_ARGS),
    _op("balkhash.con_handover", "balkhash_con", "process",
        "The inspector hands the documents to the накопительный сектор.", _NO_ARGS),
    _op("balkhash.con_transfer", "balkhash_con", "process",
        "The накопительный сектор makes up the реестр and sends the documents to the УО through ШЭП "
        "(POST /balkhash/con/transfers); handover: the inspector hands them over first.",
        _args(handover={"type": "boolean"})),
    _op("balkhash.con_results", "balkhash_con", "process",
        "The накопительный сектор accepts the УО's реестр of results or returns "
        "(POST /balkhash/con/transfers/{n}/accept).", _NO_ARGS),
    _op("balkhash.confirm_quarter", "balkhash_uo", "process",
        "Services 6 and 7 §13: the family's quarterly confirmation of the right against the income of the "
        "quarter before (POST /balkhash/uo/registers/assignments/{n}/confirm); the assignment is setup prior's.",
        _NO_ARGS),
    _op("balkhash.assignment", "balkhash_uo", "condition",
        "After a grant, what the registers hold: QUARTER_CONFIRMED (the assignment stands), or no ground of "
        "service 6 §10 (CHILD_ALIVE, NOT_ON_STATE_SUPPORT, PARENTAL_RIGHTS_HELD: GET …/assignments/{n}/review).",
        _args(("check",), check={"enum": ["QUARTER_CONFIRMED", "CHILD_ALIVE", "NOT_ON_STATE_SUPPORT",
                                          "PARENTAL_RIGHTS_HELD"]})),
    _op("balkhash.terminate", "balkhash_uo", "process",
        "Service 6 §10: the head terminates the benefit on the ground the registers hold "
        "(POST /balkhash/uo/registers/assignments/{n}/terminate).",
        _args(("ground",), ground={"enum": ["CHILD_DEATH", "FULL_STATE_SUPPORT", "PARENTAL_RIGHTS"]})),
    _op("balkhash.assignment_result", "balkhash_uo", "process",
        "The assignment as the family is told after the quarter: confirmed, or ended (NOT_CONFIRMED).",
        _NO_ARGS),
    _op("balkhash.con_outcome", "balkhash_con", "condition",
        "Is the result the ЦОН received from the УО a grant (yes) or a refusal (no)?", _NO_ARGS),
    _op("balkhash.con_inform", "balkhash_con", "process",
        "The ЦОН informs the applicant of a return or a refusal (service 11 §10, within 1 wd).", _NO_ARGS),
    _op("balkhash.con_issue", "balkhash_con", "process",
        "The сектор выдачи calls the collect ticket and hands the result over against the расписка "
        "(POST /balkhash/con/applications/{n}/issue).", _NO_ARGS),
    _op("balkhash.con_return_documents", "balkhash_con", "process",
        "The returned package goes back to the applicant with the УО's written justification.", _NO_ARGS),
)})
"""Every operation by name."""


def operation(name: str) -> Operation | None:
    return OPERATIONS.get(name)
