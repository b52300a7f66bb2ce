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

from lxml import etree

from egov_sim.core.clock import Clock
from egov_sim.core.errors import InputError
from egov_sim.gateway.providers import ProviderCall, ProviderFault, ProviderReply
from egov_sim.signing.verify import Verifier, reroot
from egov_sim.wsdl.schemas import XSI_NS, payload_root, payload_validator

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
        kind, root = _read(call.data)
        signature = None
        if root.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None or (
                kind == "ServiceResult" and self.verify_result_signature):
            signature = await asyncio.to_thread(self._verify, root)
        signed_bytes = etree.tostring(reroot(root), encoding="UTF-8", xml_declaration=True)
        handler = self._notification if kind == "StatusNotification" else self._result
        return await asyncio.to_thread(handler, root, signature, signed_bytes, call)

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

    def _notification(self, root, signature, signed_bytes, call: ProviderCall) -> ProviderReply:
        request_id = root.findtext("requestId")
        app = self._application(request_id)
        status = root.findtext("status")
        step, message = STATUS_STEPS[status]
        registration = _registration(root.find("registration"))
        due = root.findtext("resultDueDate")
        comment = root.findtext("comment")
        detail = {"status": status, "statusDate": root.findtext("statusDate"),
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
        changes = {"provider_status": status}
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

    def _result(self, root, signature, signed_bytes, call: ProviderCall) -> ProviderReply:
        request_id = root.findtext("requestId")
        app = self._application(request_id)
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
        result = _result_json(root)
        result.update(signature=signature, sha256=digest, shepMessageId=call.info.message_id,
                      correlationId=call.info.correlation_id, sender=call.info.sender_id)
        files = [StoredFile(RESULT_FILE, "application/xml", signed_bytes)]
        document = root.find("resultDocument")
        if document is not None:
            try:
                content = base64.b64decode(document.findtext("content") or "", validate=True)
            except ValueError:
                raise ProviderFault(BAD_PAYLOAD, "resultDocument/content is not base64") from None
            files.append(StoredFile(RESULT_DOCUMENT_FILE, document.findtext("mediaType"), content))
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


def _read(data: etree._Element | None) -> tuple[str, etree._Element]:
    """The payload's kind and its root element, validated against the contract."""
    if data is None:
        raise ProviderFault(BAD_PAYLOAD, "requestData/data is missing")
    try:
        root = payload_root(data)
    except (InputError, etree.XMLSyntaxError) as exc:
        raise ProviderFault(BAD_PAYLOAD, f"the escaped payload is not well-formed XML: {exc}") from None
    kind = etree.QName(root).localname if etree.QName(root).namespace else None
    xsi_type = root.get(f"{{{XSI_NS}}}type")
    if xsi_type:
        kind = xsi_type.rpartition(":")[2]
    if kind not in ("StatusNotification", "ServiceResult"):
        raise ProviderFault(BAD_PAYLOAD, "data must be an rs:StatusNotification or an rs:ServiceResult")
    validator = payload_validator("rshep-notification" if kind == "StatusNotification" else "rshep-response")
    if not validator.validate(root):
        err = validator.error_log.last_error
        raise ProviderFault(BAD_PAYLOAD, f"{kind} breaks the contract"
                            + (f": line {err.line}: {err.message}" if err else ""))
    return kind, root


def _registration(el: etree._Element | None) -> dict | None:
    if el is None:
        return None
    return {"number": el.findtext("number"), "date": el.findtext("date")}


def _result_json(root: etree._Element) -> dict:
    outcome = root.find("outcome")
    decision, refusal = outcome.find("decision"), outcome.find("refusal")
    out: dict = {"registration": _registration(root.find("registration")),
                 "journal": _registration(root.find("journal")),
                 "signer": {"iin": root.findtext("signer/iin"),
                            "fullName": root.findtext("signer/fullName"),
                            "position": root.findtext("signer/position")},
                 "resultDate": root.findtext("resultDate")}
    if decision is not None:
        out["outcome"] = "decision"
        out["decision"] = {"number": decision.findtext("number"), "date": decision.findtext("date"),
                           "text": decision.findtext("text"), "amount": decision.findtext("amount")}
    else:
        out["outcome"] = "refusal"
        out["refusal"] = {"reasonCode": refusal.findtext("reasonCode"),
                          "reasonText": refusal.findtext("reasonText"),
                          "violations": [{"documentTypeCode": v.findtext("documentTypeCode"),
                                          "description": v.findtext("description")}
                                         for v in refusal.iterfind("violations/violation")]}
    document = root.find("resultDocument")
    if document is not None:
        out["resultDocument"] = {"documentTypeCode": document.findtext("documentTypeCode"),
                                 "title": document.findtext("title"),
                                 "fileName": document.findtext("fileName"),
                                 "mediaType": document.findtext("mediaType")}
    return out
