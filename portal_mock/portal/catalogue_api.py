"""The portal's service catalogue: what egov.kz offers (process 3 "the recipient chooses the
service"), read from the catalogue shared with ЦОН and РШЭП (egov_sim.reference.catalogue).

Only services with the portal channel appear, each with its request form and the documents to
attach as e-copies on the portal; the provider offices listed are those that take portal
requests (the city and district akimats; rural akims take paper applications only).
"""

from __future__ import annotations

from egov_sim.reference import catalogue
from egov_sim.reference.catalogue import StateService
from egov_sim.reference.terms import service_terms

from .form_checks import ELIGIBILITY_FIELD, MAX_ATTACHMENT_BYTES, MAX_TOTAL_BYTES, PORTAL_ELIGIBLE_CATEGORIES

CHANNEL = "portal"


def service_summary(service: StateService) -> dict:
    return {
        "code": service.code, "seed": service.seed, "nameRu": service.name_ru,
        "nameKk": service.name_kz, "resultKind": service.result_kind,
        "terms": [t for t in service_terms(service) if t["channel"] == "portal"],
        "portalEligibility": _eligibility(service),
    }


def _eligibility(service: StateService) -> dict | None:
    if service.portal_eligibility is None:
        return None
    return {"rule": service.portal_eligibility, "field": ELIGIBILITY_FIELD,
            "allowedValues": list(PORTAL_ELIGIBLE_CATEGORIES), "check": "K16"}


def service_detail(service: StateService) -> dict:
    """The request form: fields, e-copies to attach, and the offices to choose from."""
    return {
        **service_summary(service),
        "routeId": service.route_id,
        "form": [{"name": f.name, "labelRu": f.label_ru, "labelKk": f.label_kz, "type": f.type,
                  "required": f.required, "choices": list(f.choices)} for f in service.form],
        "documents": [{"code": d.code, "nameRu": d.name_ru, "nameKk": d.name_kz,
                       "required": d.required} for d in service.documents_for(CHANNEL)],
        "providers": [{"code": o.code, "nameRu": o.name_ru, "nameKk": o.name_kz, "bin": o.bin,
                       "region": o.region, "workingHours": o.working_hours}
                      for o in catalogue.offices_for(service, CHANNEL)],
        "limits": {"attachmentBytes": MAX_ATTACHMENT_BYTES, "totalBytes": MAX_TOTAL_BYTES},
    }


def portal_services() -> list[dict]:
    return [service_summary(s) for s in catalogue.services_for(CHANNEL)]
