"""Process 3 → condition 2 → process 5 of the portal channel: from the form to ШЭП.

The draft turns the form into the unsigned request document (process 3). The submission takes
the document the applicant signed, commits it at once, then runs the checks in the order of the
flow — portal eligibility (K16, seed 000), the form (K11), the EDS (condition 2: K08, K09, K10
and the signature itself, K17) — and either refuses with the notice of that step (the refusal
and its reason go into the request's history) or hands the request to :mod:`delivery`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Mapping, Sequence

from lxml import etree

from egov_sim.core import safe_xml
from egov_sim.core.claims import Claims
from egov_sim.core.database import IntegrityError
from egov_sim.core.errors import InputError
from egov_sim.reference import catalogue
from egov_sim.reference.catalogue import ProviderOffice, StateService
from egov_sim.signing.verify import Verifier
from egov_sim.wsdl import service_request as rs
from egov_sim.wsdl.service_request import Attachment

from . import form_checks, notices
from .delivery import DELIVERABLE, Delivery
from .eds_checks import confirm_eds
from .errors import PortalError, not_found
from .form_checks import CheckFailure, Completeness
from .requests_store import Draft, Event, PortalRequest, PortalUser, RequestStore
from .service_request import CHANNEL as DOCUMENT_CHANNEL
from .service_request import build_request

CHANNEL = "portal"
CHECKS = "portal.checks"
"""The claim scope of a request's checks (egov_sim/core/claims.py)."""
_KEEP_SIGNER = ("valid", "revocations", "notBefore", "notAfter", "keyUsage", "serialNumber",
                "signAlg", "keyUser", "subject", "issuer")


def portal_service(code: str) -> StateService:
    try:
        service = catalogue.service(code)
    except InputError:
        raise PortalError(404, "UNKNOWN_SERVICE", f"service {code!r} is not in the catalogue") from None
    if CHANNEL not in service.channels:
        raise PortalError(404, "UNKNOWN_SERVICE", f"service {code!r} is not offered on the portal")
    return service


def portal_office(service: StateService, code: str | None) -> ProviderOffice:
    """The provider office the request goes to: one of the service's portal offices."""
    offices = catalogue.offices_for(service, CHANNEL)
    if code is None:
        if len(offices) == 1:
            return offices[0]
        raise PortalError(422, "PROVIDER_REQUIRED",
                          f"choose the provider: one of {', '.join(o.code for o in offices)}")
    for office in offices:
        if office.code == code:
            return office
    raise PortalError(422, "UNKNOWN_PROVIDER",
                      f"{code!r} does not render {service.code} on the portal; one of "
                      f"{', '.join(o.code for o in offices)}")


def _refusal(failure: CheckFailure, request_id: str | None = None) -> PortalError:
    return PortalError(422, failure.notice.code, failure.message, notice=failure.notice,
                       requestId=request_id, check=failure.check, step=failure.step,
                       reasonCode=failure.reason, detail=failure.detail)


def _signer(info) -> dict | None:
    return None if info is None else {k: info[k] for k in _KEEP_SIGNER if k in info}


class Submissions:
    def __init__(self, store: RequestStore, delivery: Delivery, verifier: Verifier, *, clock,
                 completeness: Completeness = "portal", restrict_eligibility: bool = True,
                 claims: Claims | None = None):
        if completeness not in ("portal", "provider"):
            raise ValueError("completeness must be 'portal' or 'provider'")
        self.store, self.delivery, self.verifier = store, delivery, verifier
        self.clock, self.completeness = clock, completeness
        self.restrict_eligibility = restrict_eligibility
        self.claims = claims or delivery.claims
        """One checker per request at a time, across workers (the same document posted eight
        times at once is checked and sent once)."""

    def _eligibility(self, service, form):
        """K16, unless seed 000 §1.3 is read as an enumeration (``restrict_eligibility=False``)."""
        return form_checks.eligibility(service, form) if self.restrict_eligibility else None

    # --- process 3: the form becomes the document to sign -------------------------------

    def draft(self, user: PortalUser, service_code: str, provider_code: str | None,
              form: Mapping[str, str], attachments: Sequence[Attachment]) -> tuple[Draft, bytes]:
        """Refuse an ineligible applicant (K16) or an incomplete form (K11) before anything is
        stored; otherwise reserve a request number and return the unsigned document."""
        service = portal_service(service_code)
        office = portal_office(service, provider_code)
        failure = self._eligibility(service, form) or form_checks.completeness_failure(
            form_checks.form_problems(service, form, attachments,
                                      completeness=self.completeness))
        if failure:
            raise _refusal(failure)
        when = self.clock()
        return self.store.create_draft(
            user.iin, service.code, office.code,
            lambda draft: build_request(draft, when=when, service=service, office=office,
                                        applicant=user, form=form, attachments=attachments))

    # --- the signed request: commit, check, send ----------------------------------------

    async def submit(self, user: PortalUser, signed_xml: bytes) -> tuple[PortalRequest, bool]:
        """The request (and whether it is new). Refusals raise PortalError after being recorded."""
        try:
            tree = safe_xml.parse(signed_xml)
        except InputError as exc:
            raise PortalError(422, "BAD_XML", f"the signed request is not readable XML: {exc}") from None
        request_id = rs.request_id_of(tree.getroot())
        if request_id is None:
            raise PortalError(422, "NOT_A_SERVICE_REQUEST",
                              "the document is not an rs:ServiceRequest with a requestId "
                              "(get one from POST /requests/draft)")
        draft = self.store.draft(request_id)
        if draft is None or draft.owner_iin != user.iin:
            raise not_found(f"draft {request_id}")
        sha256 = hashlib.sha256(signed_xml).hexdigest()
        service = portal_service(draft.service_code)
        office = portal_office(service, draft.provider_code)
        async with self.claims.hold(CHECKS, request_id) as mine:
            if not mine:  # another worker checks this very request: its outcome is ours
                return await self._as_it_stands(request_id, sha256), False
            try:
                self.store.create(draft, office.route_id, signed_xml, sha256,
                                  Event("SUBMITTED", "request signed with EDS and submitted on the portal",
                                        status="submitted", step="P3",
                                        detail={"bytes": len(signed_xml), "sha256": sha256}))
            except IntegrityError:  # submitted before
                return await self._again(request_id, sha256, tree, draft, service, office, user)
            return await self._check_and_send(tree, draft, service, office, user), True

    async def _as_it_stands(self, request_id: str, sha256: str) -> PortalRequest:
        """The request as another submission of it left it (accepted, refused…), as a
        re-submission after the fact gets it."""
        existing = self.store.get(request_id)
        if existing is None:  # the other submission could not even store it: try ours
            raise PortalError(409, "SUBMISSION_IN_PROGRESS",
                              f"{request_id} is being submitted right now; send it again", requestId=request_id)
        if existing.xml_sha256 != sha256:
            raise PortalError(409, "ALREADY_SUBMITTED",
                              f"{request_id} was already submitted with another document; "
                              "make a new draft", requestId=request_id)
        return existing

    async def _again(self, request_id: str, sha256: str, tree: etree._ElementTree, draft: Draft,
                     service: StateService, office: ProviderOffice,
                     user: PortalUser) -> tuple[PortalRequest, bool]:
        """The same document again is safe: the request as it stands, its checks finished if a
        crash cut them short, its delivery retried if ШЭП never acknowledged it."""
        existing = self.store.get(request_id)
        if existing.xml_sha256 != sha256:
            raise PortalError(409, "ALREADY_SUBMITTED",
                              f"{request_id} was already submitted with another document; "
                              "make a new draft", requestId=request_id)
        if existing.status == "submitted":
            return await self._check_and_send(tree, draft, service, office, user), False
        if existing.status in DELIVERABLE:
            return await self.delivery.deliver(request_id), False
        return existing, False

    async def _check_and_send(self, tree: etree._ElementTree, draft: Draft, service: StateService,
                              office: ProviderOffice, user: PortalUser) -> PortalRequest:
        request_id = draft.request_id
        failure = self._form_failure(tree, draft, service, office, user)
        signer = None
        if failure is None:
            failure, signer = await asyncio.to_thread(
                confirm_eds, self.verifier, tree, expect_iin=user.iin, at=self.clock())
            signer = _signer(signer)
        if failure is not None:
            self.store.record(request_id, Event(
                "REFUSED", failure.message, status="refused", step=failure.step,
                check=failure.check, notice_code=failure.notice.code, reason_code=failure.reason,
                detail=failure.detail), signer_json=_json_or_none(signer))
            raise _refusal(failure, request_id)
        self.store.record(request_id, Event(
            "EDS_CONFIRMED", "condition 2 passed: certificate valid (K08), not revoked (K09), "
                             "IIN of the request = IIN of the certificate (K10), signature valid",
            status="sending", step="C2", check="K08,K09,K10",
            detail={"signer": (signer or {}).get("subject"),
                    "revocations": (signer or {}).get("revocations")}),
            signer_json=_json_or_none(signer))
        return await self.delivery.deliver(request_id)

    def _form_failure(self, tree: etree._ElementTree, draft: Draft, service: StateService,
                      office: ProviderOffice, user: PortalUser) -> CheckFailure | None:
        """What the document says against the contract, the draft, K16 and K11."""
        errors = rs.schema_errors(tree)
        if errors:
            return CheckFailure("K11", "P3", notices.FORM_INCOMPLETE, "STRUCTURE",
                                f"the request does not follow the ServiceRequest contract: {errors[0]}",
                                {"schemaErrors": errors})
        content = rs.read(tree.getroot())
        mismatches = [f"{what} is {got!r}, expected {want!r}" for what, got, want in (
            ("channel", content.channel, DOCUMENT_CHANNEL), ("serviceCode", content.service_code, service.code),
            ("provider/bin", content.provider_bin, office.bin),
            ("applicant/iin", content.applicant.iin, user.iin)) if got != want]
        if mismatches:
            reason = "APPLICANT_NOT_USER" if content.applicant.iin != user.iin else "DRAFT_MISMATCH"
            return CheckFailure("K11", "P3", notices.FORM_INCOMPLETE, reason,
                                "the signed request does not match its draft: " + "; ".join(mismatches),
                                {"mismatches": mismatches})
        form = content.form_values
        return self._eligibility(service, form) or form_checks.completeness_failure(
            form_checks.form_problems(service, form, content.attachments,
                                      completeness=self.completeness))

    async def resend(self, user: PortalUser, request_id: str) -> PortalRequest:
        request = self.store.get(request_id, owner_iin=user.iin)
        if request is None:
            raise not_found(f"request {request_id}")
        if request.status != "not_delivered":
            raise PortalError(409, "NOT_RESENDABLE",
                              f"{request_id} is {request.status!r}; only a request that was not "
                              "delivered can be sent again", requestId=request_id)
        return await self.delivery.deliver(request_id)


def _json_or_none(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
