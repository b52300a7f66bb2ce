"""The portal's own checks of a request form: portal eligibility (K16) and the form (K11).

Seed 000 §1.3 opens the portal channel only to persons with disabilities and persons with
socially significant diseases. The portal has no registry of those (ГБД ФЛ holds neither), so
the reading is: the applicant declares the category in the form field ``category`` and attaches
the proof (document CATEGORY_PROOF, required on the portal); the portal refuses other
categories at the start (K16), and the provider judges the proof (condition 3, K06).

002 §11.5 has the applicant fill the form "taking into account its requirements and structure"
and attach e-copies of the necessary documents (K11); no notice is prescribed. By default the
portal does not let an incomplete form through (``completeness="portal"``), as egov.kz marks
required uploads; with ``completeness="provider"`` the missing documents go on to the provider's
condition 3, the reading of regulations-kz.md §7 item 11 ("in the portal channel completeness is
not checked before sending").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Mapping, Sequence

from egov_sim.reference.catalogue import FormField, StateService
from egov_sim.reference.iin import is_valid_iin
from egov_sim.wsdl.service_request import Attachment

from . import notices
from .notices import Notice

Completeness = Literal["portal", "provider"]

ELIGIBILITY_FIELD = "category"
PORTAL_ELIGIBLE_CATEGORIES = ("disability", "socially_significant_disease")
"""000 §1.3: the categories the portal channel is open to (values of the form field ``category``)."""

MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 3 * 1024 * 1024
"""The whole request must fit the gateway's message limit (5 MiB of SOAP, base64 grows by 4/3)."""
MAX_TEXT = 500


@dataclass(frozen=True)
class CheckFailure:
    """A failed check: which one, at which step, the notice it forms and why."""

    check: str
    step: str
    notice: Notice
    reason: str
    message: str
    detail: Any = None


def eligibility(service: StateService, form: Mapping[str, str]) -> CheckFailure | None:
    """K16: a service with a portal eligibility rule serves only the categories it names."""
    if service.portal_eligibility is None:
        return None
    category = (form.get(ELIGIBILITY_FIELD) or "").strip()
    if category in PORTAL_ELIGIBLE_CATEGORIES:
        return None
    return CheckFailure(
        "K16", "START", notices.NOT_ELIGIBLE, "NOT_ELIGIBLE",
        f"the portal channel of {service.code} is open only to {service.portal_eligibility}; "
        f"form field {ELIGIBILITY_FIELD!r} is {category or 'empty'!r}, expected one of "
        f"{', '.join(PORTAL_ELIGIBLE_CATEGORIES)}",
        {"field": ELIGIBILITY_FIELD, "value": category or None,
         "allowed": list(PORTAL_ELIGIBLE_CATEGORIES)})


def _field_problem(spec: FormField, value: str) -> str | None:
    if spec.type == "iin":
        return None if is_valid_iin(value) else "is not a valid IIN (12 digits, date, check digit)"
    if spec.type == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return "is not a date (YYYY-MM-DD)"
        return None
    if spec.type == "number":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return "is not a number"
        return None if number.is_finite() and number >= 0 else "must be a non-negative number"
    if spec.type == "choice":
        return None if value in spec.choices else f"must be one of {', '.join(spec.choices)}"
    return None if len(value) <= MAX_TEXT else f"is longer than {MAX_TEXT} characters"


def form_problems(service: StateService, form: Mapping[str, str],
                  attachments: Sequence[Attachment], *,
                  completeness: Completeness = "portal") -> list[dict]:
    """Everything wrong with the form and its e-copies, one item per problem."""
    problems: list[dict] = []
    specs = {f.name: f for f in service.form}
    for name in form:
        if name not in specs:
            problems.append({"field": name, "problem": "is not a field of this service's form"})
    for spec in service.form:
        value = (form.get(spec.name) or "").strip()
        if not value:
            if spec.required:
                problems.append({"field": spec.name, "problem": "is required",
                                 "labelRu": spec.label_ru, "labelKk": spec.label_kz})
            continue
        problem = _field_problem(spec, value)
        if problem:
            problems.append({"field": spec.name, "problem": problem})

    portal_docs = {d.code: d for d in service.documents_for("portal")}
    total = 0
    seen = set()
    for a in attachments:
        total += a.size
        seen.add(a.document_code)
        if a.document_code not in portal_docs:
            problems.append({"document": a.document_code,
                             "problem": "is not a document of this service on the portal"})
        if not a.decodable:
            problems.append({"document": a.document_code, "problem": "content is not base64"})
        elif a.size == 0:
            problems.append({"document": a.document_code, "problem": "the file is empty"})
        elif a.size > MAX_ATTACHMENT_BYTES:
            problems.append({"document": a.document_code,
                             "problem": f"the file is larger than {MAX_ATTACHMENT_BYTES} bytes"})
    if total > MAX_TOTAL_BYTES:
        problems.append({"document": None, "problem": f"the e-copies exceed {MAX_TOTAL_BYTES} bytes"})
    if completeness == "portal":
        for doc in portal_docs.values():
            if doc.required and doc.code not in seen:
                problems.append({"document": doc.code, "problem": "the e-copy is missing",
                                 "nameRu": doc.name_ru, "nameKk": doc.name_kz})
    return problems


def completeness_failure(problems: list[dict]) -> CheckFailure | None:
    """K11 as a refusal at process 3, or None."""
    if not problems:
        return None
    missing = [p["document"] for p in problems if p.get("problem") == "the e-copy is missing"]
    reason = "DOCUMENTS_MISSING" if missing and len(missing) == len(problems) else "FORM_INVALID"
    summary = "; ".join(f"{p.get('field') or p.get('document')}: {p['problem']}" for p in problems[:5])
    return CheckFailure("K11", "P3", notices.FORM_INCOMPLETE, reason,
                        f"the request form does not meet its requirements: {summary}",
                        {"problems": problems})
