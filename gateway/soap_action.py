"""The ``SOAPAction`` HTTP header against the contract.

The SyncChannel v10 binding declares ``soapAction=""`` (wsdl/…/SyncChannelHttp_Service.wsdl).
What the real ШЭП does with other values is not public (UNVERIFIED); its CXF-style stack
dispatches on the Body and, like CXF's ``SoapActionInInterceptor``, refuses an action that names
another operation. What clients really send, all accepted under ``strict``:

- no header, ``SOAPAction:`` (empty) or ``SOAPAction: ""`` — JAX-WS/CXF, zeep, WCF, PHP, Go
  clients generated from the WSDL;
- the operation's name, bare or qualified: ``SendMessage``, ``"SendMessage"``,
  ``http://bip.bee.kz/SyncChannel/v10/Interfaces/Binding2/SendMessage`` (node-soap makes this
  one from the target namespace when the WSDL's action is empty), ``urn:…#SendMessage``.

Anything else names no operation of this endpoint and is refused with ``SCE013`` (the fault
of an unknown operation), journaled like every fault. ``[gateway] soap_action = "lenient"``
accepts any value, for clients that send garbage and cannot be changed.

The AsyncChannel v10 binding declares ``soapAction=""`` for each of its four operations
(AsyncChannelHttp_Service.wsdl); the check runs per operation, against the Body's: an action
naming ``getMessages`` on a ``sendMessage`` Body is refused too. Its node-soap form is
``http://bip.bee.kz/AsyncChannel/v10/Interfaces/Binding/sendMessage``; PHP's SoapClient in
non-WSDL mode sends ``<uri>#sendMessage``.
"""

from __future__ import annotations

import re

from . import errors
from .errors import GatewayFault

_LAST_SEGMENT = re.compile(r"[/#:]")


def check_soap_action(value: str | None, *, operations: tuple[str, ...] = ("SendMessage",),
                      policy: str = "strict") -> None:
    """Raise ``SCE013`` when ``value`` names something other than one of ``operations``."""
    if policy == "lenient" or value is None:
        return
    action = value.strip()
    if len(action) >= 2 and action[0] == action[-1] == '"':
        action = action[1:-1].strip()
    if not action:
        return
    if _LAST_SEGMENT.split(action)[-1] in operations:
        return
    shown = value if len(value) <= 200 else value[:200] + "…"
    raise GatewayFault(errors.NO_OPERATION,
                       f"SOAPAction {shown!r} does not name the operation of this request; the "
                       f"contract's soapAction is \"\" (or the operation's name: {', '.join(operations)})")
