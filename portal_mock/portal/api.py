"""The portal's JSON HTTP API (Starlette routes, mounted by the server under ``/portal``).

Every answer is JSON (or the XML documents themselves); every error is
``{"error": {"code", "message", ...}}`` with the notice of the step that refused, never a
traceback. Request bodies are validated against the OpenAPI document (:mod:`openapi`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.auth import bearer_token
from egov_sim.core.database import DatabaseError
from egov_sim.core.errors import InputError
from egov_sim.core.json_api import error

from . import catalogue_api, openapi
from .errors import PortalError, not_found, unauthorized
from .notices import NOTICES
from .requests_store import PortalUser
from .service_request import Attachment
from .submission import portal_service

log = logging.getLogger("egov_sim.portal")

MAX_BODY = 6 * 1024 * 1024
"""Largest request body: the e-copies' limit (form_checks) in base64, plus the form and JSON."""
XML_TYPES = ("application/xml", "text/xml")
SIGN_HINT = ("sign this XML with the applicant's EDS (NCALayer enveloped layout): "
             "egov-sim sign draft.xml --p12 <key.p12> --password <pw> --out signed.xml; "
             "then POST it to /requests")

Handler = Callable[[Request], Awaitable[Response]]
ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def endpoint(handlers: dict[str, Handler]) -> Handler:
    """One path, several methods; any failure becomes a JSON error."""
    allowed = ", ".join(sorted(handlers))

    async def app(request: Request) -> Response:
        handler = handlers.get(request.method)
        if handler is None:
            return error(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed here; "
                                                     f"use {allowed}", allowed=allowed)
        try:
            return await handler(request)
        except PortalError as exc:
            headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
            return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)
        except InputError as exc:
            return error(422, exc.code, str(exc))
        except DatabaseError as exc:
            log.error("portal database error: %s", exc)
            return error(503, "DATABASE_UNAVAILABLE", "the portal's database is unavailable; "
                                                       "try again later")
        except Exception:  # the API must never answer with a traceback
            log.exception("portal: unexpected error on %s %s", request.method, request.url.path)
            return error(500, "INTERNAL", "internal error of the portal")

    app.methods = tuple(handlers)  # what the OpenAPI test compares with the document
    return app


async def _body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise PortalError(413, "BODY_TOO_LARGE", f"the body is larger than {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, schema: str) -> Any:
    raw = await _body(request)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PortalError(400, "INVALID_JSON", f"the body is not JSON: {exc}") from None
    openapi.validate_body(schema, body)
    return body


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
            raise PortalError(400, "INVALID_BODY", f"attachments/{i}/content: not base64") from None
        out.append(Attachment(item["documentCode"], item["fileName"], item["mediaType"], content,
                              item.get("title")))
    return out


def routes(portal) -> list[BaseRoute]:
    """The API of ``portal`` (an :class:`~portal_mock.portal.assembly.Portal`), paths relative."""
    accounts, store, submissions = portal.accounts, portal.store, portal.submissions

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
        body = await _json_body(request, "Registration")
        user = await accounts.register(body["iin"], body["password"], surname=body.get("surname"),
                                       name=body.get("name"), patronymic=body.get("patronymic"))
        return JSONResponse(user.to_json(), status_code=201)

    async def post_login(request: Request) -> Response:
        body = await _json_body(request, "Login")
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
        body = await _json_body(request, "DraftInput")
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
            signed = (await _json_body(request, "SignedRequest"))["signedXml"].encode("utf-8")
        else:
            signed = await _body(request)
            if not signed.strip():
                raise PortalError(400, "INVALID_BODY", "send the signed XML (application/xml) or "
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

    async def fallback(request: Request) -> Response:
        return error(404, "NOT_FOUND", f"no such endpoint: {request.method} {request.url.path}; "
                                        "see openapi.json")

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
    # Every method reaches the dispatcher, so a wrong one is a JSON 405, not Starlette's text.
    out: list[BaseRoute] = [Route(path, endpoint(handlers), methods=ANY_METHOD, name=f"portal:{path}")
                            for path, handlers in table]
    out.append(Route("/{rest:path}", endpoint({m: fallback for m in ANY_METHOD}),
                     methods=ANY_METHOD, name="portal:fallback"))
    return out

