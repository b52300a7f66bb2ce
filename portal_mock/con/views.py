"""How the API shows catalogue services and applications as JSON (the shapes of openapi.py)."""

from __future__ import annotations

from egov_sim.reference.terms import service_terms

from .applications_store import Application, HistoryEntry, NoticeRecord, iso

CHANNEL = "con"


def service_json(service, offices: list) -> dict:
    return {
        "code": service.code, "seed": service.seed, "nameRu": service.name_ru,
        "nameKz": service.name_kz, "routeId": service.route_id, "resultKind": service.result_kind,
        "terms": [t for t in service_terms(service) if t["channel"] == CHANNEL],
        "providers": [{"code": o.code, "nameRu": o.name_ru, "nameKz": o.name_kz, "bin": o.bin,
                       "region": o.region} for o in offices],
        "documents": [{"code": d.code, "nameRu": d.name_ru, "nameKz": d.name_kz,
                       "required": d.required} for d in service.documents_for(CHANNEL)],
        "form": [{"name": f.name, "labelRu": f.label_ru, "labelKz": f.label_kz, "type": f.type,
                  "required": f.required, "choices": list(f.choices)} for f in service.form],
    }


def _links(app: Application, base: str, files: list[str]) -> dict:
    href = f"{base}/applications/{app.number}"
    links = {"self": href}
    if "package.xml" in files:
        links["package"] = f"{href}/package"
    if app.result:
        links["result"] = f"{href}/result"
        links["resultXml"] = f"{href}/result.xml"
        if "result-document" in files:
            links["resultDocument"] = f"{href}/result/document"
    if app.status == "ACCEPTED":
        links["send"] = f"{href}/send"
    if app.status == "RESULT_READY":
        links["issue"] = f"{href}/issue"
    return links


def application_json(app: Application, *, history: list[HistoryEntry] | None,
                     notices: list[NoticeRecord], files: list[str], base: str) -> dict:
    r = app.record
    entered = r.get("entered", {})
    out = {
        "id": app.number, "status": app.status, "office": app.office, "operator": app.operator,
        "service": r.get("service"), "provider": r.get("provider"),
        "providerStatus": app.provider_status,
        "applicant": r.get("applicant") or entered.get("applicant"),
        "representative": r.get("representative") or entered.get("representative"),
        "form": entered.get("form", {}), "documents": r.get("documents", []),
        "completeness": r.get("completeness"), "registryChecks": r.get("registryChecks", []),
        "shep": ({"messageId": app.shep_message_id, "correlationId": app.correlation_id,
                  "sentAt": iso(app.sent_at)} if app.shep_message_id else None),
        "registration": app.registration, "resultDueDate": app.result_due_date,
        "result": result_json(app) if app.result else None,
        "issued": app.issued,
        "notices": [{"kind": n.kind, "number": n.number, "issuedAt": iso(n.issued_at),
                     "href": f"{base}/applications/{app.number}/notices/{n.kind}"} for n in notices],
        "links": _links(app, base, files),
        "createdAt": iso(app.created_at), "updatedAt": iso(app.updated_at),
    }
    if history is not None:
        out["history"] = [h.to_json() for h in history]
    return out


def result_json(app: Application) -> dict:
    result = {k: v for k, v in (app.result or {}).items()
              if k not in ("sha256", "shepMessageId", "correlationId", "sender")}
    result["receivedAt"] = iso(app.result_at)
    result["issued"] = app.issued
    result["delivery"] = {k: (app.result or {}).get(k)
                          for k in ("shepMessageId", "correlationId", "sender", "sha256")}
    return result
