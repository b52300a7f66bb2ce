"""Offline access to the contract files: paths, the served list, and validators.

The gateway serves the WSDL/XSD files unchanged. Validation uses in-memory *copies* of them,
because strict XSD 1.0 rejects ``xsi:type="cs:Request"`` on an ``xsd:anyType`` element when
the schema set does not know the type. In the validation copy every ШЭП ``data`` element is
replaced by ``<xsd:any namespace="##local" processContents="skip"/>``, so ``data`` may carry
any payload style and any ``xsi:type``; the payload itself is checked separately with
:func:`payload_validator`. The wildcard cannot insist on the local name ``data``: use
:func:`data_name_errors` for that.

Every document is loaded through a resolver that serves only files of this package (under a
virtual base URL) and refuses everything else, so building a validator never touches the
network or files outside the tree.

Validators are built once and cached. An ``XMLSchema`` keeps its ``error_log`` on the
instance, so read the log from the thread that validated, and do not share one validator
between threads that validate at the same time (the ASGI app validates on its event loop).
"""

from __future__ import annotations

import functools
import posixpath
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from egov_sim.core.errors import InputError
from egov_sim.core.xml_build import XSI_NS as XSI_NS  # re-exported for the contracts' users

from . import ROOT

XSD_NS = "http://www.w3.org/2001/XMLSchema"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

COMMON_TYPES_NS = "http://bip.bee.kz/common/v10/Types"
SYNC_TYPES_NS = "http://bip.bee.kz/SyncChannel/v10/Types"
SYNC_REQUEST_NS = "http://bip.bee.kz/SyncChannel/v10/Types/Request"
SYNC_RESPONSE_NS = "http://bip.bee.kz/SyncChannel/v10/Types/Response"
ASYNC_TYPES_NS = "http://bip.bee.kz/AsyncChannel/v10/Types"
ASYNC_ITYPES_NS = "http://bip.bee.kz/AsyncChannel/v10/ITypes"
ASYNC_CLIENT_TYPES_NS = "http://bip.bee.kz/AsyncChannel/v10/Types/Client"
GBDFL_MESSAGE_NS = "http://message.persistence.interactive.nat"
ENIS_NS = "urn:egov-sim:synthetic:enis:poa:v1"  # SYNTHETIC
RSHEP_NS = "urn:egov-sim:synthetic:rshep:v1"  # SYNTHETIC

SYNC_SERVICE_WSDL = "shep/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl"
ASYNC_SERVICE_WSDL = "shep/AsyncChannel/v10/Interfaces/AsyncChannelHttp_Service.wsdl"
ASYNC_CLIENT_SERVICE_WSDL = "shep/AsyncChannel/v10/Interfaces/AsyncChannelClientHttp_Service.wsdl"

# Virtual location of the tree while building schemas: never fetched, only mapped onto ROOT.
_BASE = "https://contracts.egov-sim.invalid/wsdl/"
_PUBLISHED_SUFFIXES = (".wsdl", ".xsd")

# Element wrappers whose only child is the ШЭП `data` slot.
_DATA_HOLDERS = frozenset({"requestData", "responseData", "messageData"})


class ContractError(RuntimeError):
    """A contract file is missing, outside the tree, or does not compile."""


def path(relative: str) -> Path:
    """Absolute path of a contract file given relative to the package (``/``-separated)."""
    rel = _normalise(relative)
    if rel is None:
        raise ContractError(f"not a path inside the contract tree: {relative!r}")
    p = ROOT.joinpath(*rel.split("/"))
    if not p.is_file():
        raise ContractError(f"no such contract file: {relative!r}")
    return p


def published_files() -> list[str]:
    """Relative paths of every file the gateway serves (all ``*.wsdl`` and ``*.xsd``), sorted."""
    return sorted(
        p.relative_to(ROOT).as_posix()
        for p in ROOT.rglob("*")
        if p.is_file() and p.suffix in _PUBLISHED_SUFFIXES
    )


def _normalise(relative: str) -> str | None:
    rel = posixpath.normpath(relative.replace("\\", "/"))
    if rel.startswith(("/", "../")) or rel in ("..", ".") or ":" in rel:
        return None
    return rel


# --- offline loading -----------------------------------------------------------------------


class _TreeResolver(etree.Resolver):
    """Serves the package tree (with optional in-memory replacements); refuses anything else."""

    def __init__(self, overrides: Mapping[str, bytes]):
        super().__init__()
        self._overrides = overrides

    def resolve(self, url, pubid, context):
        rel = _normalise(unquote(url[len(_BASE):])) if url and url.startswith(_BASE) else None
        if rel is None:
            raise ContractError(f"refused to load {url!r}: only files of the contract tree load")
        data = self._overrides.get(rel)
        if data is None:
            data = path(rel).read_bytes()
        return self.resolve_string(data, context, base_url=_BASE + rel)


def _parser(overrides: Mapping[str, bytes]) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False,
                             remove_blank_text=False)
    parser.resolvers.add(_TreeResolver(overrides))
    return parser


def _compile(root_xml: bytes, root_rel: str, overrides: Mapping[str, bytes]) -> etree.XMLSchema:
    parser = _parser(overrides)
    try:
        doc = etree.fromstring(root_xml, parser, base_url=_BASE + root_rel).getroottree()
        return etree.XMLSchema(doc)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise ContractError(f"schema {root_rel} does not compile: {exc}") from exc


def published_schema(relative: str) -> etree.XMLSchema:
    """Compile one published XSD exactly as served (no validation-copy changes), offline."""
    rel = _normalise(relative)
    if rel is None:
        raise ValueError(f"{relative!r} is not a path inside the contracts' tree")
    return _compile(path(relative).read_bytes(), rel, {})


# --- validation copies ---------------------------------------------------------------------


def _is_any_type(el: etree._Element) -> bool:
    qname = el.get("type")
    if qname is None:
        return False
    prefix, _, local = qname.rpartition(":")
    return local == "anyType" and el.nsmap.get(prefix or None) == XSD_NS


def _skip_data_slot(xsd_bytes: bytes) -> bytes | None:
    """Replace ``<xsd:element name="data" type="xsd:anyType">`` by a skip wildcard; None if absent."""
    root = etree.fromstring(xsd_bytes, etree.XMLParser(no_network=True, resolve_entities=False))
    changed = False
    for el in root.iter(f"{{{XSD_NS}}}element"):
        if el.get("name") == "data" and _is_any_type(el):
            any_el = etree.Element(f"{{{XSD_NS}}}any", namespace="##local", processContents="skip")
            if el.get("minOccurs") is not None:
                any_el.set("minOccurs", el.get("minOccurs"))
            any_el.append(etree.Comment(" egov-sim validation copy: was element 'data' (xsd:anyType) "))
            any_el.tail = el.tail
            el.getparent().replace(el, any_el)
            changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") if changed else None


@functools.cache
def _shep_overrides() -> Mapping[str, bytes]:
    out = {}
    for rel in published_files():
        if rel.startswith("shep/") and rel.endswith(".xsd"):
            replaced = _skip_data_slot(path(rel).read_bytes())
            if replaced is not None:
                out[rel] = replaced
    return out


def _import_root(imports: Mapping[str, str], extra: str = "", nsmap: str = "") -> bytes:
    lines = [f'<xsd:schema xmlns:xsd="{XSD_NS}"{nsmap}>']
    lines += [f'  <xsd:import namespace="{ns}" schemaLocation="{loc}"/>' for ns, loc in imports.items()]
    lines += [extra, "</xsd:schema>"]
    return "\n".join(lines).encode("utf-8")


_lock = threading.Lock()


def _locked_cache(fn):
    cached = functools.cache(fn)

    @functools.wraps(fn)
    def wrapper(*args):
        with _lock:
            return cached(*args)

    wrapper.cache_clear = cached.cache_clear
    return wrapper


@_locked_cache
def sync_validator() -> etree.XMLSchema:
    """Validates ``SendMessage``, ``SendMessageResponse`` and ``SendMessageFault1_SendMessageFault``."""
    root = _import_root({SYNC_TYPES_NS: "shep/SyncChannel/v10/Types/ISyncChannel.xsd"})
    return _compile(root, "sync-validation.xsd", _shep_overrides())


@_locked_cache
def async_validator() -> etree.XMLSchema:
    """Validates every AsyncChannel element: the gateway side and the push (client) side."""
    root = _import_root({
        ASYNC_TYPES_NS: "shep/AsyncChannel/v10/Types/IAsyncChannel.xsd",
        ASYNC_CLIENT_TYPES_NS: "shep/AsyncChannel/v10/Types/IAsyncChannelClient.xsd",
    })
    return _compile(root, "async-validation.xsd", _shep_overrides())


# --- payloads ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """One payload validator: the type of ``data`` and, for our own namespaces, a root element."""

    name: str
    file: str
    namespace: str
    type_name: str
    element: str | None  # global element accepted as root (escaped-string / wrapped style)
    synthetic: bool
    required: tuple[str, ...] = ()  # child elements made mandatory in the validation copy


PAYLOADS: dict[str, Payload] = {p.name: p for p in (
    Payload("gbdfl-request", "payloads/gbdfl/Message.xsd", GBDFL_MESSAGE_NS, "Request", None, False),
    Payload("gbdfl-token-request", "payloads/gbdfl/Message.xsd", GBDFL_MESSAGE_NS, "Request", None,
            False, required=("kdpToken", "publicKey")),
    Payload("gbdfl-response", "payloads/gbdfl/Message.xsd", GBDFL_MESSAGE_NS, "Response", None, False),
    Payload("enis-request", "payloads/enis/PowerOfAttorney.xsd", ENIS_NS, "PoaRequest", "PoaRequest", True),
    Payload("enis-response", "payloads/enis/PowerOfAttorney.xsd", ENIS_NS, "PoaResponse", "PoaResponse", True),
    Payload("rshep-request", "payloads/rshep/RegionalService.xsd", RSHEP_NS, "ServiceRequest",
            "ServiceRequest", True),
    Payload("rshep-notification", "payloads/rshep/RegionalService.xsd", RSHEP_NS, "StatusNotification",
            "StatusNotification", True),
    Payload("rshep-response", "payloads/rshep/RegionalService.xsd", RSHEP_NS, "ServiceResult",
            "ServiceResult", True),
)}


def _payload_copy(p: Payload) -> bytes:
    """The payload file with only the wanted global element and the ``required`` children made mandatory."""
    root = etree.fromstring(path(p.file).read_bytes(),
                            etree.XMLParser(no_network=True, resolve_entities=False))
    for el in root.findall(f"{{{XSD_NS}}}element"):
        if el.get("name") != p.element:
            root.remove(el)
    if p.required:
        (ctype,) = [c for c in root.findall(f"{{{XSD_NS}}}complexType") if c.get("name") == p.type_name]
        for el in ctype.iter(f"{{{XSD_NS}}}element"):
            if el.get("name") in p.required:
                el.attrib.pop("minOccurs", None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@_locked_cache
def payload_validator(name: str) -> etree.XMLSchema:
    """Validator for one payload (see :data:`PAYLOADS` for the names).

    Accepts as root the ``data`` element itself, in no namespace (typed with ``xsi:type`` or
    with the payload's fields as plain children), or, for ЕНИС and РШЭП, the payload's own
    global element (the root of an escaped-string payload, or the single child of ``data``).
    :func:`payload_root` picks the right element from a ``data`` element.
    """
    try:
        p = PAYLOADS[name]
    except KeyError:
        raise ValueError(f"unknown payload {name!r}; known: {', '.join(PAYLOADS)}") from None
    root = _import_root(
        {p.namespace: p.file},
        extra=f'  <xsd:element name="data" type="p:{p.type_name}"/>',
        nsmap=f' xmlns:p="{p.namespace}"',
    )
    return _compile(root, f"payload-{name}.xsd", {p.file: _payload_copy(p)})


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def payload_root(data: etree._Element) -> etree._Element:
    """The element a payload validator should check, whatever style the sender used.

    - ``xsi:type="xs:string"`` (escaped XML): the parsed document's root element, parsed with
      the project's hardened parser;
    - no ``xsi:type`` and exactly one namespace-qualified child element: that child;
    - otherwise (typed ``xsi:type`` or unqualified fields as children): ``data`` itself.
    """
    xsi_type = data.get(f"{{{XSI_NS}}}type")
    if xsi_type is not None:
        prefix, _, local = xsi_type.strip().rpartition(":")
        if local == "string" and data.nsmap.get(prefix or None) == XSD_NS:
            from egov_sim.core import safe_xml

            text = _XML_DECL.sub("", data.text or "", count=1)
            return safe_xml.parse(text.encode("utf-8")).getroot()
        return data
    children = [c for c in data if isinstance(c.tag, str)]
    if len(children) == 1 and etree.QName(children[0]).namespace:
        return children[0]
    return data


class PayloadError(Exception):
    """A request's payload cannot be read as the contract's request; the answer says why."""


def read_payload(data: etree._Element | None, validator: str) -> etree._Element:
    """The payload element of ``data`` in any of the three styles, checked against the contract
    ``validator`` (a name of :data:`PAYLOADS`); :class:`PayloadError` says what is wrong."""
    if data is None:
        raise PayloadError("requestData/data is missing")
    try:
        root = payload_root(data)
    except (InputError, etree.XMLSyntaxError) as exc:
        raise PayloadError(f"the escaped payload is not well-formed XML: {exc}") from None
    schema = payload_validator(validator)
    if not schema.validate(root):
        err = schema.error_log.last_error
        raise PayloadError(f"line {err.line}: {err.message}" if err else "the payload does not "
                           "match the contract")
    return root


def data_name_errors(element: etree._Element) -> list[str]:
    """Problems the validation copy's wildcard cannot see: a ``data`` slot holding another element.

    Checks every ``requestData``/``responseData``/``messageData`` (unqualified) under
    ``element``: its only child element, if any, must be ``data`` in no namespace.
    """
    errors = []
    for holder in element.iter(*_DATA_HOLDERS):
        for child in holder:
            if isinstance(child.tag, str) and child.tag != "data":
                errors.append(f"{holder.tag} holds {etree.QName(child).text!r} instead of 'data' "
                              f"(line {child.sourceline})")
    return errors
