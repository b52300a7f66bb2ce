"""The published tree: layout, offline compilation, relative imports that resolve over HTTP."""

from __future__ import annotations

import functools
import http.server
import posixpath
import threading
from collections import defaultdict

import pytest
import zeep
from lxml import etree

from egov_sim.wsdl import ROOT, schemas

XSD = schemas.XSD_NS
WSDL = "http://schemas.xmlsoap.org/wsdl/"

EXPECTED = [
    "shep/SyncChannel/v10/Interfaces/ISyncChannel.wsdl",
    "shep/SyncChannel/v10/Interfaces/SyncChannelHttp_Service.wsdl",
    "shep/AsyncChannel/v10/Interfaces/IAsyncChannel.wsdl",
    "shep/AsyncChannel/v10/Interfaces/AsyncChannelHttp_Service.wsdl",
    "shep/AsyncChannel/v10/Interfaces/IAsyncChannelClient.wsdl",
    "shep/AsyncChannel/v10/Interfaces/AsyncChannelClientHttp_Service.wsdl",
    *(f"shep/SyncChannel/v10/Types/{n}.xsd" for n in (
        "ISyncChannel", "SyncMessageInfo", "SyncMessageInfoResponse", "SyncSendMessageRequest",
        "SyncSendMessageResponse", "RequestData", "ResponseData")),
    *(f"shep/AsyncChannel/v10/Types/{n}.xsd" for n in (
        "IAsyncChannel", "IAsyncChannelClient", "AsyncMessage", "AsyncMessageInfo",
        "AsyncSendMessageRequest", "AsyncSendMessageResponse")),
    *(f"shep/common/v10/Types/{n}.xsd" for n in (
        "ErrorInfo", "SenderInfo", "Property", "StatusInfo", "Guid", "MessageData", "MessageState",
        "MessageStatusInfo", "DeliveryNotification", "DeliveryStatusInfo",
        "ChangeStatusNotification")),
    "payloads/gbdfl/Message.xsd",
    "payloads/enis/PowerOfAttorney.xsd",
    "payloads/rshep/RegionalService.xsd",
]

PUBLISHED = schemas.published_files()
XSDS = [f for f in PUBLISHED if f.endswith(".xsd")]


def _doc(rel: str) -> etree._Element:
    return etree.parse(str(schemas.path(rel))).getroot()


def _references(rel: str):
    """(kind, namespace, location) of every import/include in a file, inline WSDL schemas too."""
    root = _doc(rel)
    for el in root.iter(f"{{{XSD}}}import", f"{{{XSD}}}include", f"{{{WSDL}}}import"):
        loc = el.get("schemaLocation") if el.tag.startswith(f"{{{XSD}}}") else el.get("location")
        yield etree.QName(el).localname, el.get("namespace"), loc


def _target(rel: str, location: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), location))


def test_real_layout_is_present():
    missing = [f for f in EXPECTED if f not in PUBLISHED]
    assert not missing


def test_published_files_are_the_wsdl_and_xsd_files_of_the_tree():
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                     if p.suffix in (".wsdl", ".xsd"))
    assert PUBLISHED == on_disk
    assert all(schemas.path(f).is_file() for f in PUBLISHED)


@pytest.mark.parametrize("relative", ["../pyproject.toml", "/etc/passwd", "shep/../../x.xsd",
                                      "shep/nope.xsd", "C:/x.xsd"])
def test_path_refuses_what_is_not_in_the_tree(relative):
    with pytest.raises(schemas.ContractError):
        schemas.path(relative)


@pytest.mark.parametrize("relative", XSDS)
def test_every_xsd_compiles_offline_as_published(relative):
    assert isinstance(schemas.published_schema(relative), etree.XMLSchema)


@pytest.mark.parametrize("where", ["http", "file"])
def test_loading_refuses_urls_outside_the_tree(tmp_path, where):
    """A valid schema outside the tree must not load: only the resolver's tree is reachable."""
    outside = tmp_path / "outside.xsd"
    outside.write_text(f'<xsd:schema xmlns:xsd="{XSD}" targetNamespace="urn:x">'
                       '<xsd:simpleType name="t"><xsd:restriction base="xsd:string"/></xsd:simpleType>'
                       "</xsd:schema>")
    location = outside.as_uri() if where == "file" else "http://127.0.0.1:9/outside.xsd"
    xsd = f"""<xsd:schema xmlns:xsd="{XSD}" xmlns:x="urn:x">
      <xsd:import namespace="urn:x" schemaLocation="{location}"/>
      <xsd:element name="e" type="x:t"/></xsd:schema>""".encode()
    etree.XMLSchema(etree.fromstring(xsd)) if where == "file" else None  # loads without the guard
    with pytest.raises(schemas.ContractError, match="does not compile"):
        schemas._compile(xsd, "probe.xsd", {})


@pytest.mark.parametrize("relative", PUBLISHED)
def test_no_element_form_default(relative):
    """Nested elements must stay unqualified: no schema may set elementFormDefault."""
    for schema in _doc(relative).iter(f"{{{XSD}}}schema"):
        assert schema.get("elementFormDefault") in (None, "unqualified")
        assert schema.get("attributeFormDefault") in (None, "unqualified")


@pytest.mark.parametrize("relative", PUBLISHED)
def test_every_import_and_include_is_relative_and_resolves_in_the_tree(relative):
    """The gateway serves the tree as is, so relative targets that exist resolve over HTTP too."""
    refs = list(_references(relative))
    for kind, namespace, location in refs:
        assert location, f"{kind} without a location in {relative}"
        assert "://" not in location and not location.startswith("/"), location
        target = _target(relative, location)
        assert target in PUBLISHED, f"{relative}: {location} -> {target} is not served"
        tns = _doc(target).get("targetNamespace")
        if kind == "include":
            assert tns == _doc(relative).get("targetNamespace")
        else:
            assert tns == namespace, f"{relative}: {location} declares {tns}, imported as {namespace}"


def test_each_namespace_is_imported_through_one_file():
    """libxml2 skips a second schemaLocation for an imported namespace: keep one per namespace."""
    seen = defaultdict(set)
    for rel in XSDS:
        for kind, namespace, location in _references(rel):
            if kind == "import" and namespace != _doc(rel).get("targetNamespace"):
                seen[namespace].add(_target(rel, location))
    assert {ns: t for ns, t in seen.items() if len(t) > 1} == {}


def test_synthetic_schemas_are_marked_and_real_ones_are_not():
    for rel in XSDS:
        root = _doc(rel)
        docs = " ".join("".join(d.itertext()) for d in root.iter(f"{{{XSD}}}documentation"))
        synthetic = rel.startswith(("payloads/enis/", "payloads/rshep/"))
        assert ("SYNTHETIC" in docs) is synthetic, rel
        assert root.get("targetNamespace").startswith("urn:egov-sim:synthetic:") is synthetic, rel


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requested: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).requested.append(self.path)
        super().do_GET()


@pytest.fixture(scope="module")
def http_tree():
    """The tree served unchanged over HTTP on loopback, as the gateway does."""
    handler = functools.partial(_QuietHandler, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("wsdl, operation", [
    (schemas.SYNC_SERVICE_WSDL, "SendMessage"),
    (schemas.ASYNC_SERVICE_WSDL, "getMessages"),
    (schemas.ASYNC_CLIENT_SERVICE_WSDL, "changeMassageStatusNotification"),
])
def test_zeep_loads_the_service_wsdls_over_http(http_tree, wsdl, operation):
    _QuietHandler.requested.clear()
    client = zeep.Client(http_tree + wsdl)
    binding = next(iter(client.wsdl.bindings.values()))
    assert operation in binding._operations
    fetched = {p.lstrip("/") for p in _QuietHandler.requested}
    assert wsdl in fetched and any(f.startswith("shep/common/") for f in fetched)
