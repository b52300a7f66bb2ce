"""The ЦОН's operations (ИИС ЦОН АРМ, /con): the intake that plays X1…P5 in one call, the
operator's steps it records, condition 1 from the recorded lookups, and process 8.

``POST /con/applications`` checks the package (C0), asks ГБД ФЛ and ЕНИС (P3, C1) and signs and
sends it (P5) at once, recording each node in the application's history. So
``con.completeness_check`` makes the call and the later operations read the history entry of
their own node: each node is still checked against what the ЦОН recorded for it.
"""

from __future__ import annotations

import datetime as dt

from egov_sim.portal_mock.con.notices import ACCEPTANCE_RECEIPT
from egov_sim.portal_mock.con.operators import SEED_OPERATORS
from egov_sim.reference.personas import PERSONAS

from .common import Divergence, OpResult, PlayContext, StepError, documents_for, e_copy, form_for, service_of
from .documents import verify_result

DEFAULT_OPERATOR = "pvl1.operator"


def operator_login(ctx: PlayContext) -> str:
    """The ЦОН operator's login: the seeded operator whose EDS carries the persona's IIN."""
    key = ctx.scenario.personas.get("operator")
    if key:
        iin = PERSONAS[key].iin
        for seed in SEED_OPERATORS:
            if seed.operator.iin == iin:
                return seed.operator.login
        raise StepError(f"persona {key} ({iin}) is not a ЦОН operator of the simulator")
    return DEFAULT_OPERATOR


def completeness_check(ctx: PlayContext, args: dict) -> OpResult:
    service = service_of(args)
    login = ctx.state.setdefault("con_operator", operator_login(ctx))
    person = ctx.person("applicant")
    applicant = {"iin": ctx.iin("applicant"), "phone": "+77001234567"}
    if person is not None:
        applicant.update(surname=person.surname, name=person.name)
    body = {"serviceCode": service.code, "providerCode": args["provider"], "applicant": applicant,
            "form": args.get("form") or form_for(ctx, service, numbers_as_text=True),
            "documents": [e_copy(c, portal=False)
                          for c in documents_for(service, "con", args, ctx.scenario.setup)]}
    representative = ctx.prepared.representative(ctx)
    if representative:
        body["representative"] = representative
    ctx.state["provider"] = args["provider"]
    r = ctx.call("POST", "/con/applications", json=body, auth=("con", login))
    if r.status_code != 201:
        raise StepError(f"POST /con/applications → {r.status_code}: {r.text[:300]}")
    app = r.json()
    ctx.state["con_application"] = app
    missing = [m.get("documentTypeCode", str(m)) if isinstance(m, dict) else str(m)
               for m in (app.get("completeness") or {}).get("missing") or []]
    if app["status"] == "REFUSED_AT_INTAKE":
        return OpResult(False, f"{app['id']}: incomplete, missing {', '.join(missing)} (K01)")
    return OpResult(True, f"{app['id']}: complete ({len(body['documents'])} documents); status {app['status']}")


def _entry(ctx: PlayContext, node: str) -> list[dict]:
    app = ctx.state.get("con_application")
    if app is None:
        raise Divergence("no application was taken at the ЦОН")
    return [h for h in app.get("history", []) if h.get("step") == node]


def _recorded(ctx: PlayContext, node: str, what: str) -> OpResult:
    entries = _entry(ctx, node)
    if not entries:
        app = ctx.state["con_application"]
        raise Divergence(f"the ЦОН recorded no {node} ({what}) for {app['id']}: history "
                         f"{[(h.get('step'), h.get('event')) for h in app.get('history', [])]}")
    return OpResult(detail=f"{node}: " + "; ".join(str(e.get("message") or e.get("event")) for e in entries))


def operator_login_op(ctx: PlayContext, args: dict) -> OpResult:
    result = _recorded(ctx, "P1", "operator sign-in")
    result.detail = f"operator {ctx.state['con_operator']} signed in; " + result.detail
    return result


def open_application(ctx: PlayContext, args: dict) -> OpResult:
    return _recorded(ctx, "P2", "application form")


def send_queries(ctx: PlayContext, args: dict) -> OpResult:
    result = _recorded(ctx, "P3", "registry queries")
    checks = ctx.state["con_application"].get("registryChecks") or []
    asked = [f"{c['registry']} ({c['serviceId']})" for c in checks if c.get("messageId")]
    result.detail += f"; asked {', '.join(asked) or 'nobody'}"
    return result


def lookup(ctx: PlayContext, args: dict) -> OpResult:
    app = ctx.state["con_application"]
    checks = {c["registry"]: c for c in app.get("registryChecks") or []}
    person = checks.get("GBDFL")
    poa = checks.get("ENIS")
    if person is None:
        raise Divergence(f"the ЦОН recorded no ГБД ФЛ lookup for {app['id']}")
    person_ok = bool(person.get("ok"))
    poa_ok = None if poa is None else bool(poa.get("ok"))
    described = f"ГБД ФЛ {person.get('resultCode') or person.get('reason')}: {'found' if person_ok else 'no data'}"
    if poa is not None:
        described += f"; ЕНИС {poa.get('resultCode') or poa.get('reason')}: {'confirmed' if poa_ok else 'not confirmed'}"
    if args["literal_and"]:
        branch = person_ok if poa_ok is None else (person_ok or poa_ok)  # no only when all are missing
        rule = "literal 'and' (no only when both are missing)"
    else:
        branch = person_ok and poa_ok is not False
        rule = "'or' (either absence blocks)"
    return OpResult(branch, f"{described}; rule {rule}; the ЦОН's status {app['status']}")


def sign_and_send(ctx: PlayContext, args: dict) -> OpResult:
    app = ctx.state["con_application"]
    sent = [h for h in app.get("history", []) if h.get("event") == "PACKAGE_SENT"]
    if not sent:
        if app["status"] == "DATA_UNAVAILABLE":
            raise Divergence(f"the ЦОН ended {app['id']} at P4 (DATA_UNAVAILABLE): it applies the "
                             "'or' rule of condition 1 and has no setting for the literal 'and' "
                             "(c1_literal_and), so the package was never signed and sent")
        raise Divergence(f"the ЦОН did not send {app['id']}: status {app['status']}"
                         + (f", {app.get('sendError')}" if app.get("sendError") else ""))
    ack = (sent[-1].get("detail") or {}).get("acknowledgement") or {}
    if ack.get("inboxId"):
        ctx.state["arm_id"] = int(ack["inboxId"])
    promised = _receipt_date(ctx, app["id"])
    return OpResult(detail=f"signed with the operator's EDS and sent: inbox {ack.get('inboxId')}, "
                           f"signature {ack.get('signatureVerdict')}; the acceptance receipt promises the "
                           f"result on {promised}")


def _receipt_date(ctx: PlayContext, number: str) -> str:
    """The date the acceptance receipt promises (App.4 B10): process 8 is judged against it."""
    r = ctx.call("GET", f"/con/applications/{number}/notices/{ACCEPTANCE_RECEIPT}",
                 auth=("con", ctx.state["con_operator"]))
    if r.status_code != 200:
        raise Divergence(f"the ЦОН issued no receipt on acceptance for {number}: {r.status_code} {r.text[:200]}")
    text = (r.json().get("details") or {}).get("resultDate")
    if not text:
        raise Divergence(f"the receipt on acceptance of {number} states no date for the result")
    ctx.state["receipt_date"] = dt.date.fromisoformat(text)
    return text


def result_received(ctx: PlayContext, args: dict) -> OpResult:
    """X4: the result formed in АРМ РШЭП has reached the ЦОН (App.4, within 1 working day)."""
    number = ctx.state["con_application"]["id"]
    app = ctx.call("GET", f"/con/applications/{number}", auth=("con", ctx.state["con_operator"]),
                   expect=(200,)).json()
    if app["status"] != "RESULT_READY":
        raise Divergence(f"the result has not reached the ЦОН: {number} is {app['status']}")
    return OpResult(detail=f"{number}: the result is at the ЦОН ({app.get('outcome') or 'result'})")


def issue_result(ctx: PlayContext, args: dict) -> OpResult:
    number = ctx.state["con_application"]["id"]
    auth = ("con", ctx.state["con_operator"])
    app = ctx.call("GET", f"/con/applications/{number}", auth=auth, expect=(200,)).json()
    if app["status"] != "RESULT_READY":
        raise Divergence(f"the result has not reached the ЦОН: {number} is {app['status']}")
    xml = ctx.call("GET", f"/con/applications/{number}/result.xml", auth=auth, expect=(200,)).content
    outcome = verify_result(ctx, xml, where="the ЦОН")
    received_by = "representative" if ctx.scenario.personas.get("representative") else "applicant"
    r = ctx.call("POST", f"/con/applications/{number}/issue", auth=auth, json={"receivedBy": received_by})
    if r.status_code != 200 or r.json().get("status") != "ISSUED":
        raise Divergence(f"the operator could not issue the result: {r.status_code} {r.text[:200]}")
    ctx.state["con_application"] = r.json()
    ctx.outcome = outcome
    return OpResult(detail=f"issued to the {received_by}; {outcome.detail}")


OPS = {
    "con.completeness_check": completeness_check,
    "con.operator_login": operator_login_op,
    "con.open_application": open_application,
    "con.send_queries": send_queries,
    "con.lookup": lookup,
    "con.sign_and_send": sign_and_send,
    "con.result_received": result_received,
    "con.issue_result": issue_result,
}
