"""Record and replay: exchanges with a real provider (or from the ШЭП journal) saved as stubs.

Each exchange becomes one stub file: the matcher is the request's ``data`` (``equal_to``) with
volatile fields ignored — elements named like ids and dates (``messageId``, ``messageDate``…)
and any element whose text is a date-time or a GUID — and the answer is what the provider
sent (its ``data``, status, or its fault). ``requestInfo`` is never saved, so neither is the
sender's password; in ``data`` (and in an escaped document inside it) elements and attributes
named like secrets (password, token, secret, pin, ``kdpToken``…) are replaced by ``***`` and
ignored by the matcher. Answers are saved with ``template: false``: replayed byte for byte.

A file is named after the serviceId and a hash of the matcher, so recording the same request
twice rewrites one file (the last answer wins) and two workers never clash.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml
from lxml import etree

from egov_sim.core import atomic
from egov_sim.core.safe_xml import UnsafeXmlError, XmlLimits, parse

from ..errors import GatewayFault
from ..providers import SYNC_TYPES, ProviderCall, ProviderFault, ProviderReply
from ..request_info import read_request_info
from ..soap import SOAP11, copy_data

REDACTED = "***"
SECRET_NAME = re.compile(r"(?i)(pass(word|wd)?|secret|token|pin|pincode|apikey|api_key|credential|privatekey)$")
VOLATILE_NAMES = frozenset({"messageId", "messageDate", "correlationId", "sessionId", "requestId",
                            "requestDate", "responseDate", "responseId", "date", "timestamp"})
_DATETIME = re.compile(r"^\s*\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
_GUID = re.compile(r"^\s*\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?\s*$")
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def redact(root: etree._Element) -> set[str]:
    """Blank out secrets in place; return the local names of the elements blanked."""
    names = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if SECRET_NAME.search(_local(el)) and len(el) == 0 and (el.text or "").strip():
            el.text = REDACTED
            names.add(_local(el))
        for attr in list(el.attrib):
            if SECRET_NAME.search(etree.QName(attr).localname):
                el.set(attr, REDACTED)
    return names


def volatile(root: etree._Element) -> set[str]:
    """Local names of elements a replay must not compare: ids, dates, GUIDs."""
    names = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or len(el):
            continue
        name, text = _local(el), el.text or ""
        if name in VOLATILE_NAMES or _DATETIME.match(text) or _GUID.match(text):
            names.add(name)
    return names


def _escaped_document(data: etree._Element) -> etree._Element | None:
    text = (data.text or "").strip()
    if len(data) or not text.startswith("<"):
        return None
    try:
        return parse(text.encode("utf-8")).getroot()
    except UnsafeXmlError:
        return None


def _without(root: etree._Element, names: set[str]) -> str:
    """``root`` serialised with the text of the ignored elements left out."""
    dup = copy.deepcopy(root)
    for el in dup.iter():
        if isinstance(el.tag, str) and _local(el) in names:
            el.text = None
    return _serialize(dup)


def _serialize(el: etree._Element) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


class _Block(str):
    """A YAML block scalar (``|``): XML stays readable in the saved file."""


def _block(dumper: yaml.SafeDumper, value: _Block):
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(_Block, _block)


@dataclass(frozen=True)
class Exchange:
    """One recorded exchange: the request's routing and data, and the provider's answer."""

    service_id: str
    data: etree._Element | None
    route_id: str | None = None
    reply: ProviderReply | None = None
    fault: tuple[str, str, str | None] | None = None
    """(code, message, data) of a provider fault."""


def stub_for(exchange: Exchange, *, origin: str) -> tuple[str, dict]:
    """The stub file (name, content) that replays ``exchange``."""
    match: dict = {"service_id": exchange.service_id}
    if exchange.route_id:
        match["route_id"] = exchange.route_id
    if exchange.data is not None:
        data = copy_data(exchange.data)
        inner = _escaped_document(data)
        target = inner if inner is not None else data
        ignore = redact(target) | volatile(target)
        text = _serialize(inner) if inner is not None else _serialize(data)
        match["equal_to"] = _Block(text)
        if ignore:
            match["ignore"] = sorted(ignore)
        match_key = {**match, "equal_to": _without(target, ignore)}
    else:
        match_key = dict(match)
    answer: dict = {"template": False}
    if exchange.fault is not None:
        code, message, fault_data = exchange.fault
        answer["fault"] = {"code": code, "message": message}
        if fault_data is not None:
            answer["fault"]["data"] = fault_data
    else:
        reply = exchange.reply
        answer["status"] = reply.code
        answer["message"] = reply.message
        if reply.data is not None:
            data = copy_data(reply.data)
            inner = _escaped_document(data)
            if inner is not None:
                redact(inner)
                answer["escaped"] = True
                answer["data"] = _Block(_serialize(inner))
            else:
                redact(data)
                answer["data"] = _Block(_serialize(data))
    # named by what the matcher compares (ignored values left out): the same request → one file
    digest = hashlib.sha256(yaml.dump(match_key, Dumper=_Dumper, sort_keys=True).encode()).hexdigest()[:12]
    name = f"{exchange.service_id}-{digest}"
    doc = {"stubs": [{"name": name, "description": origin, "match": match, "answer": answer}]}
    return name, doc


def write_stub(folder: Path, exchange: Exchange, *, origin: str) -> Path:
    name, doc = stub_for(exchange, origin=origin)
    path = Path(folder) / f"{_safe(name)}.yaml"
    text = ("# Recorded by egov-sim; edit freely (docs/stubs.md).\n"
            + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))
    atomic.write_text(path, text)
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


class RecordingProvider:
    """Wraps an external provider: answers as it does and saves each exchange as a stub."""

    def __init__(self, inner, folder: Path, *, url: str):
        self.inner, self.folder, self.url = inner, Path(folder), url

    async def __call__(self, call: ProviderCall) -> ProviderReply:
        data = copy_data(call.data) if call.data is not None else None
        try:
            reply = await self.inner(call)
        except ProviderFault as fault:
            await self._save(Exchange(call.info.service_id, data, call.route_id,
                                      fault=(fault.code, fault.message, fault.data)))
            raise
        await self._save(Exchange(call.info.service_id, data, call.route_id, reply=reply))
        return reply

    async def _save(self, exchange: Exchange) -> None:
        await asyncio.to_thread(write_stub, self.folder, exchange,
                                origin=f"recorded from {self.url}")


# --- from the journal --------------------------------------------------------------------------


@dataclass
class JournalConversion:
    written: list[Path]
    skipped: dict[str, int]


def exchange_from_bodies(request_body: bytes, response_body: bytes) -> Exchange | str:
    """An :class:`Exchange` from a journaled request and response, or why it cannot be replayed."""
    limits = XmlLimits(max_bytes=64 * 1024 * 1024, max_depth=256)
    try:
        req = parse(request_body, limits).getroot()
        resp = parse(response_body, limits).getroot()
    except UnsafeXmlError:
        return "not well-formed XML"
    send = req.find(f"{{{SOAP11}}}Body/{{{SYNC_TYPES}}}SendMessage/request")
    if send is None:
        return "not a SendMessage"
    try:
        info = read_request_info(send)
    except GatewayFault:
        return "requestInfo incomplete"
    data = send.find("requestData/data")
    body = resp.find(f"{{{SOAP11}}}Body")
    first = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if first is None:
        return "empty response"
    if first.tag == f"{{{SOAP11}}}Fault":
        sub = first.find(f"detail/{{{SYNC_TYPES}}}SendMessageFault1_SendMessageFault/subError")
        if sub is None:
            code = first.findtext(f"detail/{{{SYNC_TYPES}}}SendMessageFault1_SendMessageFault/errorCode")
            return f"gateway fault {code or '?'}"
        return Exchange(info.service_id, data, info.route_id,
                        fault=(sub.findtext("errorCode") or "SCE909",
                               sub.findtext("errorMessage") or "", sub.findtext("errorData")))
    response = first.find("response")
    if first.tag != f"{{{SYNC_TYPES}}}SendMessageResponse" or response is None:
        return "not a SendMessageResponse"
    out = response.find("responseData/data")
    return Exchange(info.service_id, data, info.route_id, reply=ProviderReply(
        data=out, code=response.findtext("responseInfo/status/code") or "SCSS001",
        message=response.findtext("responseInfo/status/message") or ""))


def from_journal(entries: Iterable, folder: Path) -> JournalConversion:
    """Journal entries (with bodies) → stub files in ``folder``; reasons for those skipped."""
    written: dict[Path, None] = {}
    skipped: dict[str, int] = {}
    for entry in entries:
        if entry.response_body is None:
            reason: Exchange | str = "no response"
        else:
            reason = exchange_from_bodies(entry.request_body, entry.response_body)
        if isinstance(reason, str):
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        when = entry.received_at.isoformat() if isinstance(entry.received_at, dt.datetime) else ""
        written[write_stub(folder, reason, origin=f"from ШЭП journal entry {entry.id} ({when})")] = None
    return JournalConversion(list(written), skipped)
