"""Process 5: the signed request goes through ШЭП to the provider's АРМ on РШЭП (002 §11.8).

The request is already committed (status "sending") when this runs, so a crash, a ШЭП fault or
an unreachable gateway never loses it: a fault leaves it "not_delivered" with the fault code in
its history, and :meth:`Delivery.deliver` may be called again (the cabinet's resend endpoint, or
:meth:`Delivery.redeliver_pending` at start-up) until ШЭП acknowledges it. The acknowledgement
is the status "request accepted" of seed 000 §8.2 (K18).
"""

from __future__ import annotations

from egov_sim.core import safe_xml
from egov_sim.core.claims import Claims
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault, ShepReply
from egov_sim.gateway.providers import SUCCESS_CODE
from egov_sim.wsdl.service_request import wrap_as_data

from . import notices
from .requests_store import Event, PortalRequest, RequestStore

DELIVERABLE = ("sending", "not_delivered")
SENDING = "portal.delivery"
"""The claim scope of a request's delivery (egov_sim/core/claims.py)."""


class Delivery:
    def __init__(self, store: RequestStore, client: ShepClient, claims: Claims):
        self.store, self.client, self.claims = store, client, claims

    async def deliver(self, request_id: str) -> PortalRequest:
        """Send the request if it still waits for an acknowledgement; the request afterwards.

        One sender at a time (a claim across workers): a resend, a re-submission and the
        redelivery at start-up that meet send one ШЭП message; the others get the outcome."""
        async with self.claims.hold(SENDING, request_id) as mine:
            if not mine:
                return self.store.get(request_id)
            return await self._deliver(request_id)

    async def _deliver(self, request_id: str) -> PortalRequest:
        request = self.store.get(request_id)
        if request is None or request.status not in DELIVERABLE:
            return request
        signed = self.store.signed_xml(request_id)
        data = wrap_as_data(safe_xml.parse(signed).getroot())
        attempt = self.store.bump_attempts(request_id)
        try:
            reply = await self.client.send(request.service_code, data, route_id=request.route_id)
        except ShepFault as fault:
            self._failed(request_id, attempt, fault.code, str(fault),
                         {"faultCode": fault.code, "faultMessage": fault.message,
                          "faultData": fault.data, "subErrorCode": fault.sub_code})
        except ShepError as exc:
            self._failed(request_id, attempt, "SHEP_UNREACHABLE", str(exc), None)
        else:
            refused = _refusal(reply)
            if refused is not None:
                self._failed(request_id, attempt, refused[0], refused[1],
                             {"statusCode": reply.status_code, "statusMessage": reply.status_message,
                              "messageId": reply.message_id})
                return self.store.get(request_id)
            self.store.record(
                request_id,
                Event("SENT", f"sent through ШЭП to РШЭП (route {request.route_id}) and acknowledged: "
                              f"{reply.status_code} {reply.status_message}".strip(),
                      status="accepted", step="P5", check="K18",
                      notice_code=notices.REQUEST_ACCEPTED.code,
                      detail={"attempt": attempt, "messageId": reply.message_id,
                              "correlationId": reply.correlation_id, "statusCode": reply.status_code,
                              "requestMessageId": reply.request_message_id,
                              "acknowledgement": _ack(reply)}),
                only_from=DELIVERABLE, message_id=reply.request_message_id,
                correlation_id=reply.correlation_id)
        return self.store.get(request_id)

    def _failed(self, request_id: str, attempt: int, code: str, message: str, detail) -> None:
        self.store.record(
            request_id,
            Event("DELIVERY_FAILED", f"not delivered through ШЭП (attempt {attempt}): {message}",
                  status="not_delivered", step="P5", notice_code=notices.NOT_DELIVERED.code,
                  reason_code=code, detail={"attempt": attempt, **(detail or {})}),
            only_from=DELIVERABLE)

    async def redeliver_pending(self) -> list[PortalRequest]:
        """Send every request that passed the checks but has no acknowledgement (after a restart)."""
        return [await self.deliver(rid) for rid in self.store.pending_delivery()]


def _refusal(reply: ShepReply) -> tuple[str, str] | None:
    """An answer that is not a fault but says the АРМ did not take the request: a status code
    other than ШЭП's success, or the РШЭП acknowledgement's ``accepted=false``."""
    accepted = reply.data.findtext("accepted") if reply.data is not None else None
    if reply.status_code == SUCCESS_CODE and (accepted or "true").strip() != "false":
        return None
    code = (reply.data.findtext("errorCode") if reply.data is not None else None) or reply.status_code
    message = (reply.data.findtext("errorMessage") if reply.data is not None else None) \
        or reply.status_message
    return code or "NOT_ACCEPTED", f"РШЭП did not accept the request: {code} {message}".strip()


def _ack(reply: ShepReply) -> dict | None:
    """The simple fields of the answer's data (РШЭП's Acknowledgement: inboxId, providerCode…)."""
    if reply.data is None:
        return None
    return {child.tag: (child.text or "").strip() for child in reply.data
            if isinstance(child.tag, str) and len(child) == 0} or None
