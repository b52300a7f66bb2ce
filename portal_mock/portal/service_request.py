"""The request document the applicant signs: the portal's draft as an ``rs:ServiceRequest``
(channel PORTAL), written by the contract's codec (egov_sim.wsdl.service_request).

The portal writes it from the form (the draft), the applicant signs it in the NCALayer enveloped
layout, and the very same signed element travels to the АРМ in ШЭП ``data`` (payload style 3b:
``<data><rs:ServiceRequest>…</rs:ServiceRequest></data>``). Reading goes the other way, from the
signed document (``service_request.read``), so what the portal checks is exactly what the
applicant signed.
"""

from __future__ import annotations

import datetime as dt
from typing import Mapping, Sequence

from lxml import etree

from egov_sim.core.clock import ALMATY
from egov_sim.reference.catalogue import ProviderOffice, StateService
from egov_sim.wsdl import service_request as rs
from egov_sim.wsdl.service_request import Attachment

from .requests_store import Draft, PortalUser

CHANNEL = "PORTAL"


def build_request(draft: Draft, *, when: dt.datetime, service: StateService, office: ProviderOffice,
                  applicant: PortalUser, form: Mapping[str, str],
                  attachments: Sequence[Attachment]) -> bytes:
    """The unsigned request document of a draft, ready for NCALayer (``sign_enveloped``)."""
    titles = {d.code: d.name_ru for d in service.documents}
    document = rs.ServiceRequest(
        request_id=draft.request_id, request_date=when.astimezone(ALMATY).isoformat(timespec="seconds"),
        channel=CHANNEL, service_code=service.code, service_name=service.name_ru,
        provider_bin=office.bin, provider_name=office.name_ru, region_code=office.region_code or None,
        applicant=rs.Applicant(applicant.iin, applicant.person_name, birth_date=applicant.birth_date),
        form=tuple(rs.FormField(f.name, str(form[f.name]).strip(), f.label_ru)
                   for f in service.form if str(form.get(f.name, "")).strip()),
        attachments=tuple(Attachment(a.document_code, a.file_name, a.media_type, a.content,
                                     a.title or titles.get(a.document_code))
                          for a in attachments))
    return etree.tostring(rs.write(document), xml_declaration=True, encoding="UTF-8",
                          pretty_print=True)


__all__ = ["Attachment", "build_request"]
