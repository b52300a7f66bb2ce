"""Seed 001's operations: the Balkhash department (``/balkhash/uo``) with its settlement akims,
and the 2012 ЦОН (``/balkhash/con``), played over their HTTP APIs as their staff would.

A flow of seed 001 plays one service on one channel (docs/scenarios.md): the intake (the талон at
the УО or the akim, the расписка at the ЦОН), the rows of the action table, the реестры between
the ЦОН and the department through ШЭП, the issue. Every branch is what the systems answered:

- the intake's answer (``balkhash.intake``, ``balkhash.con_intake``): a талон or the reasoned
  refusal at the УО, a расписка or the receipt of refusal at the ЦОН;
- the department's assessment of the case against the registers (``balkhash.check``,
  ``GET /cases/{n}/assessment``): the register of unemployed, households and incomes against the
  thresholds, compensations paid, disability, ИПР and contraindications, the documents presented
  and the facts declared.

A refusal is drafted on the grounds the path's "no" named (``balkhash.refusal_ground``), and the
department refuses a grant the registers do not bear out (``422 INELIGIBLE``), so a flow cannot
walk past a check the systems would fail. Each department step is taken by the role the action
table names (``GET /cases/{n}`` → ``nextStep``): the step of the node's row, ``balkhash.step``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from egov_sim.core.clock import ALMATY
from egov_sim.core.working_time import working_time
from egov_sim.portal_mock.balkhash.con.staff import STAFF as CON_STAFF
from egov_sim.portal_mock.balkhash.department import chains
from egov_sim.portal_mock.balkhash.department.staff import OFFICES as UO_OFFICES
from egov_sim.portal_mock.balkhash.department.staff import STAFF, StaffMember
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference.dictionaries import LIFE_DECEASED
from egov_sim.reference.personas import PERSONAS

from .common import Divergence, OpResult, Outcome, PlayContext, StepError

UO_API, CON_API = "/balkhash/uo", "/balkhash/con"
RESULT_KINDS = (("REFUSAL", "refusal"), ("RETURN_LETTER", "return"), ("NOTICE", "notice"),
                ("CERTIFICATE", "certificate"), ("CARD", "registration"))
"""A case's result documents → the outcome a scenario expects, the first found."""
DOCUMENT_GROUNDS = ("MISSING_DOCUMENTS", "INCOMPLETE_OR_UNRELIABLE")
"""Refusal grounds that judge the package: the head of sector's check finds it wanting."""
AKIM_OF_CITY = {"КОНЫРАТ": "AKIM_KONYRAT", "ГУЛЬШАТ": "AKIM_GULSHAT", "САЯК": "AKIM_SAYAK"}


# --- who acts ---------------------------------------------------------------------------------

def service_of(ctx: PlayContext) -> bs.BalkhashService:
    if not ctx.flow.service:
        raise StepError(f"flow {ctx.flow.id} names no seed-001 service")
    return bs.service(ctx.flow.service)


def _channel(ctx: PlayContext) -> str:
    return {"office": bs.UO, "con": bs.CON, "akim": bs.AKIM}[ctx.flow.channel]


def _staff(role: str, unit: str | None = None, office: str | None = None) -> StaffMember:
    for m in STAFF.values():
        if m.role == role and (unit is None or m.unit == unit) and (office is None or m.office == office):
            return m
    raise StepError(f"the department has no {role}" + (f" of unit {unit}" if unit else "")
                    + (f" at {office}" if office else ""))


def _con_staff(role: str) -> str:
    for e in CON_STAFF.values():
        if e.role == role:
            return e.login
    raise StepError(f"the ЦОН has no {role}")


def _akim_office(ctx: PlayContext) -> str:
    person = ctx.person("applicant")
    city = (person.reg_address.city if person is not None and person.reg_address else "") or ""
    return next((code for name, code in AKIM_OF_CITY.items() if name in city.upper()), "AKIM_KONYRAT")


def _login_for(ctx: PlayContext, step: dict, case: dict) -> str:
    """The member the step's role names: the officer named by the resolution, or the unit's."""
    role, service = step["role"], bs.service(case["service"])
    if role == "officer":
        return case.get("executor") or _staff("officer", service.unit).login
    if role == "sector_head":
        return _staff("sector_head", service.unit).login
    if role in ("akim", "akim_commission"):
        return _staff(role, office=case.get("originOffice")).login
    return _staff(role).login


def _signers(ctx: PlayContext) -> None:
    """Who ``signed_by: head`` / ``executor`` names in seed 001: the head of the УО, the unit's
    officer (the executor named by the resolution, when there is one)."""
    service = service_of(ctx)
    executor = ctx.state.get("blh_executor") or _staff("officer", service.unit).login
    ctx.state["staff_signers"] = {"head": {_staff("head").iin: "head"},
                                  "executor": {STAFF[executor].iin: "executor"}}


# --- HTTP -------------------------------------------------------------------------------------

def uo(ctx: PlayContext, method: str, path: str, login: str, **kwargs: Any):
    return ctx.call(method, UO_API + path, auth=("blh_uo", login), **kwargs)


def con(ctx: PlayContext, method: str, path: str, login: str | None, **kwargs: Any):
    return ctx.call(method, CON_API + path, auth=("blh_con", login) if login else None, **kwargs)


def _json(r, what: str, *ok: int) -> dict:
    if r.status_code not in (ok or (200,)):
        raise StepError(f"{what} → {r.status_code}: {r.text[:400]}")
    return r.json()


def _case_number(ctx: PlayContext) -> str:
    number = ctx.state.get("blh_case")
    if number is None:
        raise Divergence("the department holds no case for this application")
    return number


def _case(ctx: PlayContext, login: str | None = None) -> dict:
    login = login or ctx.state.get("blh_viewer") or _staff("head").login
    return _json(uo(ctx, "GET", f"/cases/{_case_number(ctx)}", login), "GET case")


# --- what the applicant files -----------------------------------------------------------------

def _application(ctx: PlayContext, channel: str) -> dict:
    """The application as the scenario files it: category, sub-type, flags, form, documents (every
    document the service requires for them, less ``missing_document``), the subject."""
    service, scenario = service_of(ctx), ctx.scenario
    app = dict(scenario.application)
    person = ctx.person("applicant")
    if person is None:
        raise StepError("the applicant persona has no ГБД ФЛ record")
    category = app.get("category") or (bs.CITIZEN if person.citizenship == "398" else bs.FOREIGNER)
    flags = list(app.get("flags") or [])
    subtype = app.get("subtype")
    form = dict(app.get("form") or {})
    if scenario.setup.get("document_defects"):
        form["documentDefects"] = dict(scenario.setup["document_defects"])
    if scenario.setup.get("declares"):
        form["declared"] = dict(scenario.setup["declares"])
    if "documents" in app:
        documents = list(app["documents"])
    else:
        rules = service.required_documents(category=category, channel=channel, subtype=subtype, flags=flags)
        documents = list(dict.fromkeys(r.accepted[0] for r in rules))
    missing = scenario.setup.get("missing_document") or []
    missing = [missing] if isinstance(missing, str) else list(missing)
    documents = [d for d in documents if d not in missing]
    body: dict[str, Any] = {"service": service.number, "category": category, "flags": flags, "documents": documents,
                            "form": form}
    if subtype:
        body["subtype"] = subtype
    if ctx.iin("subject"):
        body["subjectIin"] = ctx.iin("subject")
    rep = ctx.person("representative")
    if rep is not None:
        body["representative"] = {"fullName": f"{rep.surname} {rep.name} {rep.patronymic or ''}".strip(),
                                  "phone": "+77011112233", "poaNumber": f"ДОВ-{rep.iin[-6:]}"}
    return body


# --- the set-up that acts through the systems ------------------------------------------------------

def _prelude(ctx: PlayContext) -> None:
    """``setup.prior``: a case played first through the department's API (service 1: registered
    as unemployed, or refused; services 6 and 7: the benefit granted), on the scenario's start or
    on the day it names; ``setup.events`` without ``at``: written to the registers before the
    scenario's first act."""
    if ctx.state.get("blh_prelude"):
        return
    ctx.state["blh_prelude"] = True
    notes = []
    for prior in ctx.scenario.setup.get("prior") or []:
        when = ctx.act_time
        if prior.get("on"):
            when = dt.datetime.combine(dt.date.fromisoformat(prior["on"]), dt.time(10), ALMATY)
        ctx.systems.set_time(when)
        try:
            case = _play_prior(ctx, prior)
        finally:
            ctx.systems.set_time(ctx.act_time)
        if case.get("assignment"):
            ctx.state["blh_assignment"] = case["assignment"]
        notes.append(f"service {prior['service']} for {prior['persona']} on {when:%Y-%m-%d}: {case['number']} "
                     f"{case['state']} {case.get('outcome')} {case.get('assignment') or ''}".rstrip())
    for event in ctx.scenario.setup.get("events") or []:
        if event.get("at") is None:
            notes.append(_event(ctx, event))
    if notes:
        ctx.prepared.notes.extend(notes)


def _play_prior(ctx: PlayContext, prior: dict) -> dict:
    """One case of another service, its whole chain at the УО, granted where the registers allow
    (each step by its role; a step's time is not the scenario's)."""
    service = bs.service(prior["service"])
    persona = PERSONAS[prior["persona"]]
    category = bs.CITIZEN if persona.person.citizenship == "398" else bs.FOREIGNER
    rules = service.required_documents(category=category, channel=bs.UO)
    documents = [r.accepted[0] for r in rules if r.accepted[0] != prior.get("missing_document")]
    officer = _staff("officer", service.unit).login
    case = _json(uo(ctx, "POST", "/cases", officer, json={
        "service": service.number, "applicant": {"iin": persona.iin}, "category": category,
        "documents": documents}), f"service {service.number} intake", 201)
    for _ in range(12):
        nxt = case.get("nextStep")
        if case["state"] != "IN_PROGRESS" or nxt is None:
            break
        body = {"grant": {"outcome": "grant"}, "resolve": {"executor": officer},
                "notify": {"method": "in_person"}}
        verb = nxt["verb"]
        payload = body["grant"] if verb in ("draft",) or (verb == "decide" and not case["work"].get("draft")) \
            else body.get(verb, {})
        case = _json(uo(ctx, "POST", f"/cases/{case['number']}/{verb}", _login_for(ctx, nxt, case), json=payload),
                     f"service {service.number} {verb}")
    return case


def _event(ctx: PlayContext, event: dict) -> str:
    """One ``setup.events`` item, written where the registers keep it, by the member who may."""
    persona = PERSONAS[event["persona"]]
    on = event.get("on") or ctx.act_time.astimezone(ALMATY).date().isoformat()
    kind = event["kind"]
    if kind == "DEATH":
        person = _json(ctx.call("GET", f"/admin/persons/{persona.iin}"), "ГБД ФЛ person")
        person["deathDate"] = on
        person["lifeStatus"] = LIFE_DECEASED
        _json(ctx.call("PUT", f"/admin/persons/{persona.iin}", json=person), "ГБД ФЛ death", 200, 201)
        return f"ГБД ФЛ: {event['persona']} deceased on {on}"
    if kind == "CONTRAINDICATION":
        _json(uo(ctx, "POST", f"/registers/medical/{persona.iin}/contraindications", _staff("officer", "veterans").login,
                 json={"measure": event["measure"], "since": on, "note": "scenario set-up"}), "contraindication", 201)
        return f"medical register: {event['persona']} contraindicated for {event['measure']} since {on}"
    if kind == "STATUS":
        _json(uo(ctx, "POST", f"/registers/medical/{persona.iin}/statuses", _staff("officer", "veterans").login,
                 json={"status": event["status"], "since": on}), "status", 201)
        return f"medical register: {event['persona']} {event['status']} since {on}"
    if kind == "ACTIVITY":
        body: dict[str, Any] = {"activity": event["activity"], "activitySince": on}
        if event.get("cares_for"):
            body["caresFor"] = PERSONAS[event["cares_for"]].iin
        _json(uo(ctx, "PUT", f"/registers/members/{persona.iin}", _staff("officer", "benefits").login, json=body),
              "member's occupation")
        return f"households: {event['persona']} {event['activity']}" + (
            f" for {event['cares_for']}" if event.get("cares_for") else "")
    if kind == "INCOME":
        incomes = [{"iin": persona.iin, "month": m, "kind": "SALARY", "amount": event["amount"]}
                   for m in event["months"]]
        _json(uo(ctx, "PUT", "/registers/incomes", _staff("officer", "benefits").login, json={"incomes": incomes}),
              "incomes")
        return f"households: {event['persona']}'s salary {event['amount']} in {', '.join(event['months'])}"
    _json(uo(ctx, "POST", f"/registers/unemployed/{persona.iin}/events", _staff("officer", "employment").login,
             json={"kind": kind, "onDate": on, "note": "scenario set-up"}), "employment event", 201)
    return f"register of unemployed: {event['persona']} {kind} on {on}"


def _readings_match(ctx: PlayContext, wanted: dict[str, Any]) -> None:
    """The department runs under the readings the node names (a server started with others
    cannot play the scenario)."""
    if not wanted:
        return
    have = ctx.state.get("blh_readings")
    if have is None:
        have = ctx.state["blh_readings"] = _json(uo(ctx, "GET", "/readings", _staff("head").login), "readings")
    for name, value in wanted.items():
        if have.get(name) != value:
            raise StepError(f"the department reads {name}={have.get(name)!r}, the scenario wants {value!r}: "
                            f"start the server with that reading (Settings.balkhash_readings)")


# --- the intake at the УО or the akim ------------------------------------------------------------

def accept(ctx: PlayContext, args: dict) -> OpResult:
    """The specialist (or the settlement akim) accepts the application, registers it in the
    journal and gives the талон (POST /balkhash/uo/cases); an incomplete package is refused at
    once under the reading uo_incomplete=refuse_at_intake."""
    _prelude(ctx)
    service, channel = service_of(ctx), _channel(ctx)
    if channel == bs.AKIM:
        login = _staff("akim", office=_akim_office(ctx)).login
    else:
        login = _staff("officer", service.unit).login
    body = _application(ctx, channel)
    body["applicant"] = {"iin": ctx.iin("applicant"), "phone": "+77012345678"}
    body["queue"] = {"arrivedAt": ctx.step_start.astimezone(ALMATY).isoformat(), "personsAhead": 0}
    case = _json(uo(ctx, "POST", "/cases", login, json=body), "POST /balkhash/uo/cases", 201)
    ctx.state.update(blh_case=case["number"], blh_case_json=case, blh_viewer=login,
                     blh_executor=case.get("executor"))
    if case["state"] == "IN_PROGRESS":
        ctx.state.setdefault("promised_dates", {})[ctx.flow.channel] = dt.date.fromisoformat(case["dueOn"])
        _check_artefact(_json(uo(ctx, "GET", f"/documents/{case['talon']}", login), "the талон"), TALON_FIELDS,
                        {"Дата получения государственной услуги": case["dueOn"]})
    _signers(ctx)
    missing = ", ".join(case.get("missingDocuments") or []) or "none"
    return OpResult(detail=f"{case['number']} {case['state']}: талон {case.get('talon') or '—'}, due "
                           f"{case['dueOn']}; {len(body['documents'])} documents, missing {missing}")


def intake(ctx: PlayContext, args: dict) -> OpResult:
    """Was the application accepted with a талон (yes), or refused at acceptance (no)?"""
    _readings_match(ctx, {k: v for k, v in args.items() if k == "uo_incomplete"})
    case = ctx.state.get("blh_case_json")
    if case is None:
        raise Divergence("no application was accepted")
    if case["state"] == "REFUSED_AT_INTAKE":
        return OpResult(False, f"{case['number']}: refused at acceptance ({', '.join(case.get('grounds') or [])}): "
                               f"{case.get('reason')}")
    return OpResult(True, f"{case['number']}: talon {case.get('talon')}, registered {case['registeredAt']}")


# --- the registers' answers -------------------------------------------------------------------

def assessment(ctx: PlayContext) -> dict:
    return _json(uo(ctx, "GET", f"/cases/{_case_number(ctx)}/assessment", ctx.state.get("blh_viewer")
                    or _staff("head").login), "assessment")


def check(ctx: PlayContext, args: dict) -> OpResult:
    """A condition the department answers from the registers: yes when every named check of the
    case's assessment passes (a check that does not apply to the case, e.g. the employer's
    termination without a work injury, is not there and does not fail)."""
    _readings_match(ctx, dict(args.get("readings") or {}))
    found = assessment(ctx)
    checks = {c["code"]: c for c in found["checks"]}
    named = [checks[c] for c in args["checks"] if c in checks]
    failed = [c for c in named if not c["passed"]]
    ctx.state["blh_failed"] = failed
    texts = "; ".join(f"{c['code']}: {c['text']}" for c in named) or "no such check applies"
    return OpResult(not failed, texts)


def refusal_ground(ctx: PlayContext, args: dict) -> OpResult:
    """The reasoned refusal will name this ground of §10 (the failed check's text its reason); the
    drafting row that follows drafts it, and the department verifies the registers bear it out."""
    failed = ctx.state.get("blh_failed") or []
    ground = args["ground"]
    if service_of(ctx).ground(ground) is None:
        raise StepError(f"{ground} is not a ground of service {service_of(ctx).number}")
    reason = "; ".join(c["text"] for c in failed) or ground
    ctx.state.setdefault("grounds", []).append(ground)
    ctx.state.setdefault("reasons", []).append(reason)
    return OpResult(detail=f"ground {ground}: {reason}")


# --- the department's rows ----------------------------------------------------------------------

def _body(ctx: PlayContext, verb: str, case: dict) -> dict:
    grounds = list(dict.fromkeys(ctx.state.get("grounds") or []))
    reason = "; ".join(ctx.state.get("reasons") or []) or "см. основания"
    if verb == "resolve":
        officer = _staff("officer", service_of(ctx).unit).login
        ctx.state["blh_executor"] = officer
        return {"executor": officer}
    if verb == "commission":
        return {"eligible": not grounds, "protocolNumber": f"СК-{case['number'][-6:]}",
                **({"reason": reason} if grounds else {})}
    if verb == "check":
        wanting = [g for g in grounds if g in DOCUMENT_GROUNDS]
        return {"complete": not wanting, **({"remarks": reason} if wanting else {})}
    if verb in ("draft",) or (verb == "decide" and not (case.get("work") or {}).get("draft")):
        if grounds:
            return {"outcome": "refusal", "grounds": grounds, "reasonText": reason}
        return {"outcome": "grant"}
    if verb == "notify":
        return {"method": "in_person",
                "receivedBy": "representative" if ctx.scenario.personas.get("representative") else "applicant"}
    return {}


def step(ctx: PlayContext, args: dict) -> OpResult:
    """The department's steps of this node's row (``GET /cases/{n}`` → ``nextStep`` while its
    cell is the node's), each by the member the step's role names."""
    _readings_match(ctx, dict(args.get("readings") or {}))
    cell = args.get("cell") or ctx.node.cell or ctx.node.id
    done = []
    for _ in range(6):
        case = _case(ctx)
        nxt = case.get("nextStep")
        if case["state"] != "IN_PROGRESS" or nxt is None or nxt.get("cell") != cell:
            break
        login = _login_for(ctx, nxt, case)
        verb = nxt["verb"]
        if verb == "dispatch":
            r = _json(uo(ctx, "POST", "/transfers", login, json={"cases": [case["number"]]}), "dispatch", 201)
            ctx.state["blh_transfer_back"] = r["transfer"]["number"]
            if r["transfer"].get("status") != "SENT":
                raise StepError(f"the реестр {r['transfer']['number']} was not delivered: {r['transfer']}")
            done.append(f"dispatch by {login}: реестр {r['transfer']['number']} SENT through ШЭП")
            continue
        r = uo(ctx, "POST", f"/cases/{case['number']}/{verb}", login, json=_body(ctx, verb, case))
        if r.status_code != 200:
            raise StepError(f"{verb} (row {nxt['row']}) by {login} → {r.status_code}: {r.text[:400]}")
        after = r.json()
        if verb in ("forward",):
            ctx.state["blh_viewer"] = _staff("head").login
        done.append(f"{verb} by {login}")
        if after["state"] == "COMPLETED":  # the office's last row hands the result over
            ctx.outcome = _outcome_of_case(ctx, after)
    else:
        raise StepError(f"row {cell} did not end after six steps")
    if not done:
        case = _case(ctx)
        raise Divergence(f"the department has no step of row {cell} open for {case['number']}: it is "
                         f"{case['state']}, next {(case.get('nextStep') or {}).get('verb')} "
                         f"(row {(case.get('nextStep') or {}).get('cell')})")
    return OpResult(detail="; ".join(done))


def result(ctx: PlayContext, args: dict) -> OpResult:
    """The case's result as the applicant gets it at the office (a refusal at acceptance)."""
    case = _case(ctx)
    ctx.outcome = _outcome_of_case(ctx, case)
    return OpResult(detail=f"{case['number']} {case['state']}: {ctx.outcome.detail}")


def _outcome_of_case(ctx: PlayContext, case: dict) -> Outcome:
    _same_channel(ctx, case)
    return _outcome_of_documents(ctx, case.get("resultDocuments") or [], ctx.state.get("blh_viewer"))


def _same_channel(ctx: PlayContext, case: dict) -> None:
    """§20 idea 77: a case opened at the ЦОН returns its result through the ЦОН; one opened at
    the УО or the akim never touches it."""
    came_from = case.get("conApplication")
    if ctx.flow.channel == bs.CON and came_from != ctx.state.get("blh_app"):
        raise Divergence(f"{case['number']} is not the case of the ЦОН's application {ctx.state.get('blh_app')} "
                         f"(it names {came_from})")
    if ctx.flow.channel != bs.CON and came_from:
        raise Divergence(f"{case['number']}, opened at the {ctx.flow.channel}, went through the ЦОН ({came_from})")


def _outcome_of_documents(ctx: PlayContext, numbers: list[str], login: str | None) -> Outcome:
    docs = {}
    for number in numbers:
        d = _json(uo(ctx, "GET", f"/documents/{number}", login or _staff("head").login), f"document {number}")
        docs[d["kind"]] = d
    kind, doc = next(((k, docs[d]) for d, k in RESULT_KINDS if d in docs), (None, None))
    if doc is None:
        return Outcome("unknown", detail=f"no result document among {sorted(docs) or 'none'}")
    signer = STAFF.get(doc.get("signedBy") or ((doc.get("fields") or {}).get("signature") or {}).get("login") or "")
    office = UO_OFFICES[signer.office] if signer else None
    return Outcome(kind, signer_iin=signer.iin if signer else None, signer_bin=office.bin if office else None,
                   signer_name=signer.full_name if signer else None, signature_valid=None,
                   detail=f"{doc['kind']} {doc['number']} «{doc['title']}» signed by {doc.get('signedBy')}")


def return_to_con(ctx: PlayContext, args: dict) -> OpResult:
    """§10: errors or an incomplete package from the ЦОН: the УО returns the documents to the
    ЦОН with a written justification (POST /cases/{n}/return, a реестр back through ШЭП)."""
    failed = ctx.state.get("blh_failed") or []
    reasons = [c["text"] for c in failed] or ["ошибки в оформлении документов"]
    case = _case(ctx)
    login = case.get("executor") or _staff("officer", service_of(ctx).unit).login
    r = _json(uo(ctx, "POST", f"/cases/{case['number']}/return", login, json={"reasons": reasons}), "return")
    ctx.state["blh_transfer_back"] = r["transfer"]["number"]
    return OpResult(detail=f"returned by {login} with реестр {r['transfer']['number']} "
                           f"({r['transfer'].get('status')}): {'; '.join(reasons)}")


def suspend(ctx: PlayContext, args: dict) -> OpResult:
    """The head suspends the case on the service's suspension ground (service 15 under the
    reading s15_incomplete=suspension: "отказа (приостановления)", D41)."""
    failed = ctx.state.get("blh_failed") or []
    case = _json(uo(ctx, "POST", f"/cases/{_case_number(ctx)}/suspend", _staff("head").login, json={
        "ground": args["ground"], "reasonText": "; ".join(c["text"] for c in failed) or args["ground"]}),
        "suspend")
    _signers(ctx)
    ctx.outcome = Outcome("suspended", signer_iin=_staff("head").iin, signer_name=_staff("head").full_name,
                          detail=f"{case['number']} {case['state']} on {args['ground']}")
    return OpResult(detail=f"{case['number']} {case['state']}: {args['ground']}")


def reading(ctx: PlayContext, args: dict) -> OpResult:
    """A branch the regulation leaves to a reading (service 15: refusal or suspension), answered
    by the reading the department runs under (GET /balkhash/uo/readings)."""
    _readings_match(ctx, {args["reading"]: args["value"]})
    have = ctx.state["blh_readings"][args["reading"]]
    return OpResult(have == args["yes_when"], f"the department reads {args['reading']}={have}")


def uo_receive(ctx: PlayContext, args: dict) -> OpResult:
    """The department receives the ЦОН's package by the реестр (POST /transfers/{n}/receive): the
    case is opened, registered in the journal."""
    service = service_of(ctx)
    number = ctx.state.get("blh_transfer_out")
    if number is None:
        raise Divergence("the ЦОН sent no реестр")
    first = chains.chain(service.number, bs.CON)[0]
    login = _staff(first.role, service.unit if first.role == "officer" else None).login
    r = _json(uo(ctx, "POST", f"/transfers/{number}/receive", login), "receive реестр", 201)
    (case,) = r["cases"]
    ctx.state.update(blh_case=case["number"], blh_viewer=_staff("head").login, blh_executor=case.get("executor"))
    _signers(ctx)
    return OpResult(detail=f"реестр {number} received by {login}: case {case['number']}, journal "
                           f"{case['journalNumber']}, missing {', '.join(case['missingDocuments']) or 'none'}")


# --- the 2012 ЦОН --------------------------------------------------------------------------------

def _app(ctx: PlayContext) -> str:
    number = ctx.state.get("blh_app")
    if number is None:
        raise Divergence("the ЦОН holds no application")
    return number


def con_submit(ctx: PlayContext, args: dict) -> OpResult:
    """The applicant takes a ticket of the electronic queue, is called to a window and hands the
    documents over: the consultant registers them in the journal, or the inspector accepts them
    with the расписка (POST /balkhash/con/applications)."""
    _prelude(ctx)
    service = service_of(ctx)
    login = _con_staff(args["by"])
    ticket = _ticket(ctx, service, "submit")
    _json(con(ctx, "POST", "/queue/call", login, json={"purpose": "submit"}), "call")
    body = _application(ctx, bs.CON)
    person = ctx.person("applicant")
    body["applicant"] = {"iin": ctx.iin("applicant"), "surname": person.surname, "name": person.name,
                         "phone": "+77012345678"}
    if person.patronymic:
        body["applicant"]["patronymic"] = person.patronymic
    body["ticket"] = ticket["number"]
    app = _json(con(ctx, "POST", "/applications", login, json=body), "POST /balkhash/con/applications", 201)
    ctx.state.update(blh_app=app["number"], blh_app_json=app)
    _receipt(ctx, app)
    return OpResult(detail=f"ticket {ticket['number']}; {app['number']} {app['status']} by {login}"
                           + (f", missing {', '.join(app['missingDocuments'])}" if app.get("missingDocuments") else ""))


def _ticket(ctx: PlayContext, service: bs.BalkhashService, purpose: str) -> dict:
    """The kiosk's ticket, taken when the applicant arrives: on the day of the act (the electronic
    queue is a day's), at the start of the step or the centre's opening that day, whichever is
    later (the systems' clock moves back to it for the call, then on to the act)."""
    hours = working_time(ctx.flow.hours_for(ctx.node))
    act = ctx.act_time.astimezone(ALMATY)
    opening = hours.next_working_moment(dt.datetime.combine(act.date(), dt.time(0), ALMATY))
    ctx.systems.set_time(min(max(hours.next_working_moment(ctx.step_start), opening), act))
    try:
        return _json(con(ctx, "POST", "/queue/tickets", None, json={"service": service.number, "purpose": purpose}),
                     "ticket", 201)
    finally:
        ctx.systems.set_time(ctx.act_time)


TALON_FIELDS = ("Дата регистрации", "Дата получения государственной услуги", "Документы принял")
"""What the талон shows (seed 001 §7 of each service; regulations-balkhash §20 idea 41): the
registration date, the date the service will be received, who accepted the documents."""
RECEIPT_FIELDS = ("Номер заявления", "Дата приема заявления", "Вид запрашиваемой государственной услуги",
                  "Количество приложенных документов", "Названия приложенных документов", "Дата выдачи документов",
                  "Время выдачи документов", "Место выдачи документов", "Инспектор центра, принявший заявление")
"""The расписка's five fields (service 2 §12, the others refer to it): the application's number
and date, the service, the number and names of the documents, the date, time and place of
issue, the inspector's full name."""


def _check_artefact(paper: dict, labels: tuple[str, ...], values: dict[str, str]) -> None:
    """The талон or the расписка carries every field the regulation lists, with the dates the
    system promised: a paper that lacks one is a divergence (§20 idea 41)."""
    rows = {label: value for label, value in (paper.get("fields") or {}).get("rows", [])}
    missing = [label for label in labels if not rows.get(label)]
    if missing:
        raise Divergence(f"{paper.get('title')} {paper.get('number')} lacks {', '.join(missing)}")
    wrong = [f"{label} {rows[label]!r}, not {value!r}" for label, value in values.items() if rows.get(label) != value]
    if wrong:
        raise Divergence(f"{paper.get('title')} {paper.get('number')}: {'; '.join(wrong)}")


def _receipt(ctx: PlayContext, app: dict) -> None:
    if app.get("receipt") and app.get("issueDate") and app["status"] != "REFUSED_AT_INTAKE":
        ctx.state["blh_receipt"] = app["receipt"]
        ctx.state["receipt_date"] = dt.date.fromisoformat(app["issueDate"])
        papers = _json(con(ctx, "GET", f"/applications/{app['number']}/papers", _con_staff("inspector")), "papers")
        paper = next((p for p in papers["papers"] if p["number"] == app["receipt"]), None)
        if paper is None:
            raise Divergence(f"{app['number']}: the расписка {app['receipt']} is not among its papers")
        _check_artefact(paper, RECEIPT_FIELDS, {"Номер заявления": app["number"],
                                                "Дата выдачи документов": app["issueDate"]})


def con_accept(ctx: PlayContext, args: dict) -> OpResult:
    """The operating-hall inspector checks the documents the consultant registered and gives the
    расписка (POST /applications/{n}/accept)."""
    login = _con_staff("inspector")
    app = _json(con(ctx, "POST", f"/applications/{_app(ctx)}/accept", login), "accept")
    ctx.state["blh_app_json"] = app
    _receipt(ctx, app)
    return OpResult(detail=f"{app['number']} {app['status']}: расписка {app.get('receipt')}, issue on "
                           f"{app.get('issueDate')}")


def con_intake(ctx: PlayContext, args: dict) -> OpResult:
    """Did the ЦОН accept the package (yes), or refuse it with the receipt listing the missing
    documents (no)?"""
    app = ctx.state.get("blh_app_json")
    if app is None:
        raise Divergence("no application was taken at the ЦОН")
    if app["status"] == "REFUSED_AT_INTAKE":
        return OpResult(False, f"{app['number']}: refused at intake, missing "
                               f"{', '.join(app.get('missingDocuments') or []) or '—'}")
    return OpResult(True, f"{app['number']}: {app['status']}")


def con_refusal_receipt(ctx: PlayContext, args: dict) -> OpResult:
    """The receipt of refusal to accept, listing the missing documents (service 11 §10)."""
    login = _con_staff("inspector")
    papers = _json(con(ctx, "GET", f"/applications/{_app(ctx)}/papers", login), "papers")
    found = [p for p in papers.get("papers", []) if p.get("kind") == "REFUSAL_RECEIPT"]
    if not found:
        raise Divergence(f"the ЦОН issued no receipt of refusal for {_app(ctx)}: {papers}")
    by = CON_STAFF.get(found[0].get("createdBy") or found[0].get("by") or "")
    ctx.outcome = Outcome("notice:refusal_receipt", signer_iin=by.iin if by else None,
                          signer_name=by.full_name if by else None, detail=f"{found[0]['number']}")
    return OpResult(detail=f"receipt of refusal {found[0]['number']}")


def con_handover(ctx: PlayContext, args: dict) -> OpResult:
    """The inspector hands the documents to the накопительный сектор."""
    app = _json(con(ctx, "POST", f"/applications/{_app(ctx)}/handover", _con_staff("inspector")), "handover")
    return OpResult(detail=f"{app['number']} {app['status']}")


def con_transfer(ctx: PlayContext, args: dict) -> OpResult:
    """The накопительный сектор makes up the реестр and sends the documents to the УО through ШЭП."""
    if args.get("handover"):
        con_handover(ctx, {})
    login = _con_staff("accumulation")
    r = _json(con(ctx, "POST", "/transfers", login, json={"applications": [_app(ctx)]}), "реестр", 201)
    t = r["transfer"]
    ctx.state["blh_transfer_out"] = t["number"]
    if t.get("status") != "SENT":
        raise StepError(f"the реестр {t['number']} was not delivered to the УО: {t}")
    return OpResult(detail=f"реестр {t['number']} SENT through ШЭП (message {t.get('shepMessageId')})")


def con_results(ctx: PlayContext, args: dict) -> OpResult:
    """The накопительный сектор accepts the УО's реестр of results (or of returns)."""
    number = ctx.state.get("blh_transfer_back")
    if number is None:
        raise Divergence("the УО sent nothing back to the ЦОН")
    r = _json(con(ctx, "POST", f"/transfers/{number}/accept", _con_staff("accumulation")), "accept реестр")
    app = next(a for a in r["applications"] if a["number"] == _app(ctx))
    ctx.state["blh_app_json"] = app
    return OpResult(detail=f"реестр {number} accepted: {app['number']} {app['status']} ({app.get('outcome')})")


def con_outcome(ctx: PlayContext, args: dict) -> OpResult:
    """Is the result the ЦОН received from the УО a grant (yes), or a refusal (no)?"""
    app = ctx.state.get("blh_app_json") or {}
    return OpResult(app.get("outcome") == "grant", f"{app.get('number')}: the УО's result is {app.get('outcome')}")


def con_inform(ctx: PlayContext, args: dict) -> OpResult:
    """The ЦОН informs the applicant of a return or a refusal (service 11 §10: within 1 wd)."""
    app = _json(con(ctx, "POST", f"/applications/{_app(ctx)}/inform", _con_staff("issuing"),
                    json={"method": "phone"}), "inform")
    entry: dict[str, Any] = next((h for h in reversed(app.get("history") or []) if h.get("event") == "APPLICANT_INFORMED"), {})
    return OpResult(detail=f"{app['number']} {app['status']}: informed by phone "
                           f"{(entry.get('detail') or {}).get('informBy', '')}")


def con_issue(ctx: PlayContext, args: dict) -> OpResult:
    """The сектор выдачи hands the result over against the расписка the applicant presents."""
    service = service_of(ctx)
    login = _con_staff("issuing")
    ticket = _ticket(ctx, service, "collect")
    _json(con(ctx, "POST", "/queue/call", login, json={"purpose": "collect"}), "call")
    received_by = "representative" if ctx.scenario.personas.get("representative") else "applicant"
    app = _json(con(ctx, "POST", f"/applications/{_app(ctx)}/issue", login, json={
        "receiptNumber": ctx.state.get("blh_receipt"), "receivedBy": received_by, "ticket": ticket["number"]}),
        "issue")
    ctx.outcome = _outcome_of_documents(ctx, app.get("result") or [], _staff("head").login)
    return OpResult(detail=f"{app['number']} ISSUED to the {received_by}: {ctx.outcome.detail}")


def con_return_documents(ctx: PlayContext, args: dict) -> OpResult:
    """The returned package goes back to the applicant with the УО's written justification."""
    app = _json(con(ctx, "POST", f"/applications/{_app(ctx)}/return-documents", _con_staff("issuing"), json={}),
                "return documents")
    ctx.outcome = _outcome_of_documents(ctx, app.get("result") or [], _staff("head").login)
    return OpResult(detail=f"{app['number']} {app['status']}: {ctx.outcome.detail}")


# --- after a grant: the assignment ------------------------------------------------------------------

def _assignment(ctx: PlayContext) -> str:
    _prelude(ctx)
    number = ctx.state.get("blh_assignment")
    if number is None:
        raise Divergence("no assignment: the scenario's setup grants none (setup prior, service 6 or 7)")
    return number


def confirm_quarter(ctx: PlayContext, args: dict) -> OpResult:
    """§13: "ежеквартально подтверждается представлением документов о доходах": the specialist
    confirms the quarter the act falls in against the income of the quarter before it."""
    number = _assignment(ctx)
    on = ctx.act_time.astimezone(ALMATY).date()
    quarter = f"{on.year}Q{(on.month - 1) // 3 + 1}"
    a = _json(uo(ctx, "POST", f"/registers/assignments/{number}/confirm", _staff("officer", "benefits").login,
                 json={"quarter": quarter}), "confirm the quarter")
    last = (a.get("confirmations") or [{}])[-1]
    return OpResult(detail=f"{number} {quarter}: {last.get('outcome')} ({(last.get('detail') or {}).get('perCapitaIncome')} "
                           f"against {(last.get('detail') or {}).get('threshold')}); status {a['status']}")


def assignment(ctx: PlayContext, args: dict) -> OpResult:
    """A condition the registers answer after the grant: QUARTER_CONFIRMED (the assignment stands
    after the quarter's confirmation), or a termination ground of §10 the review finds
    (CHILD_ALIVE, NOT_ON_STATE_SUPPORT, PARENTAL_RIGHTS_HELD; GET …/review)."""
    number = _assignment(ctx)
    head = _staff("head").login
    if args["check"] == "QUARTER_CONFIRMED":
        a = _json(uo(ctx, "GET", f"/registers/assignments/{number}", head), "assignment")
        return OpResult(a["status"] == "ACTIVE", f"{number}: {a['status']} ({a.get('ground') or 'confirmed'})")
    review = _json(uo(ctx, "GET", f"/registers/assignments/{number}/review", head), "review")
    found = next(c for c in review["checks"] if c["code"] == args["check"])
    ctx.state["blh_termination"] = found
    return OpResult(found["passed"], f"{number}: {found['code']}: {found['text']}")


def terminate(ctx: PlayContext, args: dict) -> OpResult:
    """§10: the head terminates the benefit on the ground the registers hold."""
    number = _assignment(ctx)
    found = ctx.state.get("blh_termination") or {}
    body: dict[str, Any] = {"ground": args["ground"]}
    if (found.get("detail") or {}).get("childIin"):
        body["childIin"] = found["detail"]["childIin"]
    head = _staff("head")
    a = _json(uo(ctx, "POST", f"/registers/assignments/{number}/terminate", head.login, json=body), "terminate")
    ctx.outcome = Outcome("terminated", signer_iin=head.iin, signer_name=head.full_name,
                          detail=f"{number} {a['status']} on {a['statusOn']}: {a['ground']}")
    ctx.state["staff_signers"] = {"head": {head.iin: "head"}}
    return OpResult(detail=ctx.outcome.detail)


def assignment_result(ctx: PlayContext, args: dict) -> OpResult:
    """What the family is told after the quarter: the right confirmed, or ended for want of it."""
    number = _assignment(ctx)
    a = _json(uo(ctx, "GET", f"/registers/assignments/{number}", _staff("head").login), "assignment")
    kind = "confirmed" if a["status"] == "ACTIVE" else "terminated"
    ctx.outcome = Outcome(kind, detail=f"{number} {a['status']} until {a.get('endsOn')} ({a.get('ground') or '—'})")
    return OpResult(detail=ctx.outcome.detail)


def _with_events(op: Callable[[PlayContext, dict], OpResult]) -> Callable[[PlayContext, dict], OpResult]:
    """``setup.events`` with ``at: NODE`` are written to the registers just before that node plays
    (a child's death between the grant and the termination)."""
    def run(ctx: PlayContext, args: dict) -> OpResult:
        for event in ctx.scenario.setup.get("events") or []:
            if event.get("at") == (ctx.node.id if ctx.node else None):
                ctx.prepared.notes.append(_event(ctx, event))
        return op(ctx, args)
    run.__doc__ = op.__doc__
    return run


_OPS: dict[str, Callable[[PlayContext, dict], OpResult]] = {
    "balkhash.accept": accept,
    "balkhash.intake": intake,
    "balkhash.check": check,
    "balkhash.refusal_ground": refusal_ground,
    "balkhash.step": step,
    "balkhash.result": result,
    "balkhash.return": return_to_con,
    "balkhash.suspend": suspend,
    "balkhash.reading": reading,
    "balkhash.con_outcome": con_outcome,
    "balkhash.receive": uo_receive,
    "balkhash.con_submit": con_submit,
    "balkhash.con_accept": con_accept,
    "balkhash.con_intake": con_intake,
    "balkhash.con_refusal_receipt": con_refusal_receipt,
    "balkhash.con_handover": con_handover,
    "balkhash.con_transfer": con_transfer,
    "balkhash.con_results": con_results,
    "balkhash.con_inform": con_inform,
    "balkhash.con_issue": con_issue,
    "balkhash.con_return_documents": con_return_documents,
    "balkhash.confirm_quarter": confirm_quarter,
    "balkhash.assignment": assignment,
    "balkhash.terminate": terminate,
    "balkhash.assignment_result": assignment_result,
}

OPS = {name: _with_events(op) for name, op in _OPS.items()}
"""Operation name → the function that plays it."""
