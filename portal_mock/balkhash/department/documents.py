"""The papers the department issues: талон, справка, уведомление, решение, договор, мотивированный
ответ об отказе, поручение, акт обследования, заключение, письменное обоснование возврата, реестр.

Seed 001 names them and some of their fields (the талон: "дата регистрации и получения
потребителем государственной услуги, фамилия и инициалы ответственного лица, принявшего
документы"; the appendices' tear-off talon: the number of documents and the registration
number) but prints no layout: every layout here is SYNTHETIC. A document is kept as its fields
(``rows``: label and value, ``paragraphs``, ``signature``) and rendered on demand as printable HTML;
where the reading ``electronic_results`` covers the service, the result is also an XML document
signed with the head's EDS (a later regulation's electronic form).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from lxml import etree

from ..paper import render_html  # noqa: F401  (the department's documents print through it)
from .staff import OFFICES, StaffMember

KINDS = {
    "TALON": ("T", "Талон о принятии документов"),
    "CARD": ("KPU", "Карточка персонального учета безработного"),
    "CERTIFICATE": ("SPR", "Справка о регистрации в качестве безработного"),
    "NOTICE": ("UV", "Уведомление"),
    "DECISION": ("RSH", "Решение"),
    "CONTRACT": ("DOG", "Договор о назначении жилищной помощи"),
    "REFUSAL": ("OTK", "Мотивированный ответ об отказе в предоставлении государственной услуги"),
    "SURVEY_ORDER": ("POR", "Поручение на проведение обследования материального положения семьи"),
    "SURVEY_ACT": ("AKT", "Акт обследования материального положения семьи"),
    "CONCLUSION": ("ZAK", "Заключение участковой комиссии о нуждаемости"),
    "COMMISSION_DECISION": ("SK", "Решение специальной комиссии"),
    "RETURN_LETTER": ("VOZ", "Письменное обоснование причин возврата документов"),
    "REGISTRY": ("REE", "Реестр передачи документов в центр обслуживания населения"),
}
RESULT_KINDS = ("CARD", "CERTIFICATE", "NOTICE", "DECISION", "CONTRACT", "REFUSAL")


def document_number(kind: str, year: int, seq: int) -> str:
    """ASCII numbers (BLH-SPR-2013-000001), so they go in URLs and files as they are."""
    return f"BLH-{KINDS[kind][0]}-{year}-{seq:06d}"


def fields(*, title: str, office: str, date: dt.date, rows: list[tuple[str, str]], paragraphs: Iterable[str] = (),
           signer: StaffMember | None = None, signed_at: dt.datetime | None = None, **extra) -> dict:
    o = OFFICES[office]
    out = {"title": title, "office": {"code": o.code, "name": o.name_ru, "address": o.address, "phone": o.phone},
           "date": date.isoformat(), "rows": [[label, value] for label, value in rows],
           "paragraphs": list(paragraphs), **extra}
    if signer is not None:
        out["signature"] = {"position": signer.position_ru, "name": signer.full_name, "short": signer.short_name,
                            "login": signer.login, "signedAt": signed_at.isoformat() if signed_at else None}
    return out


def document_xml(number: str, kind: str, f: dict) -> etree._Element:
    """The result as an XML document (the electronic reading), before its signature."""
    root = etree.Element("document")
    for name, value in (("number", number), ("kind", kind), ("title", f["title"]), ("date", f["date"]),
                        ("issuer", f["office"]["name"])):
        etree.SubElement(root, name).text = value
    rows = etree.SubElement(root, "rows")
    for label, value in f.get("rows", []):
        row = etree.SubElement(rows, "row", label=str(label))
        row.text = str(value)
    for p in f.get("paragraphs", []):
        etree.SubElement(root, "paragraph").text = p
    sig = f.get("signature")
    if sig:
        s = etree.SubElement(root, "signer")
        etree.SubElement(s, "fullName").text = sig["name"]
        etree.SubElement(s, "position").text = sig["position"]
    return root
