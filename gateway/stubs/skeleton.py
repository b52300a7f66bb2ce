"""A stub set from a service's XSD: one stub per global element, with a skeleton answer to edit.

The schema is read with xmlschema (maintained, resolves imports, includes and references,
which a hand-written XSD walker would get wrong). Each element of the content model gets a
placeholder by its type: text for strings, ``0`` for numbers, ``false`` for booleans, the first
value of an enumeration, ``{{ today() }}`` / ``{{ now() }}`` for dates, ``{{ guid() }}`` for
ids named like ``messageId``, ``{{ random_iin() }}`` for an ``iin``. Of a ``choice`` the first
branch is written; optional elements are written too (delete what you do not need).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from egov_sim.core.errors import InputError

MAX_DEPTH = 16

_PLACEHOLDERS = {
    "string": "string", "normalizedString": "string", "token": "string", "anyURI": "http://example.org/",
    "boolean": "false", "decimal": "0", "float": "0", "double": "0", "duration": "P1D",
    "date": "{{ today() }}", "dateTime": "{{ now() }}", "time": "{{ now('%H:%M:%S') }}",
    "gYear": "{{ now('%Y') }}", "base64Binary": "", "hexBinary": "", "QName": "x",
}


def _placeholder(name: str, xsd_type) -> str:
    local = name.lower()
    if local == "iin" or local.endswith("iin"):
        return "{{ random_iin() }}"
    if local in ("messageid", "requestid", "responseid", "id", "guid", "uuid"):
        return "{{ guid() }}"
    enumeration = getattr(xsd_type, "enumeration", None)
    if enumeration:
        return str(enumeration[0])
    primitive = getattr(xsd_type, "primitive_type", None)
    kind = getattr(primitive, "local_name", None) or getattr(xsd_type, "local_name", None) or "string"
    if kind in _PLACEHOLDERS:
        return _PLACEHOLDERS[kind]
    if "int" in kind.lower() or kind.lower().endswith("long") or kind.lower().endswith("short"):
        return "0"
    return "string"


def _tag(element, qualified_default: bool) -> str:
    name = element.name
    if name and name.startswith("{") and (element.qualified or element.is_global()):
        return name
    return element.local_name


def _fill(parent: etree._Element, element, depth: int) -> None:
    el = etree.SubElement(parent, _tag(element, False))
    xsd_type = element.type
    if depth > MAX_DEPTH:
        el.text = "…"
        return
    for name, attribute in getattr(xsd_type, "attributes", {}).items():
        if name and getattr(attribute, "use", None) == "required":
            el.set(name, _placeholder(str(name), attribute.type))
    if xsd_type.is_simple() or xsd_type.has_simple_content():
        simple = xsd_type if xsd_type.is_simple() else xsd_type.content
        el.text = element.fixed or element.default or _placeholder(element.local_name or "", simple)
        return
    content = getattr(xsd_type, "content", None)
    if content is not None:
        _group(el, content, depth + 1)


def _group(parent: etree._Element, group, depth: int) -> None:
    items = list(group)
    if getattr(group, "model", "sequence") == "choice":
        items = items[:1]
    for item in items:
        if hasattr(item, "type") and hasattr(item, "local_name"):
            _fill(parent, item, depth)
        elif hasattr(item, "model"):
            _group(parent, item, depth)


def skeleton(element) -> etree._Element:
    """A ``data`` element holding a skeleton instance of the global ``element``."""
    data = etree.Element("data")
    _fill(data, element, 0)
    etree.cleanup_namespaces(data, top_nsmap={"tns": element.target_namespace}
                             if element.target_namespace else None)
    return data


def stubs_from_xsd(xsd: Path, *, service_id: str, elements: list[str] | None = None) -> str:
    """The text of a stub file for ``service_id`` with one stub per chosen global element."""
    import xmlschema
    import yaml

    try:
        schema = xmlschema.XMLSchema(str(xsd))
    except (xmlschema.XMLSchemaException, OSError) as exc:
        raise InputError(f"{xsd}: not a usable XSD: {exc}".splitlines()[0]) from None
    available = {el.local_name: el for el in schema.elements.values()}
    chosen = elements or sorted(available)
    missing = [e for e in chosen if e not in available]
    if missing:
        raise InputError(f"{xsd}: no global element {missing[0]!r} (there are: {', '.join(sorted(available))})")
    from .recording import _Block, _Dumper

    stubs = []
    for i, name in enumerate(chosen):
        data = skeleton(available[name])
        etree.indent(data, space="  ")
        stubs.append({"name": name, "priority": 5 + i,
                      "match": {"service_id": service_id},
                      "answer": {"status": "SCSS001",
                                 "data": _Block(etree.tostring(data, encoding="unicode") + "\n")}})
    header = (f"# Skeleton answers for {service_id} from {xsd.name}: one stub per element.\n"
              "# Edit the matchers (the first stub answers every request as it stands) and the\n"
              "# placeholder values; see docs/stubs.md.\n")
    return header + yaml.dump({"stubs": stubs}, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                              width=100)
