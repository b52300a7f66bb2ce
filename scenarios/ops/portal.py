"""The portal's operations (egov.kz, /portal): registration, condition 1 (sign-in), the form,
000's eligibility (K16), condition 2 (the applicant's EDS) and the personal cabinet.

One portal call may answer several nodes: the draft answers process 3 and 000's condition 0
(eligibility is checked from the form), the submission answers condition 2 and sends the
request through ШЭП (process 5). The first operation of such a group calls; the others read the
answer it left in ``ctx.state``.
"""

from __future__ import annotations

import base64

from lxml import etree

from egov_sim.signing.enveloped import sign_enveloped

from .common import (
    PORTAL_PASSWORD,
    Divergence,
    OpResult,
    PlayContext,
    StepError,
    documents_for,
    e_copy,
    error_code,
    form_for,
    service_of,
)
from .documents import verify_result

STATUS_ORDER = ("submitted", "sending", "not_delivered", "accepted", "registered", "in_review",
                "result_ready", "refused")


def register(ctx: PlayContext, args: dict) -> OpResult:
    iin = ctx.iin("applicant")
    password = args.get("password", PORTAL_PASSWORD)
    ctx.state["portal_password"] = password
    r = ctx.call("POST", "/portal/register", json={"iin": iin, "password": password})
    if r.status_code == 201:
        return OpResult(detail=f"registered {iin} on the portal")
    if error_code(r) == "ACCOUNT_EXISTS":
        return OpResult(detail=f"{iin} is already registered on the portal; goes on")
    raise Divergence(f"the portal refused to register {iin}: {r.status_code} {_error_text(r)}")


def login(ctx: PlayContext, args: dict) -> OpResult:
    iin, password = ctx.prepared.portal_credentials(ctx)
    r = ctx.call("POST", "/portal/login", json={"iin": iin, "password": password})
    if r.status_code == 200:
        ctx.sessions[("portal", iin)] = r.json()["token"]
        ctx.state["portal_user"] = iin
        return OpResult(True, f"signed in as {iin} (POST /portal/login → 200)")
    if r.status_code in (401, 429):
        ctx.state["portal_notice"] = _notice(r)
        return OpResult(False, f"POST /portal/login → {r.status_code} {_error_text(r)}")
    raise StepError(f"POST /portal/login → {r.status_code}: {r.text[:300]}")


def fill_form(ctx: PlayContext, args: dict) -> OpResult:
    service = service_of(args)
    body = {"serviceCode": service.code, "providerCode": args["provider"],
            "form": args.get("form") or form_for(ctx, service),
            "attachments": [e_copy(c, portal=True)
                            for c in documents_for(service, "portal", args, ctx.scenario.setup)]}
    ctx.state["provider"] = args["provider"]
    r = ctx.call("POST", "/portal/requests/draft", json=body, auth=_auth(ctx))
    if r.status_code == 201:
        draft = r.json()
        ctx.state["portal_request"] = draft["requestId"]
        ctx.state["portal_draft"] = draft["xml"].encode()
        return OpResult(detail=f"draft {draft['requestId']} (POST /portal/requests/draft → 201)")
    if error_code(r) == "NOT_ELIGIBLE":
        ctx.state["portal_eligibility"] = r.json()["error"]
        ctx.state["portal_notice"] = _notice(r)
        return OpResult(detail=f"the portal refused the form: {_error_text(r)}")
    raise Divergence(f"the portal refused the form at process 3: {r.status_code} {_error_text(r)}")


def check_eligibility(ctx: PlayContext, args: dict) -> OpResult:
    refusal = ctx.state.get("portal_eligibility")
    if not args["restricted"]:
        note = (f"; the portal itself refused ({refusal.get('message')}) and has no switch for "
                "this reading" if refusal else "")
        return OpResult(True, "§1.3 read as an enumeration (restricted=false): anyone may use the portal"
                        + note)
    if refusal:
        return OpResult(False, f"K16: {refusal.get('message')}")
    return OpResult(True, "the portal accepted the form's category (K16)")


def sign_and_submit(ctx: PlayContext, args: dict) -> OpResult:
    draft = ctx.state.get("portal_draft")
    if draft is None:
        refusal = ctx.state.get("portal_eligibility") or {}
        raise Divergence("no request to sign: the portal refused the form at process 3"
                         + (f" ({refusal.get('code')}, {refusal.get('check')}: {refusal.get('message')})"
                            if refusal else "")
                         + ("; the portal has no setting for reading §1.3 as an enumeration "
                            "(portal_restricted=false)" if refusal.get("code") == "NOT_ELIGIBLE" else ""))
    signed, how = _signed(ctx, draft)
    r = ctx.call("POST", "/portal/requests", content=signed, auth=_auth(ctx),
                 headers={"Content-Type": "application/xml"})
    if r.status_code in (200, 201):
        request = r.json()
        ctx.state["portal_view"] = request
        return OpResult(True, f"{how}; POST /portal/requests → {r.status_code}, status {request['status']}")
    code = error_code(r)
    if code == "EDS_NOT_CONFIRMED":
        ctx.state["portal_notice"] = _notice(r)
        err = r.json()["error"]
        return OpResult(False, f"{how}; EDS not confirmed: {err.get('check')} {err.get('reasonCode')}: "
                               f"{err.get('message')}")
    raise Divergence(f"{how}; the portal refused the signed request: {r.status_code} {_error_text(r)}")


def send(ctx: PlayContext, args: dict) -> OpResult:
    view = _request(ctx)
    sent = [h for h in view["history"] if h.get("event") == "SENT"]
    if view["status"] == "not_delivered" or not sent:
        raise Divergence(f"the request was not delivered through ШЭП: status {view['status']}, "
                         f"history {[h.get('event') for h in view['history']]}")
    ack = (sent[-1].get("detail") or {}).get("acknowledgement") or {}
    if ack.get("inboxId"):
        ctx.state["arm_id"] = int(ack["inboxId"])
    return OpResult(detail=f"sent through ШЭП, acknowledged: inbox {ack.get('inboxId')}, "
                           f"signature {ack.get('signatureVerdict')}")


def wait_status(ctx: PlayContext, args: dict) -> OpResult:
    view = _request(ctx)
    wanted, now = args["status"], view["status"]
    if now == wanted or (now in STATUS_ORDER and STATUS_ORDER.index(now) > STATUS_ORDER.index(wanted)
                         and "refused" not in (now, wanted)):
        notice = (view.get("notice") or {}).get("code")
        return OpResult(detail=f"the cabinet shows '{now}'" + (f", notice {notice}" if notice else ""))
    raise Divergence(f"the cabinet shows '{now}', not '{wanted}'")


def cabinet_result(ctx: PlayContext, args: dict) -> OpResult:
    view = _request(ctx)
    if view["status"] not in ("result_ready", "refused"):
        raise Divergence(f"no result in the personal cabinet: status '{view['status']}'")
    rid = ctx.state["portal_request"]
    r = ctx.call("GET", f"/portal/requests/{rid}/result", auth=_auth(ctx))
    if r.status_code != 200:
        raise Divergence(f"the cabinet has no result document: {r.status_code} {_error_text(r)}")
    ctx.outcome = verify_result(ctx, r.content, where="the personal cabinet")
    notice = (view.get("notice") or {}).get("code")
    ctx.state["portal_notice"] = view.get("notice")
    ctx.state["cabinet_due_date"] = view.get("resultDueDate")
    return OpResult(detail=f"cabinet status '{view['status']}', notice {notice}, result due "
                           f"{view.get('resultDueDate')}; {ctx.outcome.detail}")


# --- helpers --------------------------------------------------------------------------------------

def _auth(ctx: PlayContext) -> tuple[str, str]:
    user = ctx.state.get("portal_user")
    if user is None:
        raise StepError("the applicant is not signed in to the portal")
    return ("portal", user)


def _request(ctx: PlayContext) -> dict:
    rid = ctx.state.get("portal_request")
    if rid is None:
        raise Divergence("no request was submitted on the portal")
    r = ctx.call("GET", f"/portal/requests/{rid}", auth=_auth(ctx), expect=(200,))
    ctx.state["portal_view"] = r.json()
    return r.json()


def _notice(r) -> dict | None:
    try:
        return r.json()["error"].get("notice")
    except (ValueError, KeyError, AttributeError):
        return None


def _error_text(r) -> str:
    try:
        err = r.json().get("error")
    except ValueError:
        return r.text[:200]
    if isinstance(err, dict):
        return " ".join(str(x) for x in (err.get("code"), err.get("check"), err.get("message")) if x)
    return str(err)


def _signed(ctx: PlayContext, draft: bytes) -> tuple[bytes, str]:
    """What NCALayer would hand back: the draft signed with the certificate the set-up chose."""
    how = ctx.prepared.certificate
    if how == "unsigned":
        return draft, "submitted unsigned"
    cert = ctx.prepared.signing_certificate(ctx)
    signed = sign_enveloped(draft, cert.private_key, cert.certificate)
    if how == "tampered":
        return _tampered(signed), "signed, then an attached e-copy replaced (tampered)"
    return signed, f"signed with {ctx.prepared.certificate_label(ctx)}"


def _tampered(signed: bytes) -> bytes:
    """The signed request with one e-copy's content replaced after signing: still a valid
    request, but not the bytes the signature covers (K17)."""
    root = etree.fromstring(signed)
    content = root.find(".//attachments/attachment/content")
    if content is None:
        raise StepError("the signed request has no e-copy to tamper with")
    content.text = base64.b64encode(b"%PDF-1.4\n% replaced after signing\n").decode()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


OPS = {
    "portal.register": register,
    "portal.login": login,
    "portal.fill_form": fill_form,
    "portal.check_eligibility": check_eligibility,
    "portal.sign_and_submit": sign_and_submit,
    "portal.send": send,
    "portal.wait_status": wait_status,
    "cabinet.result": cabinet_result,
}
