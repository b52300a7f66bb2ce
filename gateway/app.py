"""HTTP transport of the gateway: the SyncChannel and AsyncChannel endpoints, the contract files,
the echo floor.

Paths follow production: SyncChannel at ``/bip-sync-wss-gost/``, AsyncChannel at ``/bip-async``
(wire-formats.md §2.9); both also without/with the trailing slash. The
contract files are served unchanged from ``wsdl/`` under ``/wsdl/``, so their relative
``wsdl:import``/``xsd:import`` locations resolve over HTTP; ``?wsdl`` on the endpoint serves the
service WSDL with absolute import locations and this server's address.
"""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from egov_sim import wsdl

from . import errors, soap
from .errors import ErrorCodes, GatewayFault
from .sync_channel import FAULT_ELEMENT, SyncChannel

SYNC_PATH = "/bip-sync-wss-gost/"
SYNC_WSDL = "shep/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl"
ASYNC_PATH = "/bip-async"
ASYNC_WSDL = "shep/AsyncChannel/v10/Interfaces/AsyncChannelHttp_Service.wsdl"
XML = "text/xml; charset=utf-8"
_XML = XML.encode()


class BodyTooLarge(Exception):
    pass


async def receive_body(receive, max_bytes: int, declared: bytes | None = None) -> bytes | None:
    """The request body from ASGI ``receive``, refusing to buffer more than ``max_bytes`` (a
    ``declared`` Content-Length over it before anything is read); None when the client went
    away first."""
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise BodyTooLarge(f"body of {declared.decode()} bytes is over the limit of {max_bytes}")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None  # http.disconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            raise BodyTooLarge(f"body is over the limit of {max_bytes} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def read_body(request: Request, max_bytes: int) -> bytes:
    """:func:`receive_body` of a Starlette request (read once, by the route itself)."""
    declared = request.headers.get("content-length")
    body = await receive_body(request.receive, max_bytes, declared.encode("latin-1") if declared else None)
    if body is None:
        raise ClientDisconnect()
    return body


def _too_large_body(exc: BodyTooLarge, codes: ErrorCodes, channel: SyncChannel) -> bytes:
    return soap.fault_envelope(GatewayFault(errors.XML_POLICY, str(exc)), fault_element=FAULT_ELEMENT,
                               codes=codes, when=channel.clock())


def service_wsdl(base_url: str, wsdl_file: str = SYNC_WSDL, path: str = SYNC_PATH) -> bytes:
    """The service WSDL for ``?wsdl``: relative imports made absolute, address set to this server.

    A redirect to ``/wsdl/…`` is not enough: zeep (and others) resolve the relative
    ``wsdl:import location`` against the URL they asked for, ``/bip-sync-wss-gost/``, and 404.
    The files under ``/wsdl/`` stay byte-for-byte unchanged.
    """
    here = f"{base_url}/wsdl/{wsdl_file}"
    tree = etree.parse(str(Path(wsdl.ROOT) / wsdl_file))
    for imp in tree.getroot().iter("{http://schemas.xmlsoap.org/wsdl/}import"):
        imp.set("location", urljoin(here, imp.get("location", "")))
    for address in tree.getroot().iter("{http://schemas.xmlsoap.org/wsdl/soap/}address"):
        address.set("location", f"{base_url}{path}")
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


class SendMessageEndpoint:
    """``POST`` of SyncChannel as a plain ASGI app: the body, two headers and the peer go to
    :meth:`SyncChannel.handle`, its bytes go back. Starlette's Request and Response objects
    (header views, background tasks, the exception wrapper) cost about a tenth of a
    SendMessage's CPU and gave this endpoint nothing it uses."""

    def __init__(self, channel: SyncChannel):
        self.channel = channel
        self.limit = channel.config.limits.max_bytes

    async def __call__(self, scope, receive, send) -> None:
        content_type = soap_action = None
        declared = b""
        for name, value in scope["headers"]:  # the first of each, as Request.headers.get
            if name == b"content-type":
                content_type = content_type if content_type is not None else value.decode("latin-1")
            elif name == b"soapaction":
                soap_action = soap_action if soap_action is not None else value.decode("latin-1")
            elif name == b"content-length" and not declared:
                declared = value
        try:
            raw = await receive_body(receive, self.limit, declared)
        except BodyTooLarge as exc:
            status, body = 500, _too_large_body(exc, self.channel.config.error_codes, self.channel)
        else:
            if raw is None:
                return  # the client went away before its request was read: nobody to answer
            client = scope.get("client")
            status, body, _ = await self.channel.handle(raw, content_type,
                                                        client=client[0] if client else None,
                                                        soap_action=soap_action)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-length", str(len(body)).encode()), (b"content-type", _XML)]})
        await send({"type": "http.response.body", "body": body})


def sync_routes(channel: SyncChannel) -> list[Route]:
    send_message = SendMessageEndpoint(channel)

    async def describe(request: Request) -> Response:
        if "wsdl" in request.query_params or request.url.query.lower() == "wsdl":
            return Response(service_wsdl(str(request.base_url).rstrip("/")), media_type="text/xml")
        return PlainTextResponse(f"ШЭП SyncChannel v10: POST SOAP 1.1 SendMessage here; WSDL: /wsdl/{SYNC_WSDL}\n")

    return [
        Route(SYNC_PATH, send_message, methods=["POST"]),
        Route(SYNC_PATH.rstrip("/"), send_message, methods=["POST"]),
        Route(SYNC_PATH, describe, methods=["GET"]),
        Route(SYNC_PATH.rstrip("/"), describe, methods=["GET"]),
    ]


def async_routes(channel) -> list[Route]:
    """``/bip-async`` (and ``/bip-async/``): the AsyncChannel operations; ``?wsdl`` its WSDL."""
    limit = channel.config.limits.max_bytes

    async def post(request: Request) -> Response:
        try:
            raw = await read_body(request, limit)
        except BodyTooLarge as exc:
            body = soap.fault_envelope(GatewayFault(errors.XML_POLICY, str(exc)),
                                       fault_element="{http://bip.bee.kz/AsyncChannel/v10/Types}"
                                                     "sendMessageFault1_sendMessageFault",
                                       codes=channel.config.error_codes, when=channel.clock())
            return Response(body, status_code=500, media_type=XML)
        status, body, _ = await channel.handle(raw, request.headers.get("content-type"),
                                               client=request.client.host if request.client else None,
                                               soap_action=request.headers.get("soapaction"))
        return Response(body, status_code=status, media_type=XML)

    async def describe(request: Request) -> Response:
        if "wsdl" in request.query_params or request.url.query.lower() == "wsdl":
            return Response(service_wsdl(str(request.base_url).rstrip("/"), ASYNC_WSDL, ASYNC_PATH),
                            media_type="text/xml")
        return PlainTextResponse("ШЭП AsyncChannel v10: POST SOAP 1.1 sendMessage, getMessages, "
                                 f"getMessageStatus, sendDeliveryNotification here; WSDL: /wsdl/{ASYNC_WSDL}\n")

    return [Route(path, handler, methods=[method]) for path in (ASYNC_PATH, ASYNC_PATH + "/")
            for handler, method in ((post, "POST"), (describe, "GET"))]


def contract_routes() -> list[Route]:
    root = Path(wsdl.ROOT).resolve()

    async def contract_file(request: Request) -> Response:
        rel = request.path_params["path"]
        target = (root / rel).resolve()
        if root not in target.parents or target.suffix not in (".wsdl", ".xsd") or not target.is_file():
            return PlainTextResponse(f"no contract file {rel!r}\n", status_code=404)
        return FileResponse(target, media_type="text/xml")

    return [Route("/wsdl/{path:path}", contract_file, methods=["GET"])]


def echo_routes(limit: int) -> list[Route]:
    """A bare echo of the same SOAP layer: the floor the gateway's benchmark measures against."""

    async def echo(request: Request) -> Response:
        try:
            message = soap.parse_message(await read_body(request, limit), soap.XmlLimits(max_bytes=limit))
        except (GatewayFault, BodyTooLarge) as exc:
            return PlainTextResponse(str(exc), status_code=400)
        return Response(soap.serialize(soap.envelope_with(copy.deepcopy(message.operation))),
                        media_type=XML)

    return [Route("/sim/echo", echo, methods=["POST"])]
