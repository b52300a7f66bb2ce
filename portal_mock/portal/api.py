"""The portal's JSON HTTP API (Starlette routes, mounted by the server under ``/portal``).

Every answer is JSON (or the XML documents themselves); every error is the shared body of
egov_sim.core.json_api, ``{"error": {"code", "message", ...}}``, with the notice of the step
that refused, never a traceback. Request bodies are validated against the OpenAPI document
(:mod:`openapi`).
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import bearer_token
from egov_sim.core.json_api import endpoint, read_body, read_json, refused, with_fallback
from egov_sim.wsdl.service_request import Attachment

from . import catalogue_api, openapi
from .errors import PortalError, not_found, unauthorized
from .notices import NOTICES
from .requests_store import PortalUser
from .submission import portal_service

log = logging.getLogger("egov_sim.portal")

XML_TYPES = ("application/xml", "text/xml")
SIGN_HINT = ("sign this XML with the applicant's EDS (NCALayer enveloped layout): "
             "egov-sim sign draft.xml --p12 <key.p12> --password <pw> --out signed.xml; "
             "then POST it to /requests")


def _wants(request: Request, media_type: str) -> bool:
    return media_type in request.headers.get("accept", "")


def _xml(content: bytes, *, status: int = 200, filename: str | None = None, **headers) -> Response:
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(content, status_code=status, media_type="application/xml", headers=headers)


def _attachments(items: list[dict]) -> list[Attachment]:
    out = []
    for i, item in enumerate(items):
        try:
            content = base64.b64decode("".join(item["content"].split()), validate=True)
        except (binascii.Error, ValueError):
            raise refused("INVALID_BODY", f"attachments/{i}/content: not base64",
                          field=f"attachments[{i}].content") from None
        out.append(Attachment(item["documentCode"], item["fileName"], item["mediaType"], content,
                              item.get("title")))
    return out


def routes(portal) -> list[BaseRoute]:
    """The API of ``portal`` (an :class:`~portal_mock.portal.assembly.Portal`), paths relative."""
    accounts, store, submissions = portal.accounts, portal.store, portal.submissions
    limit = portal.settings.max_body
    schemas = openapi.body_schemas()

    async def json_body(request: Request, schema: str) -> Any:
        return schemas.check(schema, await read_json(request, limit=limit))

    def user_of(request: Request) -> PortalUser:
        user = accounts.user_for(bearer_token(request.headers.get("authorization")))
        if user is None:
            raise unauthorized("sign in first (POST /login); the session is unknown or has expired")
        return user

    def owned(request: Request, user: PortalUser):
        request_id = request.path_params["requestId"]
        found = store.get(request_id, owner_iin=user.iin)
        if found is None:
            raise not_found(f"request {request_id}")
        return found

    # --- meta and catalogue ---------------------------------------------------------------

    async def get_openapi(request: Request) -> Response:
        return JSONResponse(openapi.document())

    async def get_notices(request: Request) -> Response:
        return JSONResponse({"notices": [n.to_json() for n in NOTICES.values()]})

    async def get_services(request: Request) -> Response:
        return JSONResponse({"services": catalogue_api.portal_services()})

    async def get_service(request: Request) -> Response:
        return JSONResponse(catalogue_api.service_detail(portal_service(request.path_params["code"])))

    # --- accounts ---------------------------------------------------------------------------

    async def post_register(request: Request) -> Response:
        body = await json_body(request, "Registration")
        user = await accounts.register(body["iin"], body["password"], surname=body.get("surname"),
                                       name=body.get("name"), patronymic=body.get("patronymic"))
        return JSONResponse(user.to_json(), status_code=201)

    async def post_login(request: Request) -> Response:
        body = await json_body(request, "Login")
        signed_in = await accounts.login(body["iin"], body["password"])
        return JSONResponse({"token": signed_in.session.token, "tokenType": "Bearer",
                             "expiresAt": signed_in.session.expires_at.isoformat(),
                             "user": signed_in.user.to_json()})

    async def post_logout(request: Request) -> Response:
        user_of(request)
        accounts.logout(bearer_token(request.headers.get("authorization")))
        return Response(status_code=204)

    async def get_me(request: Request) -> Response:
        return JSONResponse(user_of(request).to_json())

    # --- requests ---------------------------------------------------------------------------

    async def post_draft(request: Request) -> Response:
        user = user_of(request)
        body = await json_body(request, "DraftInput")
        form = {k: str(v) for k, v in body["form"].items()}
        draft, xml = submissions.draft(user, body["serviceCode"], body.get("providerCode"), form,
                                       _attachments(body.get("attachments", [])))
        if _wants(request, "application/xml"):
            return _xml(xml, status=201, **{"X-Request-Id": draft.request_id})
        return JSONResponse({"requestId": draft.request_id, "serviceCode": draft.service_code,
                             "providerCode": draft.provider_code, "xml": xml.decode("utf-8"),
                             "sign": SIGN_HINT}, status_code=201)

    async def get_draft(request: Request) -> Response:
        user = user_of(request)
        request_id = request.path_params["requestId"]
        draft = store.draft(request_id)
        if draft is None or draft.owner_iin != user.iin:
            raise not_found(f"draft {request_id}")
        return _xml(store.draft_xml(request_id) or b"", filename=f"{request_id}.xml")

    async def post_request(request: Request) -> Response:
        user = user_of(request)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/json":
            signed = (await json_body(request, "SignedRequest"))["signedXml"].encode("utf-8")
        else:
            signed = await read_body(request, limit=limit)
            if not signed.strip():
                raise refused("INVALID_BODY", "send the signed XML (application/xml) or "
                                              '{"signedXml": "..."} (application/json)')
        result, new = await submissions.submit(user, signed)
        return JSONResponse(result.to_json(), status_code=201 if new else 200)

    async def get_requests(request: Request) -> Response:
        user = user_of(request)
        return JSONResponse({"requests": [r.to_json(with_history=False) for r in store.list(user.iin)]})

    async def get_request(request: Request) -> Response:
        return JSONResponse(owned(request, user_of(request)).to_json())

    async def get_signed(request: Request) -> Response:
        found = owned(request, user_of(request))
        return _xml(store.signed_xml(found.request_id) or b"", filename=f"{found.request_id}.xml")

    async def get_result(request: Request) -> Response:
        found = owned(request, user_of(request))
        result = store.result(found.request_id)
        if result is None:
            raise PortalError(404, "NO_RESULT", f"{found.request_id} has no result yet "
                                                f"(status {found.status})", requestId=found.request_id)
        if _wants(request, "application/json"):
            return JSONResponse({"requestId": result.request_id, "outcome": result.outcome,
                                 "receivedAt": result.received_at.isoformat(),
                                 "signer": result.signer, "summary": result.summary,
                                 "xml": result.xml.decode("utf-8")})
        return _xml(result.xml, filename=f"result-{found.request_id}.xml")

    async def post_resend(request: Request) -> Response:
        user = user_of(request)
        return JSONResponse((await submissions.resend(user, request.path_params["requestId"])).to_json())

    table = [
        ("/openapi.json", {"GET": get_openapi}),
        ("/notices", {"GET": get_notices}),
        ("/services", {"GET": get_services}),
        ("/services/{code}", {"GET": get_service}),
        ("/register", {"POST": post_register}),
        ("/login", {"POST": post_login}),
        ("/logout", {"POST": post_logout}),
        ("/me", {"GET": get_me}),
        ("/requests/draft", {"POST": post_draft}),
        ("/requests/draft/{requestId}", {"GET": get_draft}),
        ("/requests", {"GET": get_requests, "POST": post_request}),
        ("/requests/{requestId}", {"GET": get_request}),
        ("/requests/{requestId}/signed", {"GET": get_signed}),
        ("/requests/{requestId}/result", {"GET": get_result}),
        ("/requests/{requestId}/resend", {"POST": post_resend}),
    ]
    out: list[BaseRoute] = [
        Route(path, endpoint(handler, system="portal", log=log), methods=[method],
              name=f"portal:{method} {path}")
        for path, handlers in table for method, handler in handlers.items()]
    return with_fallback(out)
