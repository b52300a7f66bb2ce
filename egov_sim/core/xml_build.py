"""Small helpers every payload codec uses to write and read XML with lxml.

The payloads of the registries and of РШЭП share conventions: unqualified children written in
schema order and left out when empty, ``<data xsi:type="prefix:Type">`` (payload style 1), a
dictionary value (справочник) as ``code`` + ``nameRu`` + ``nameKz``, dates with the Kazakhstan
offset, message ids in braces. Those live here, below every system; what a particular contract
looks like lives in its codec in ``wsdl/``.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from egov_sim.core import ids
from egov_sim.core.clock import ALMATY

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"


# --- writing ---------------------------------------------------------------------------------

def typed_data(prefix: str, namespace: str, type_name: str) -> etree._Element:
    """An empty ``<data xsi:type="prefix:Type">``: payload style 1, as the registries answer."""
    data = etree.Element("data", nsmap={prefix: namespace, "xsi": XSI_NS})
    data.set(XSI_TYPE, f"{prefix}:{type_name}")
    return data


def add_text(parent: etree._Element, tag: str, value: object) -> etree._Element | None:
    """A child with ``value`` as text; nothing when the value is None or empty (an optional
    element of the schema). Booleans are ``true``/``false``, dates ISO."""
    if value is None or value == "":
        return None
    el = etree.SubElement(parent, tag)
    if isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        el.text = value.isoformat()
    else:
        el.text = str(value)
    return el


def add_dictionary(parent: etree._Element, tag: str, code: str, name_ru: str,
                   name_kz: str) -> etree._Element:
    """A dictionary value (справочник): ``code``, ``nameRu``, ``nameKz``."""
    el = etree.SubElement(parent, tag)
    etree.SubElement(el, "code").text = code
    etree.SubElement(el, "nameRu").text = name_ru
    etree.SubElement(el, "nameKz").text = name_kz
    return el


def message_date(moment: dt.datetime) -> str:
    """xsd:dateTime with milliseconds and the Kazakhstan offset."""
    return moment.astimezone(ALMATY).isoformat(timespec="milliseconds")


def new_guid() -> str:
    """A message id in the braces style of real ГБД ФЛ responses."""
    return "{" + str(ids.new_uuid()) + "}"


# --- reading ---------------------------------------------------------------------------------

def child_text(el: etree._Element | None, path: str) -> str | None:
    """The stripped text at ``path`` under ``el``; None when the element, the path or the text
    is absent or blank."""
    if el is None:
        return None
    found = el.find(path)
    if found is None or not found.text:
        return None
    return found.text.strip() or None


def fields(root: etree._Element) -> dict[str, str]:
    """The unqualified child elements of a validated payload, by name, with stripped text."""
    return {c.tag: (c.text or "").strip() for c in root
            if isinstance(c.tag, str) and not etree.QName(c).namespace}


def parse_date(text: str | None) -> dt.date | None:
    """An ``xsd:date`` (a time-zone suffix, allowed by the type, is ignored)."""
    return dt.date.fromisoformat(text[:10]) if text else None
