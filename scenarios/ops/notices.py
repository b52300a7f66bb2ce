"""``notice.expect``: the front office issued the recipient this notice or receipt.

The ЦОН keeps its papers with the application (``GET /con/applications/{n}/notices/{kind}``);
the portal gives its notice with the refusal it answers, and in the personal cabinet.
"""

from __future__ import annotations

from .common import Divergence, OpResult, Outcome, PlayContext

CON_NOTICES = {"refusal_receipt": "intake-refusal-receipt", "data_unavailable": "data-unavailable",
               "acceptance_receipt": "acceptance-receipt"}
PORTAL_NOTICES = {"auth_refused": "AUTH_REFUSED", "eds_not_confirmed": "EDS_NOT_CONFIRMED",
                  "not_eligible": "NOT_ELIGIBLE", "request_accepted": "REQUEST_ACCEPTED",
                  "documents_refused": "DOCUMENTS_REFUSED", "result_ready": "RESULT_READY"}


def expect(ctx: PlayContext, args: dict) -> OpResult:
    kind = args["kind"]
    if kind in CON_NOTICES:
        result = _con(ctx, CON_NOTICES[kind])
    else:
        result = _portal(ctx, PORTAL_NOTICES[kind])
    ctx.outcome = Outcome(f"notice:{kind}", detail=result.detail)
    return result


def _con(ctx: PlayContext, kind: str) -> OpResult:
    app = ctx.state.get("con_application")
    if app is None:
        raise Divergence("no application was taken at the ЦОН")
    r = ctx.call("GET", f"/con/applications/{app['id']}/notices/{kind}",
                 auth=("con", ctx.state["con_operator"]))
    if r.status_code != 200:
        issued = [n.get("kind") for n in app.get("notices", [])]
        raise Divergence(f"the ЦОН issued no '{kind}' for {app['id']} (it issued {issued or 'none'})")
    notice = r.json()
    return OpResult(detail=f"{notice.get('number', kind)}: {notice.get('titleRu', kind)}")


def _portal(ctx: PlayContext, code: str) -> OpResult:
    notice = ctx.state.get("portal_notice") or {}
    view = None
    if ctx.state.get("portal_request") and ctx.state.get("portal_user"):
        r = ctx.call("GET", f"/portal/requests/{ctx.state['portal_request']}",
                     auth=("portal", ctx.state["portal_user"]))
        if r.status_code == 200:
            view = r.json()
            notice = view.get("notice") or notice
    if notice.get("code") != code:
        raise Divergence(f"the portal gave notice {notice.get('code') or 'none'}, not {code}"
                         + (f" (cabinet status '{view['status']}')" if view else ""))
    where = f"the cabinet shows '{view['status']}'" if view else "with the refusal"
    return OpResult(detail=f"{code} ({', '.join(notice.get('checks') or [])}) {where}: "
                           f"{(notice.get('ru') or '')[:120]}")


OPS = {"notice.expect": expect}
