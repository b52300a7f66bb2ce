"""The ИИС ЦОН inbox behind ШЭП (``builtin:con_inbox``, serviceId ``SIM_CON_INBOX``).

Why: the provider's chain runs for days in АРМ РШЭП (P6 … A5 / P7); its progress and its result
come back to the State Corporation "through ЭҮШ" [inferred transport, regulations-kz.md 4.3
M10]. АРМ staff send an ``rs:StatusNotification`` or an ``rs:ServiceResult`` (SYNTHETIC
contract, wsdl/payloads/rshep/RegionalService.xsd) with the application's ``requestId``; the
inbox records it on the application so the operator can issue the result (process 8).

Answers: a small acknowledgement in ``data`` (``requestId``, ``status``, ``step``); a
:class:`ProviderFault` (passed on by ШЭП as a ``subError``) when the message cannot be taken:

| code | when |
|---|---|
| CON001 | the payload is not a StatusNotification / ServiceResult of the contract |
| CON002 | no application has this requestId |
| CON003 | the result is not validly signed (K13: the provider's authorised person's EDS) |
| CON004 | the application is not waiting for this message (ended, or a different result already) |
| CON005 | the sender is not one the inbox accepts (ШЭП's allowed_senders should stop it first) |

All codes are SYNTHETIC. A resend of the same result is acknowledged again (idempotent).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

from egov_sim.core.clock import Clock
from egov_sim.core.errors import InputError
from egov_sim.gateway.providers import ProviderCall, ProviderFault, ProviderReply
from egov_sim.signing.verify import Verifier, reroot
from egov_sim.wsdl import rshep_replies as replies
from egov_sim.wsdl.schemas import payload_root

from . import applications_store as st
from .applications_store import ApplicationStore, HistoryEntry, StoredFile

SERVICE_ID = "SIM_CON_INBOX"
"""SYNTHETIC serviceId of the ИИС ЦОН inbox."""
BAD_PAYLOAD, UNKNOWN_REQUEST, BAD_SIGNATURE, WRONG_STATE, FORBIDDEN = (
    "CON001", "CON002", "CON003", "CON004", "CON005")

RESULT_FILE = "result.xml"
RESULT_DOCUMENT_FILE = "result-document"

# StatusNotification/status → the diagram node it reports (regulations-kz.md 4.3).
STATUS_STEPS = {
    "REGISTERED": ("P6", "Электронный документ зарегистрирован в АРМ РШЭП"),
    "EXECUTOR_ASSIGNED": ("A2", "Руководитель услугодателя определил ответственного исполнителя"),
    "UNDER_REVIEW": ("C2", "Ответственный исполнитель рассматривает документы"),
    "AWAITING_SIGNATURE": ("A4", "Результат на подписи у руководителя услугодателя"),
    "TERM_EXTENDED": ("A3", "Срок рассмотрения продлён"),
}


@dataclass
class ConInbox:
    """``builtin:con_inbox``: an async provider; database work runs in a worker thread."""

    store: ApplicationStore
    verifier: Verifier
    clock: Clock
    allowed_senders: frozenset[str] = frozenset({"EGOV_SIM_RSHEP"})
    verify_result_signature: bool = True

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        if self.allowed_senders and call.info.sender_id not in self.allowed_senders:
            raise ProviderFault(FORBIDDEN, f"the ИИС ЦОН inbox does not accept messages from "
                                           f"{call.info.sender_id}")
        root, message = _read(call.data)
        signature = None
        if root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None or (
                isinstance(message, replies.ServiceResult) and self.verify_result_signature):
            signature = await asyncio.to_thread(self._verify, root)
        signed_bytes = etree.tostring(reroot(root), encoding="UTF-8", xml_declaration=True)
        if isinstance(message, replies.StatusNotification):
            return await asyncio.to_thread(self._notification, message, signature, call)
        return await asyncio.to_thread(self._result, message, signature, signed_bytes, call)

    def _verify(self, root: etree._Element) -> dict:
        result = self.verifier.verify(reroot(root), layout="enveloped")
        signer = result.signer
        return {"valid": result.valid, "codes": list(result.codes),
                "signerIin": signer.iin if signer else None,
                "signerBin": signer.bin if signer else None,
                "signerName": signer.common_name if signer else None}

    def _application(self, request_id: str) -> st.Application:
        app = self.store.get(request_id)
        if app is None:
            raise ProviderFault(UNKNOWN_REQUEST, f"no application {request_id!r} in the ИИС ЦОН")
        return app

    def _ack(self, app: st.Application, step: str) -> ProviderReply:
        data = etree.Element("data")
        etree.SubElement(data, "requestId").text = app.number
        etree.SubElement(data, "status").text = app.status
        etree.SubElement(data, "step").text = step
        return ProviderReply(data=data)

    def _notification(self, notification: replies.StatusNotification, signature: dict | None,
                      call: ProviderCall) -> ProviderReply:
        app = self._application(notification.request_id)
        status = notification.status
        step, message = STATUS_STEPS[status]
        registration = _registration(notification.registration)
        due = notification.result_due_date
        comment = notification.comment
        detail = {"status": status, "statusDate": notification.status_date,
                  "registration": registration, "resultDueDate": due, "comment": comment,
                  "shepMessageId": call.info.message_id, "correlationId": call.info.correlation_id,
                  "sender": call.info.sender_id, "signature": signature}
        text = message + (f" № {registration['number']}" if registration else "") + (
            f"; срок выдачи результата {due}" if due else "") + (f"; {comment}" if comment else "")
        entry = HistoryEntry(self.clock(), step, f"PROVIDER_{status}", text,
                             {k: v for k, v in detail.items() if v is not None})
        if app.status not in st.OPEN_AT_PROVIDER:
            # Late news about an application that already has its result: kept, status unchanged.
            self.store.add_history(app.number, [entry])
            return self._ack(app, step)
        changes: dict[str, Any] = {"provider_status": status}
        if registration:
            changes["registration"] = registration
        if due:
            changes["result_due_date"] = due
        try:
            app = self.store.update(app.number, expect=st.OPEN_AT_PROVIDER, status=st.AT_PROVIDER,
                                    history=[entry], **changes)
        except st.StatusConflict:
            self.store.add_history(app.number, [entry])
        return self._ack(app, step)

    def _result(self, message: replies.ServiceResult, signature: dict | None, signed_bytes: bytes,
                call: ProviderCall) -> ProviderReply:
        app = self._application(message.request_id)
        digest = hashlib.sha256(signed_bytes).hexdigest()
        if app.status in (st.RESULT_READY, st.ISSUED):
            if app.result and app.result.get("sha256") == digest:
                return self._ack(app, "A5" if app.outcome == "decision" else "P7")
            raise ProviderFault(WRONG_STATE, f"application {app.number} already has a result "
                                             f"({app.status})")
        if app.status not in st.OPEN_AT_PROVIDER:
            raise ProviderFault(WRONG_STATE, f"application {app.number} is {app.status}: it was "
                                             "never sent to the provider")
        if signature is not None and not signature["valid"]:
            self.store.add_history(app.number, [HistoryEntry(
                self.clock(), "P8", "RESULT_REJECTED",
                "Результат отклонён: ЭЦП уполномоченного лица услугодателя не подтверждена",
                {"signature": signature, "shepMessageId": call.info.message_id})])
            raise ProviderFault(BAD_SIGNATURE, f"the result for {app.number} is not validly signed: "
                                               f"{', '.join(signature['codes'])}")
        result = _result_json(message)
        result.update(signature=signature, sha256=digest, shepMessageId=call.info.message_id,
                      correlationId=call.info.correlation_id, sender=call.info.sender_id)
        files = [StoredFile(RESULT_FILE, "application/xml", signed_bytes)]
        document = message.result_document
        if document is not None:
            try:
                content = base64.b64decode(document.content, validate=True)
            except ValueError:
                raise ProviderFault(BAD_PAYLOAD, "resultDocument/content is not base64") from None
            files.append(StoredFile(RESULT_DOCUMENT_FILE, document.media_type, content))
        outcome = result["outcome"]
        if outcome == "decision":
            d = result["decision"]
            step, text = "A5", (f"Решение № {d['number']} от {d['date']} зарегистрировано в журнале "
                                "учёта и направлено в Госкорпорацию")
        else:
            r = result["refusal"]
            step, text = "P7", f"Мотивированный отказ ({r['reasonCode']}): {r['reasonText']}"
        entry = HistoryEntry(self.clock(), step, "RESULT_RECEIVED", text,
                             {"outcome": outcome, "signature": signature,
                              "shepMessageId": call.info.message_id})
        try:
            app = self.store.update(app.number, expect=st.OPEN_AT_PROVIDER, status=st.RESULT_READY,
                                    outcome=outcome, result=result, result_at=self.clock(),
                                    registration=result["registration"], history=[entry],
                                    files=files)
        except st.StatusConflict as exc:
            raise ProviderFault(WRONG_STATE, str(exc)) from None
        return self._ack(app, step)


def _read(data: etree._Element | None) -> tuple[etree._Element, replies.StatusNotification | replies.ServiceResult]:
    """The payload's root element and its values, validated against the contract."""
    if data is None:
        raise ProviderFault(BAD_PAYLOAD, "requestData/data is missing")
    try:
        root = payload_root(data)
    except (InputError, etree.XMLSyntaxError) as exc:
        raise ProviderFault(BAD_PAYLOAD, f"the escaped payload is not well-formed XML: {exc}") from None
    kind = replies.kind_of(data, root)
    if kind not in replies.VALIDATORS:
        raise ProviderFault(BAD_PAYLOAD, "data must be an rs:StatusNotification or an rs:ServiceResult")
    error = replies.schema_error(kind, root)
    if error is not None:
        raise ProviderFault(BAD_PAYLOAD, f"{kind} breaks the contract: {error}")
    if kind == replies.NOTIFICATION:
        return root, replies.read_notification(root)
    return root, replies.read_result(root)


def _registration(registration: replies.Registration | None) -> dict | None:
    if registration is None:
        return None
    return {"number": registration.number, "date": registration.date}


def _result_json(result: replies.ServiceResult) -> dict:
    outcome = result.outcome
    out: dict = {"registration": _registration(result.registration),
                 "journal": _registration(result.journal),
                 "signer": {"iin": result.signer.iin, "fullName": result.signer.full_name,
                            "position": result.signer.position},
                 "resultDate": result.result_date}
    if isinstance(outcome, replies.Decision):
        out["outcome"] = "decision"
        out["decision"] = {"number": outcome.number, "date": outcome.date, "text": outcome.text,
                           "amount": outcome.amount}
    else:
        out["outcome"] = "refusal"
        out["refusal"] = {"reasonCode": outcome.reason_code, "reasonText": outcome.reason_text,
                          "violations": [{"documentTypeCode": v.document_type_code,
                                          "description": v.description} for v in outcome.violations]}
    document = result.result_document
    if document is not None:
        out["resultDocument"] = {"documentTypeCode": document.document_type_code,
                                 "title": document.title, "fileName": document.file_name,
                                 "mediaType": document.media_type}
    return out
