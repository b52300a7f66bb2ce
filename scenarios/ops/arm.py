"""The provider's operations in АРМ РШЭП (/arm): the clerk registers, the head assigns and signs,
the executor reviews, drafts (or refuses) and issues.

Each staff member signs in with their own account, so the АРМ's role checks (who may register,
who signs for a rural akim) are exercised as the regulation distributes the steps.
"""

from __future__ import annotations

from egov_sim.gateway.rshep.staff import STAFF, login_for
from egov_sim.reference.catalogue import PROVIDERS
from egov_sim.reference.personas import PERSONAS

from .common import Divergence, OpResult, PlayContext, StepError
from .documents import verify_result


def staff_login(ctx: PlayContext, role: str, office: str | None = None) -> str:
    """The АРМ login of ``role`` at the request's office: the scenario's persona for that role
    when it names one of the office's staff, else the office's own."""
    office = office or provider(ctx)
    key = ctx.scenario.personas.get(role)
    if key:
        iin = PERSONAS[key].iin
        for m in STAFF.values():
            if m.iin == iin and m.provider == office and m.role == role:
                return m.login
    return login_for(office, role)


def provider(ctx: PlayContext) -> str:
    code = ctx.state.get("provider")
    if code is None:
        raise StepError("no provider office is known for this request")
    return code


def signing_office(ctx: PlayContext) -> str:
    """Whose head signs: the office's own, for a rural akim the district akimat's (000 §5.4)."""
    office = PROVIDERS[provider(ctx)]
    return office.parent or office.code


def request_id(ctx: PlayContext) -> int:
    rid = ctx.state.get("arm_id")
    if rid is None:
        rid = _find_in_inbox(ctx)
    if rid is None:
        raise Divergence("the request never reached the provider's АРМ")
    return rid


def _find_in_inbox(ctx: PlayContext) -> int | None:
    """An AsyncChannel sender gets no handle in the АРМ: the clerk finds the request in the
    office's inbox by the origin's number (the portal request or the ЦОН application)."""
    origin = ctx.state.get("portal_request") or (ctx.state.get("con_application") or {}).get("id")
    if origin is None or ctx.state.get("provider") is None:
        return None
    r = ctx.call("GET", "/arm/requests", auth=("arm", staff_login(ctx, "clerk")), expect=(200,))
    found = next((q["id"] for q in r.json()["requests"] if q["requestId"] == origin), None)
    if found is not None:
        ctx.state["arm_id"] = found
    return found


def act(ctx: PlayContext, role: str, action: str, body: dict | None = None, *,
        office: str | None = None, login: str | None = None) -> dict:
    """One staff action; a refusal by the АРМ (role, state) is a divergence with its reason."""
    login = login or staff_login(ctx, role, office)
    r = ctx.call("POST", f"/arm/requests/{request_id(ctx)}/{action}", json=body or {}, auth=("arm", login))
    if r.status_code != 200:
        raise Divergence(f"АРМ refused '{action}' by {login}: {r.status_code} {r.text[:300]}")
    answer = r.json()
    ctx.state["arm_request"] = answer["request"]
    if answer["request"].get("terms"):
        ctx.state["arm_terms"] = answer["request"]["terms"]
    failed = [d for d in answer.get("deliveries", []) if d.get("state") in ("failed", "no_route")]
    if failed:
        raise Divergence(f"'{action}': the АРМ could not deliver {failed} through ШЭП")
    return answer["request"]


def view(ctx: PlayContext) -> dict:
    login = staff_login(ctx, "clerk")
    r = ctx.call("GET", f"/arm/requests/{request_id(ctx)}", auth=("arm", login), expect=(200,))
    ctx.state["arm_request"] = r.json()
    return r.json()


def register(ctx: PlayContext, args: dict) -> OpResult:
    ctx.state.setdefault("provider", args["provider"])
    req = act(ctx, "clerk", "register")
    return OpResult(detail=f"registered as {req['registrationNumber']}, result due {req['dueAt']}"
                           + _term_note(req))


def assign(ctx: PlayContext, args: dict) -> OpResult:
    executor = args.get("executor") or staff_login(ctx, "executor")
    req = act(ctx, "head", "assign", {"executor": executor})
    ctx.state["executor"] = executor
    return OpResult(detail=f"{staff_login(ctx, 'head')} appointed {req['executor']}")


def review(ctx: PlayContext, args: dict) -> OpResult:
    """The executor takes the request into review; the branch is the executor's finding on what
    the АРМ shows (the documents it recorded as missing) and the scenario's set-up (a document
    damaged, or violations the executor finds: what only a person can judge)."""
    req = act(ctx, "executor", "review", login=_executor(ctx))
    setup = ctx.scenario.setup
    recorded = (req.get("checks") or {}).get("missingDocuments") or []
    if args["check"] == "conformity":
        if recorded:  # what was handed over comes first: a missing document is a violation
            ctx.state["refusal_reason"] = "Не представлены документы: " + ", ".join(recorded)
            ctx.state["violations"] = [{"documentTypeCode": c, "description": "Документ не представлен"}
                                       for c in recorded]
            return OpResult(False, f"documents not handed over: {', '.join(recorded)} "
                                   "(the АРМ recorded them missing; K06, K12)")
        reason = setup.get("executor_refuses")
        if reason:
            ctx.state["refusal_reason"] = reason
            return OpResult(False, f"the executor finds violations: {reason} (K06)")
        return OpResult(True, "the documents conform and there are grounds (K06)")
    incomplete = setup.get("documents_incomplete")
    if recorded or incomplete:
        named = recorded or (incomplete if isinstance(incomplete, list) else [])
        ctx.state["insufficient"] = list(named)
        source = "the АРМ recorded them missing" if recorded else "damaged or insufficient (set-up)"
        return OpResult(False, f"documents insufficient: {', '.join(named) or 'as presented'} ({source}; K15)")
    return OpResult(True, "the documents are sufficient and presentable (K15)")


def draft(ctx: PlayContext, args: dict) -> OpResult:
    notes = []
    if args.get("extend_term"):
        req = act(ctx, "executor", "extend", {"reason": "Документы недостаточны, повреждены или утеряны (§5.3)",
                                              "missingDocuments": ctx.state.get("insufficient", [])},
                  login=_executor(ctx))
        notes.append(f"term extended: result due {req['dueAt']}" + _term_note(req))
    req = act(ctx, "executor", "draft", {"documentsConform": True, "decisionText": "Назначить",
                                         "amount": 45000}, login=_executor(ctx))
    if req["state"] != "AWAITING_SIGNATURE":
        raise Divergence(f"the drafted decision is {req['state']}, not with the head for signature")
    notes.append("decision drafted, with the head for signature")
    return OpResult(detail="; ".join(notes))


def refuse(ctx: PlayContext, args: dict) -> OpResult:
    reason = ctx.state.get("refusal_reason") or ctx.scenario.setup.get("executor_refuses") or "Нарушения в документах"
    body = {"documentsConform": False, "reasonText": reason,
            "reasonCode": args.get("reason_code", "DOCUMENT_VIOLATIONS"),
            "violations": ctx.state.get("violations", [])}
    req = act(ctx, "executor", "draft", body, login=_executor(ctx))
    via_head = (req.get("draft") or {}).get("refusalViaHead")
    if via_head is not None and via_head != args["via_head"]:
        raise Divergence(f"the АРМ routes the refusal {'via' if via_head else 'past'} the head "
                         f"(refusal_via_head={via_head}); the scenario reads it as "
                         f"refusal_via_head={args['via_head']}")
    if args["via_head"]:  # the head signs it (A4) and the executor registers and issues it (A5)
        if req["state"] != "AWAITING_SIGNATURE":
            raise Divergence(f"the drafted refusal is {req['state']}, not with the head for signature")
        return OpResult(detail=f"reasoned refusal drafted: {reason}; with the head for signature")
    act(ctx, "executor", "issue", login=_executor(ctx))
    ctx.outcome = _arm_result(ctx)
    return OpResult(detail=f"reasoned refusal drafted: {reason}; certified with the executor's own EDS, "
                           f"registered in the journal and issued; {ctx.outcome.detail}")


def sign(ctx: PlayContext, args: dict) -> OpResult:
    office = signing_office(ctx)
    req = act(ctx, "head", "sign", office=office)
    return OpResult(detail=f"signed by {req['signedBy']} (K13/K14), journal {req['journalNumber']}")


def send_result(ctx: PlayContext, args: dict) -> OpResult:
    req = act(ctx, "executor", "issue", login=_executor(ctx))
    ctx.outcome = _arm_result(ctx)
    to = "through ШЭП to " + req["origin"] if req.get("origin") else "in person at the office"
    return OpResult(detail=f"issued {to}: {ctx.outcome.detail}")


def check_state(ctx: PlayContext, args: dict) -> OpResult:
    req = view(ctx)
    if req["state"] != args["state"]:
        raise Divergence(f"the request is {req['state']} in the АРМ, not {args['state']}")
    return OpResult(detail=f"the request is {req['state']}")


def _term_note(req: dict) -> str:
    term = req.get("term") or {}
    return f" ({term['term']}: {term['allowed']})" if term else ""


def _executor(ctx: PlayContext) -> str:
    return ctx.state.get("executor") or staff_login(ctx, "executor")


def _arm_result(ctx: PlayContext):
    login = _executor(ctx)
    r = ctx.call("GET", f"/arm/requests/{request_id(ctx)}/result", auth=("arm", login))
    if r.status_code != 200:
        raise Divergence(f"the АРМ has no signed result: {r.status_code} {r.text[:200]}")
    return verify_result(ctx, r.content, where="the АРМ")


OPS = {
    "arm.register": register,
    "arm.assign": assign,
    "arm.review": review,
    "arm.draft": draft,
    "arm.refuse": refuse,
    "arm.sign": sign,
    "arm.send_result": send_result,
    "arm.check_state": check_state,
}
