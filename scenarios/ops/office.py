"""The provider's office (002 §5.1, 000 §5.1): the clerk accepts a paper application in АРМ РШЭП.

At the office nothing goes through ШЭП: the application is entered and registered at once
(``POST /arm/requests``), and the result is issued in person.
"""

from __future__ import annotations

from .arm import staff_login
from .common import Divergence, OpResult, PlayContext, documents_for, form_for, service_of


def accept(ctx: PlayContext, args: dict) -> OpResult:
    service = service_of(args)
    ctx.state["provider"] = args["provider"]
    person = ctx.person("applicant")
    applicant = {"iin": ctx.iin("applicant"), "surname": person.surname if person else "НЕИЗВЕСТНО",
                 "name": person.name if person else "НЕИЗВЕСТНО"}
    if person is not None and person.patronymic:
        applicant["patronymic"] = person.patronymic
    channel = "akim" if "akim" in ctx.flow.channel else "office"
    documents = documents_for(service, channel, args, ctx.scenario.setup, leave_out_incomplete=True)
    form = {k: str(v) for k, v in form_for(ctx, service).items()}
    login = staff_login(ctx, "clerk")
    body = {"serviceCode": service.code, "applicant": applicant, "form": form, "documents": documents}
    if ctx.step_start is not None and ctx.systems.local:  # the moment the package was handed in
        body["handedInAt"] = ctx.step_start.isoformat()
    r = ctx.call("POST", "/arm/requests", auth=("arm", login), json=body)
    if r.status_code != 201:
        raise Divergence(f"the office did not accept the application: {r.status_code} {r.text[:300]}")
    req = r.json()["request"]
    ctx.state["arm_id"] = req["id"]
    ctx.state["arm_request"] = req
    ctx.state["arm_terms"] = req.get("terms") or []
    missing = (req.get("checks") or {}).get("missingDocuments") or []
    return OpResult(detail=f"{login} accepted {req['requestId']} ({len(documents)} documents"
                           + (f", missing {', '.join(missing)}" if missing else "")
                           + f"); registered as {req['registrationNumber']}, due {req['dueDate']}")


OPS = {"office.accept": accept}
