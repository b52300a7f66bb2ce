"""The реестр (register of transfer) between the 2012 ЦОН and the department, as a ШЭП message.

Seed 001: the ЦОН's накопительный сектор "формирует реестр и передает документы в
уполномоченный орган"; the УО's officer "принимает по реестру"; results come back "реестром".
The payload is SYNTHETIC (the seed's реестр is paper): un-namespaced XML in ``data`` so ШЭП's
strict schema accepts it, one ``item`` per application. The department answers the ЦОН through
``SIM_BALKHASH_CON_REGISTRY``, the ЦОН the department through ``SIM_BALKHASH_UO_REGISTRY``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

from lxml import etree

UO_SERVICE_ID = "SIM_BALKHASH_UO_REGISTRY"
CON_SERVICE_ID = "SIM_BALKHASH_CON_REGISTRY"
UO_SENDER = "EGOV_SIM_BALKHASH_UO"
UO_PASSWORD = "balkhash-uo-secret"
CON_SENDER = "EGOV_SIM_BALKHASH_CON"
CON_PASSWORD = "balkhash-con-secret"
UO_PROVIDER = "balkhash_uo_registry"
CON_PROVIDER = "balkhash_con_registry"

CON_TO_UO, UO_TO_CON = "CON_TO_UO", "UO_TO_CON"
PACKAGE, RESULT, RETURN = "PACKAGE", "RESULT", "RETURN"

BAD_REGISTRY, FORBIDDEN = "BLH001", "BLH002"


class WireError(ValueError):
    pass


@dataclass(frozen=True)
class Attached:
    """A result document carried back to the ЦОН: its number, kind, title and printable HTML
    (and the EDS-signed XML where the reading makes results electronic)."""

    number: str
    kind: str
    title: str
    html: bytes
    signed_xml: bytes | None = None


@dataclass(frozen=True)
class Item:
    application: str
    service: int
    kind: str
    accepted_at: str = ""
    issue_date: str = ""
    category: str = ""
    subtype: str = ""
    flags: tuple[str, ...] = ()
    applicant: dict = field(default_factory=dict)
    representative: dict | None = None
    subject_iin: str = ""
    documents: tuple[tuple[str, str], ...] = ()
    form: dict = field(default_factory=dict)
    case_number: str = ""
    outcome: str = ""
    reason: str = ""
    attachments: tuple[Attached, ...] = ()

    def to_json(self) -> dict:
        return {"application": self.application, "service": self.service, "kind": self.kind,
                "acceptedAt": self.accepted_at, "issueDate": self.issue_date, "category": self.category,
                "subtype": self.subtype or None, "flags": list(self.flags), "applicant": self.applicant,
                "representative": self.representative, "subjectIin": self.subject_iin or None,
                "documents": [{"code": c, "name": n} for c, n in self.documents], "form": self.form,
                "caseNumber": self.case_number or None, "outcome": self.outcome or None, "reason": self.reason or None,
                "attachments": [{"number": a.number, "kind": a.kind, "title": a.title} for a in self.attachments]}


@dataclass(frozen=True)
class Registry:
    number: str
    date: str
    direction: str
    sender: str
    items: tuple[Item, ...]


def _add(parent, name: str, text: str | None = None):
    el = etree.SubElement(parent, name)
    if text is not None:
        el.text = text
    return el


def to_xml(registry: Registry) -> etree._Element:
    data = etree.Element("data")
    r = _add(data, "registry")
    _add(r, "number", registry.number)
    _add(r, "date", registry.date)
    _add(r, "direction", registry.direction)
    _add(r, "sender", registry.sender)
    items = _add(r, "items")
    for it in registry.items:
        i = _add(items, "item")
        _add(i, "application", it.application)
        _add(i, "service", str(it.service))
        _add(i, "kind", it.kind)
        for name, value in (("acceptedAt", it.accepted_at), ("issueDate", it.issue_date), ("category", it.category),
                            ("subtype", it.subtype), ("subjectIin", it.subject_iin), ("caseNumber", it.case_number),
                            ("outcome", it.outcome), ("reason", it.reason)):
            if value:
                _add(i, name, value)
        if it.flags:
            flags = _add(i, "flags")
            for f in it.flags:
                _add(flags, "flag", f)
        if it.applicant:
            _add(i, "applicant", json.dumps(it.applicant, ensure_ascii=False))
        if it.representative:
            _add(i, "representative", json.dumps(it.representative, ensure_ascii=False))
        if it.documents:
            docs = _add(i, "documents")
            for code, name in it.documents:
                d = _add(docs, "document")
                _add(d, "code", code)
                _add(d, "name", name)
        if it.form:
            _add(i, "form", json.dumps(it.form, ensure_ascii=False))
        for a in it.attachments:
            att = _add(i, "attachment")
            _add(att, "number", a.number)
            _add(att, "kind", a.kind)
            _add(att, "title", a.title)
            _add(att, "html", base64.b64encode(a.html).decode())
            if a.signed_xml is not None:
                _add(att, "signedXml", base64.b64encode(a.signed_xml).decode())
    return data


def _json(el, name: str, default):
    text = el.findtext(name)
    if not text:
        return default
    try:
        value = json.loads(text)
    except ValueError:
        raise WireError(f"item/{name} is not JSON") from None
    return value


def from_xml(data: etree._Element | None) -> Registry:
    if data is None:
        raise WireError("requestData/data is missing")
    r = data.find("registry")
    if r is None:
        raise WireError("data/registry is missing")
    number, date, direction = r.findtext("number"), r.findtext("date"), r.findtext("direction")
    if not number or not date or direction not in (CON_TO_UO, UO_TO_CON):
        raise WireError("registry needs number, date and direction CON_TO_UO | UO_TO_CON")
    items = []
    for i in r.iterfind("items/item"):
        service = i.findtext("service") or ""
        kind = i.findtext("kind")
        if not i.findtext("application") or not service.isdigit() or kind not in (PACKAGE, RESULT, RETURN):
            raise WireError("item needs application, a numeric service and kind PACKAGE | RESULT | RETURN")
        attachments = []
        for a in i.iterfind("attachment"):
            try:
                html = base64.b64decode(a.findtext("html") or "", validate=True)
                signed = a.findtext("signedXml")
                signed_xml = base64.b64decode(signed, validate=True) if signed else None
            except ValueError:
                raise WireError("attachment/html is not base64") from None
            attachments.append(Attached(a.findtext("number") or "", a.findtext("kind") or "", a.findtext("title") or "",
                                        html, signed_xml))
        items.append(Item(
            application=i.findtext("application"), service=int(service), kind=kind,
            accepted_at=i.findtext("acceptedAt") or "", issue_date=i.findtext("issueDate") or "",
            category=i.findtext("category") or "", subtype=i.findtext("subtype") or "",
            flags=tuple(f.text or "" for f in i.iterfind("flags/flag")),
            applicant=_json(i, "applicant", {}), representative=_json(i, "representative", None),
            subject_iin=i.findtext("subjectIin") or "",
            documents=tuple((d.findtext("code") or "", d.findtext("name") or "") for d in i.iterfind("documents/document")),
            form=_json(i, "form", {}), case_number=i.findtext("caseNumber") or "", outcome=i.findtext("outcome") or "",
            reason=i.findtext("reason") or "", attachments=tuple(attachments)))
    if not items:
        raise WireError("a registry lists at least one item")
    return Registry(number, date, direction, r.findtext("sender") or "", tuple(items))


def ack(number: str, status: str, detail: str = "") -> etree._Element:
    data = etree.Element("data")
    _add(data, "registry", number)
    _add(data, "status", status)
    if detail:
        _add(data, "detail", detail)
    return data
