"""``builtin:portal_inbox``: what the АРМ РШЭП sends back to the portal through ШЭП.

The gateway routes serviceId SIM_PORTAL_INBOX (sender EGOV_SIM_RSHEP) here. Two payloads of the
РШЭП contract arrive (wsdl/payloads/rshep/RegionalService.xsd): ``StatusNotification``
(registration A1, head's resolution A2, review A3, signature A4, term extended) and
``ServiceResult`` (process 7: the decision, or the provider's refusal of process 6). Each
updates the request's status and history in one transaction before the provider answers, so an
acknowledged message is never lost.

A result enters the personal cabinet only with a valid enveloped signature of the provider's
authorised person (K13, seed 000 K19): the payload is re-rooted as the document it was signed as,
verified, and stored byte for byte, so ``GET /requests/{id}/result`` serves a document that
``egov-sim verify`` accepts. A result whose signature is not confirmed is refused with a fault
(the АРМ can sign again and resend) and the refusal is written to the request's history.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lxml import etree

from egov_sim.core.errors import InputError
from egov_sim.gateway.providers import ProviderCall, ProviderFault, ProviderReply
from egov_sim.reference import catalogue
from egov_sim.signing.verify import Verifier, reroot
from egov_sim.wsdl import rshep_replies as replies
from egov_sim.wsdl.schemas import payload_root

from . import notices
from .requests_store import Event, PortalRequest, RequestStore

INBOX_SERVICE_ID = "SIM_PORTAL_INBOX"
PROVIDER_NAME = "portal_inbox"
INBOX_SENDERS = ("EGOV_SIM_RSHEP",)
"""Who may write to the inbox: РШЭП (the gateway config says the same with allowed_senders)."""

# StatusNotification/status → (portal status or None to keep it, flow step, message)
_PROGRESS = {
    "REGISTERED": ("registered", "A1", "registered in АРМ РШЭП"),
    "EXECUTOR_ASSIGNED": ("in_review", "A2", "the head of the provider appointed the responsible executor"),
    "UNDER_REVIEW": ("in_review", "C3", "the responsible executor is reviewing the documents"),
    "AWAITING_SIGNATURE": ("in_review", "A4", "the result is awaiting the head's signature"),
    "TERM_EXTENDED": (None, "A3", "the term of review was extended"),
}


def _fault(code: str, message: str) -> ProviderFault:
    return ProviderFault(code, message)


class PortalInbox:
    """The portal's inbox provider; an async callable the gateway invokes per SendMessage."""

    def __init__(self, store: RequestStore, verifier: Verifier, *, clock,
                 senders: tuple[str, ...] = INBOX_SENDERS):
        self.store, self.verifier, self.clock, self.senders = store, verifier, clock, senders

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        if call.info.sender_id not in self.senders:  # the gateway's allowed_senders, checked again
            raise _fault("PORTAL_FORBIDDEN_SENDER",
                         f"{call.info.sender_id} may not write to the portal's inbox")
        if call.data is None:
            raise _fault("PORTAL_NO_DATA", "the message has no data")
        try:
            root = payload_root(call.data)
        except InputError as exc:
            raise _fault("PORTAL_BAD_PAYLOAD", f"data is not readable: {exc}") from None
        kind = replies.kind_of(call.data, root)
        if kind not in replies.VALIDATORS:
            raise _fault("PORTAL_UNKNOWN_PAYLOAD",
                         "the portal inbox accepts rs:StatusNotification or rs:ServiceResult")
        document = reroot(root)
        error = replies.schema_error(kind, document)
        if error is not None:
            raise _fault("PORTAL_BAD_PAYLOAD", f"{kind} breaks the РШЭП contract: {error}")
        message = (replies.read_notification(root) if kind == replies.NOTIFICATION
                   else replies.read_result(root))
        request_id = message.request_id
        request = self.store.get(request_id)
        if request is None:
            raise _fault("PORTAL_UNKNOWN_REQUEST", f"the portal has no request {request_id!r}")
        origin = {"senderId": call.info.sender_id, "messageId": call.info.message_id,
                  "correlationId": call.info.correlation_id}
        if isinstance(message, replies.StatusNotification):
            self._notification(request, message, origin)
        else:
            await self._result(request, message, document, origin)
        return ProviderReply(data=None)

    # --- notifications -------------------------------------------------------------------

    def _notification(self, request: PortalRequest, notification: replies.StatusNotification,
                      origin: dict) -> None:
        status_code = notification.status
        status, step, what = _PROGRESS[status_code]
        fields: dict[str, Any] = {}
        registration = notification.registration
        number = (registration.number or None) if registration else None
        date = registration.date if registration else None
        if number:
            fields.update(registration_number=number, registration_date=date)
        due = notification.result_due_date
        if due:
            fields["result_due_date"] = due
        comment = notification.comment
        message = what + (f" as {number}" if number else "") + (f"; result due {due}" if due else "") \
            + (f" ({comment})" if comment else "")
        self.store.record(request.request_id, Event(
            f"NOTIFICATION_{status_code}", message, status=status, step=step,
            check="K15" if status_code == "TERM_EXTENDED" else None,
            detail={"status": status_code, "statusDate": notification.status_date, **origin}),
            **fields)

    # --- results -------------------------------------------------------------------------

    async def _result(self, request: PortalRequest, result: replies.ServiceResult,
                      document: etree._ElementTree, origin: dict) -> None:
        xml = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
        verdict = await asyncio.to_thread(self.verifier.verify, xml, layout="enveloped",
                                          at=self.clock(), purpose="SIGN")
        signer = verdict.signer.to_json(valid=verdict.valid) if verdict.signer is not None else None
        problems = [f.to_json() for f in verdict.all_failures]
        office = catalogue.PROVIDERS.get(request.provider_code)
        signer_bin = (signer or {}).get("subject", {}).get("bin")
        if verdict.valid and signer_bin is None:
            problems.append({"code": "NOT_AN_ORGANISATION",
                             "message": "the result is not signed with an organisation's certificate "
                                        "(no BIN): not the provider's authorised person"})
        elif verdict.valid and office is not None and signer_bin != office.bin:
            problems.append({"code": "SIGNER_NOT_PROVIDER",
                             "message": f"the result is signed for BIN {signer_bin}, the request went "
                                        f"to {office.code} (BIN {office.bin})"})
        if problems:
            self.store.record(request.request_id, Event(
                "RESULT_REJECTED", "a result arrived but the EDS of the provider's authorised person "
                                   f"is not confirmed (K13): {problems[0]['message']}",
                step="P7", check="K13", reason_code=problems[0]["code"],
                detail={"failures": problems, **origin}))
            raise _fault("PORTAL_RESULT_NOT_SIGNED",
                         f"the result for {request.request_id} is not confirmed by the provider's "
                         f"EDS: {problems[0]['message']}")
        summary = _summary(result)
        service = catalogue.SERVICES.get(request.service_code)
        # §7 item 3: the seeds call the result a decision, a certificate or a notice; the
        # catalogue's result kind names it (002: decision; 000: notice on assignment)
        summary["resultKind"] = service.result_kind if service else None
        summary["signerBin"] = signer_bin
        decision = summary["outcome"] == "decision"
        notice = notices.RESULT_READY if decision else notices.DOCUMENTS_REFUSED
        text = (f"decision {summary['decision']['number']} of {summary['decision']['date']}"
                if decision else f"refusal {summary['refusal']['reasonCode']}: "
                                 f"{summary['refusal']['reasonText']}")
        event = Event("RESULT", f"result received in the personal cabinet, signed by "
                                f"{signer['subject'].get('commonName')} (K13): {text}",
                      status="result_ready" if decision else "refused",
                      step="P7" if decision else "P6", check="K13" if decision else "K06",
                      notice_code=notice.code,
                      reason_code=None if decision else summary["refusal"]["reasonCode"],
                      detail={"summary": summary, **origin})
        kept_signer = {k: signer[k] for k in ("subject", "serialNumber", "notBefore", "notAfter",
                                              "keyUsage", "keyUser") if k in signer}
        registration = summary.get("registration") or {}
        fields = {} if request.registration_number else {
            "registration_number": registration.get("number"),
            "registration_date": registration.get("date")}
        self.store.save_result(request.request_id, summary["outcome"], xml, kept_signer, summary,
                               event, **fields)


def _summary(result: replies.ServiceResult) -> dict:
    """The result's facts for the cabinet (the signed XML itself stays the authority)."""
    out: dict[str, Any] = {
        "registration": {"number": result.registration.number or None,
                         "date": result.registration.date},
        "journal": {"number": result.journal.number or None, "date": result.journal.date},
        "resultDate": result.result_date,
        "signer": {"iin": result.signer.iin, "fullName": result.signer.full_name or None,
                   "position": result.signer.position or None},
    }
    outcome = result.outcome
    if isinstance(outcome, replies.Decision):
        out["outcome"] = "decision"
        out["decision"] = {"number": outcome.number or None, "date": outcome.date,
                           "text": outcome.text or None, "amount": outcome.amount}
    else:
        out["outcome"] = "refusal"
        out["refusal"] = {
            "reasonCode": outcome.reason_code or None, "reasonText": outcome.reason_text or None,
            "violations": [{"documentCode": v.document_type_code, "description": v.description or None}
                           for v in outcome.violations]}
    document = result.result_document
    if document is not None:
        out["resultDocument"] = {"documentCode": document.document_type_code or None,
                                 "fileName": document.file_name or None,
                                 "mediaType": document.media_type or None}
    return out
