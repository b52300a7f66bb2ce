"""``builtin:rshep``: what ШЭП calls for a routed request (routeId → the region's РШЭП).

It takes a ServiceRequest in any payload style, validates it against the contract, finds the
provider office by its BIN in the region of the routeId, checks the enveloped signature inside
it (the ЦОН operator's EDS, K05, or the applicant's, K08–K10), puts it in the office's АРМ inbox
— committed before answering — and acknowledges with the inbox id.

The seeds never have РШЭП refuse a request, so a bad or missing signature is recorded, not
refused. Only a request РШЭП cannot file (not a valid ServiceRequest; an unknown route, office
or service) gets ``accepted=false`` and an error status code (SYNTHETIC codes below).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Mapping

from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.safe_xml import UnsafeXmlError
from egov_sim.core.xml_build import child_text
from egov_sim.gateway.journal import SignatureVerdict
from egov_sim.gateway.providers import SUCCESS_CODE, ProviderCall, ProviderReply
from egov_sim.reference.catalogue import SERVICES
from egov_sim.signing.verify import Verifier, reroot, signed_view
from egov_sim.wsdl import rshep_replies as replies
from egov_sim.wsdl import service_request
from egov_sim.wsdl.schemas import payload_root

from .arm_store import ArmStore
from .instances import RegionalInstance

# SYNTHETIC status codes of the acknowledgement (responseInfo/status/code and errorCode).
INVALID_REQUEST = "RSHEP001"
UNKNOWN_ROUTE = "RSHEP002"
UNKNOWN_PROVIDER = "RSHEP003"
UNKNOWN_SERVICE = "RSHEP004"
ERROR_MESSAGES = {
    INVALID_REQUEST: "Заявка не соответствует формату ServiceRequest",
    UNKNOWN_ROUTE: "Маршрут не обслуживается РШЭП",
    UNKNOWN_PROVIDER: "Услугодатель не подключен к РШЭП региона",
    UNKNOWN_SERVICE: "Услугодатель не оказывает эту услугу",
}
ACCEPTED_MESSAGE = "Заявка принята в АРМ услугодателя"


@dataclass(frozen=True)
class _Refused(Exception):
    code: str
    detail: str
    request_id: str | None = None


class RshepProvider:
    def __init__(self, store: ArmStore, instances: Mapping[str, RegionalInstance], verifier: Verifier, *,
                 clock: Clock = system_clock):
        self.store, self.instances, self.verifier, self.clock = store, instances, verifier, clock

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        """Validation, signature checks and the durable insert run in a worker thread, so the
        gateway's event loop keeps serving other exchanges meanwhile."""
        try:
            return await asyncio.to_thread(self._accept, call)
        except _Refused as r:
            ack = replies.write_acknowledgement(replies.Acknowledgement(
                False, replies.xml_datetime(self.clock()), request_id=r.request_id, error_code=r.code,
                error_message=r.detail))
            return ProviderReply(data=ack, code=r.code, message=f"{ERROR_MESSAGES[r.code]}: {r.detail}")

    def _accept(self, call: ProviderCall) -> ProviderReply:
        root = self._payload(call.data)  # kept byte for byte: the АРМ re-verifies it
        # values are read as the signatures cover them (comments removed), never from .text
        incoming = service_request.read(signed_view(root))
        instance = self.instances.get(call.route_id or "")
        if instance is None:
            raise _Refused(UNKNOWN_ROUTE, f"routeId {call.route_id!r} has no regional gateway",
                           incoming.request_id)
        office = instance.office_by_bin(incoming.provider_bin)
        if office is None:
            raise _Refused(UNKNOWN_PROVIDER, f"BIN {incoming.provider_bin} is not a provider of "
                           f"{instance.region} ({instance.route_id})", incoming.request_id)
        service = SERVICES.get(call.info.service_id) or SERVICES.get(incoming.service_code)
        if service is None or office.code not in service.providers:
            raise _Refused(UNKNOWN_SERVICE, f"{office.code} does not render serviceId "
                           f"{call.info.service_id!r} (serviceCode {incoming.service_code!r})",
                           incoming.request_id)
        checks: dict[str, Any] = {"signature": self._signature(root, incoming),
                                  "warnings": _warnings(incoming, service),
                                  "missingDocuments": _missing(incoming, service)}
        inbox_id, duplicate = self.store.receive(
            provider=office.code, service_code=service.code, channel=incoming.channel,
            origin_sender=call.info.sender_id, route_id=call.route_id,
            # the id РШЭП's answers carry as correlationId: the AsyncChannel conversation's, or
            # the SyncChannel request's messageId
            shep_message_id=call.info.correlation_id or call.info.message_id,
            request_id=incoming.request_id,
            applicant_iin=incoming.applicant.iin, applicant_name=incoming.applicant.name.full,
            checks=checks, payload=etree.tostring(root, encoding="UTF-8"),
            detail={"shepMessageId": call.info.message_id, "sender": call.info.sender_id,
                    "signature": checks["signature"]["verdict"]})
        ack = replies.write_acknowledgement(replies.Acknowledgement(
            True, replies.xml_datetime(self.clock()), request_id=incoming.request_id, inbox_id=str(inbox_id),
            provider_code=office.code, duplicate=duplicate, signature_verdict=checks["signature"]["verdict"]))
        return ProviderReply(data=ack, code=SUCCESS_CODE, message=ACCEPTED_MESSAGE)

    @staticmethod
    def _payload(data: etree._Element | None) -> etree._Element:
        if data is None:
            raise _Refused(INVALID_REQUEST, "requestData has no data")
        try:
            root = payload_root(data)
        except UnsafeXmlError as exc:
            raise _Refused(INVALID_REQUEST, f"the escaped payload is not readable XML: {exc}") from None
        errors = service_request.schema_errors(root, limit=1)
        if errors:
            raise _Refused(INVALID_REQUEST, errors[0], child_text(root, "requestId"))
        return root

    def _signature(self, root: etree._Element, incoming: service_request.ServiceRequest) -> dict:
        """The verdict on the request's enveloped signature; whose it should be depends on the
        channel: the ЦОН operator's (K05) or the applicant's (K08–K10)."""
        operator_iin = incoming.operator.iin if incoming.operator is not None else None
        expected = operator_iin if incoming.channel == "CON" else incoming.applicant.iin
        whose = "operator (K05)" if incoming.channel == "CON" else "applicant (K08-K10)"
        if not incoming.signed:
            return {"verdict": SignatureVerdict.ABSENT, "expectedSigner": whose, "expectedIin": expected}
        result = self.verifier.verify(reroot(root), layout="enveloped")
        signer = result.signer
        signer_iin = signer.subject.iin if signer is not None else None
        valid = result.valid and (expected is None or signer_iin == expected)
        return {"verdict": SignatureVerdict.VALID if valid else SignatureVerdict.INVALID,
                "expectedSigner": whose,
                "expectedIin": expected, "signerIin": signer_iin,
                "signerName": signer.subject.common_name if signer is not None else None,
                "iinMatches": expected is not None and signer_iin == expected,
                "codes": list(result.codes)}


def _warnings(incoming: service_request.ServiceRequest, service) -> list[str]:
    """What РШЭП notices but, the seeds describing no refusal here, only records."""
    notes = []
    channel = {"CON": "con", "PORTAL": "portal"}[incoming.channel]
    if channel not in service.channels:
        notes.append(f"{service.code} is not offered through the {channel} channel")
    missing = _missing(incoming, service)
    if missing:
        notes.append("required documents not attached: " + ", ".join(missing))
    return notes


def _missing(incoming: service_request.ServiceRequest, service) -> list[str]:
    """The required documents of the channel the package does not carry: what the executor's
    check (K06, K15) finds missing."""
    channel = {"CON": "con", "PORTAL": "portal"}[incoming.channel]
    attached = {a.document_code for a in incoming.attachments}
    return [d.code for d in service.documents_for(channel) if d.required and d.code not in attached]
