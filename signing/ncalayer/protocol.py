"""NCALayer's WebSocket messages, as web front ends send them, answered with test keys.

One JSON text in, one JSON text out (the transport is :mod:`.server`). The shapes follow what
front ends parse (``sigex-kz/ncalayer-js-client``, NCA's ``NCALayerJSExample``;
spec signatures.md §3):

- on connecting NCALayer greets with ``{"result": {"version": "…"}}``;
- ``kz.gov.pki.knca.commonUtils`` methods take positional ``args`` and answer
  ``{"code": "200", "responseObject": …}`` or ``{"code": "500", "message": "…"}``; a wrong
  argument is Java's ``argument type mismatch``, a cancelled dialog ``action.canceled``;
- ``kz.gov.pki.knca.basics`` ``sign`` takes named ``args`` and answers
  ``{"status": true, "body": {"result": […]}}``, ``{"status": true, "body": {}}`` when the person
  cancels, or ``{"status": false, "code", "message", "details"}``.

Signatures are made by the same functions as ``egov-sim sign``: XML by
:func:`~egov_sim.signing.enveloped.sign_enveloped` (NCALayer flavour), CMS by
:func:`~egov_sim.signing.cms.sign_cms`, with RSA or GOST keys alike.

The emulator's own module ``kz.egovsim.ncalayer`` (not in real NCALayer; a test or a test
page may use it) hands a key over for the rest of the connection: ``useKey`` with
``{"p12": base64, "password": …}`` or ``{"persona": "guardian"}``, and ``listKeys``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.errors import InputError

from ..cms import sign_cms
from ..enveloped import sign_enveloped
from .keystore import KEY_TYPES, Choice, KeyEntry, KeyStore, NoKey, Wanted, from_pkcs12

log = logging.getLogger("egov_sim.ncalayer")

VERSION = "1.4"
"""What the greeting says; front ends only check that there is one."""
COMMON_UTILS = "kz.gov.pki.knca.commonUtils"
BASICS = "kz.gov.pki.knca.basics"
EMULATOR = "kz.egovsim.ncalayer"
MAX_MESSAGE = 16 * 1024 * 1024

PersonaLoader = Callable[[str], KeyEntry]
"""persona key → its entry (issued from the test PKI); given by whoever builds the emulator."""


class _Mismatch(Exception):
    """commonUtils: the arguments do not fit the Java method's signature."""


class _Cancelled(Exception):
    pass


class _BasicsError(Exception):
    def __init__(self, code: str, message: str, details: str):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


@dataclass
class Connection:
    """Per WebSocket: a key handed over with ``useKey`` replaces the emulator's keys here."""

    keys: KeyStore
    locale: str = "ru"


@dataclass
class NCALayer:
    keys: KeyStore
    clock: Clock = system_clock
    choice: Choice = Choice.FIRST
    personas: PersonaLoader | None = None
    signed: list[dict] = field(default_factory=list, repr=False)
    """The last signing operations (method, key source), newest last, for a test to look at."""

    def greeting(self) -> str:
        return json.dumps({"result": {"version": VERSION}})

    def connection(self) -> Connection:
        return Connection(self.keys)

    async def handle(self, text: str, conn: Connection) -> str:
        try:
            message = json.loads(text)
        except ValueError:
            return _common_error("org.json.JSONException: A JSONObject text must begin with '{'")
        if not isinstance(message, dict):
            return _common_error("org.json.JSONException: A JSONObject text must begin with '{'")
        module, method, args = message.get("module"), message.get("method"), message.get("args")
        if module == BASICS:
            return await self._basics(method, args, conn)
        if module == COMMON_UTILS:
            return await self._common(method, args, conn)
        if module == EMULATOR:
            return await self._emulator(method, args, conn)
        return _common_error(f"Module {module} not found")

    # --- kz.gov.pki.knca.commonUtils ----------------------------------------------------------

    async def _common(self, method: Any, args: Any, conn: Connection) -> str:
        args = args if isinstance(args, list) else ([] if args is None else [args])
        handler = _COMMON.get(method) if isinstance(method, str) else None
        if handler is None:
            return _common_error(f"Method {method} not found in {COMMON_UTILS}")
        try:
            result = await handler(self, args, conn)
        except _Mismatch:
            return _common_error(f"java.lang.IllegalArgumentException: argument type mismatch. Method: {method}")
        except _Cancelled:
            return _common_error("action.canceled")
        except NoKey as exc:
            return _common_error(f"{exc.code}: {exc}")
        except InputError as exc:
            return _common_error(f"{exc.code}: {exc}")
        body: dict[str, Any] = {"code": "200"}
        if result is not _NOTHING:
            body["responseObject"] = result
        return json.dumps(body, ensure_ascii=False)

    async def _active_tokens(self, args: list, conn: Connection):
        _expect(args, ())
        return []  # no hardware token is plugged in: front ends fall back to PKCS12

    async def _change_locale(self, args: list, conn: Connection):
        _expect(args, (str,))
        conn.locale = args[0]
        return _NOTHING

    async def _key_info(self, args: list, conn: Connection):
        _expect(args, (str,))
        return self._choose(conn, Wanted(storages=(args[0],))).key_info()

    def _common_key(self, conn: Connection, storage: str, key_type: str) -> KeyEntry:
        return self._choose(conn, Wanted(storages=(storage,), usage=KEY_TYPES.get(key_type)))

    async def _sign_xml(self, args: list, conn: Connection):
        _expect(args, (str, str, str, str, str), optional_from=3)
        storage, key_type, xml = args[0], args[1], args[2]
        _whole_document(args)
        entry = self._common_key(conn, storage, key_type)
        return await self._xml(entry, xml, "signXml")

    async def _sign_xmls(self, args: list, conn: Connection):
        _expect(args, (str, str, list, str, str), optional_from=3)
        storage, key_type, xmls = args[0], args[1], args[2]
        if not all(isinstance(x, str) for x in xmls):
            raise _Mismatch
        _whole_document(args)
        entry = self._common_key(conn, storage, key_type)
        return [await self._xml(entry, x, "signXmls") for x in xmls]

    async def _cades(self, args: list, conn: Connection):
        _expect(args, (str, str, str, bool), optional_from=3)
        storage, key_type, data = args[0], args[1], _b64(args[2])
        attach = bool(args[3]) if len(args) > 3 else False
        entry = self._common_key(conn, storage, key_type)
        return await self._cms(entry, data, detached=not attach, digested=False, what="createCAdESFromBase64")

    async def _cades_hash(self, args: list, conn: Connection):
        _expect(args, (str, str, str))
        storage, key_type, digest = args[0], args[1], _b64(args[2])
        entry = self._common_key(conn, storage, key_type)
        return await self._cms(entry, digest, detached=True, digested=True, what="createCAdESFromBase64Hash")

    # --- kz.gov.pki.knca.basics ---------------------------------------------------------------

    async def _basics(self, method: Any, args: Any, conn: Connection) -> str:
        if method != "sign":
            return _basics_error("METHOD_NOT_FOUND", f"Method {method} not found in {BASICS}", str(method))
        try:
            result = await self._basics_sign(args, conn)
        except _Cancelled:
            return json.dumps({"status": True, "body": {}})
        except _BasicsError as exc:
            return _basics_error(exc.code, exc.message, exc.details)
        except NoKey as exc:
            return _basics_error(exc.code, "No suitable key was found.", str(exc))
        except InputError as exc:
            return _basics_error("INVOCATION_ERROR", "An invoked method threw an exception.",
                                 f"{exc.code}: {exc}")
        return json.dumps({"status": True, "body": {"result": result}}, ensure_ascii=False)

    async def _basics_sign(self, args: Any, conn: Connection):
        if not isinstance(args, dict):
            raise _invocation("org.json.JSONException: JSONObject[\"args\"] is not a JSONObject.")
        signing = args.get("signingParams", {})
        signer = args.get("signerParams", {})
        for name, value in (("signingParams", signing), ("signerParams", signer)):
            if not isinstance(value, dict):
                raise _invocation(f"org.json.JSONException: JSONObject[\"{name}\"] is not a JSONObject.")
        fmt = args.get("format")
        if fmt not in ("xml", "cms"):
            raise _invocation(f"unsupported format {fmt!r}: use 'xml' or 'cms'")
        data = args.get("data")
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(d, str) for d in items):
            raise _invocation("org.json.JSONException: JSONObject[\"data\"] is not a string or an array of strings.")
        storages = args.get("allowedStorages")
        if storages is not None and not (isinstance(storages, list) and all(isinstance(s, str) for s in storages)):
            raise _invocation("org.json.JSONException: JSONObject[\"allowedStorages\"] is not a JSONArray.")
        eku = signer.get("extKeyUsageOids") or []
        if not isinstance(eku, list) or not all(isinstance(o, str) for o in eku):
            raise _invocation("org.json.JSONException: JSONObject[\"extKeyUsageOids\"] is not a JSONArray.")
        wanted = Wanted(storages=tuple(storages) if storages is not None else None, eku=tuple(eku),
                        iin=signer.get("iin") or None, bin=signer.get("bin") or None,
                        serial=signer.get("serialNumber") or None,
                        at=None if signing.get("allowExpired") else self.clock())
        entry = self._choose(conn, wanted)
        if fmt == "xml":
            signatures = [await self._xml(entry, x, "basics.sign xml") for x in items]
        else:
            decode = bool(signing.get("decode", False))
            encapsulate = bool(signing.get("encapsulate", True))
            digested = bool(signing.get("digested", False))
            signatures = []
            for item in items:
                content = _b64(item, basics=True) if decode or digested else item.encode("utf-8")
                signatures.append(await self._cms(entry, content, detached=not encapsulate or digested,
                                                  digested=digested, what="basics.sign cms"))
        if signing.get("outputCert"):
            return {"signatures": signatures, "certificate": entry.certificate_b64()}
        return signatures

    # --- the emulator's own module --------------------------------------------------------------

    async def _emulator(self, method: Any, args: Any, conn: Connection) -> str:
        try:
            if method == "listKeys":
                return json.dumps({"code": "200", "responseObject": [
                    {**e.key_info(), "source": e.source} for e in conn.keys.entries]}, ensure_ascii=False)
            if method == "useKey" and isinstance(args, dict):
                if args.get("persona"):
                    if self.personas is None:
                        raise InputError("this emulator was started without the test PKI", code="NO_PKI")
                    entry = await asyncio.to_thread(self.personas, str(args["persona"]))
                elif isinstance(args.get("p12"), str) and isinstance(args.get("password"), str):
                    entry = await asyncio.to_thread(from_pkcs12, _b64(args["p12"]), args["password"],
                                                    source="handed over")
                else:
                    raise _Mismatch
                conn.keys = conn.keys.replaced([entry])  # keeps the revocation screen
                return json.dumps({"code": "200", "responseObject": entry.key_info()}, ensure_ascii=False)
        except _Mismatch:
            return _common_error(f"argument type mismatch. Method: {method}")
        except InputError as exc:
            return _common_error(f"{exc.code}: {exc}")
        return _common_error(f"Method {method} not found in {EMULATOR}")

    # --- signing ------------------------------------------------------------------------------

    def _choose(self, conn: Connection, wanted: Wanted) -> KeyEntry:
        if self.choice is Choice.CANCEL:
            raise _Cancelled
        return conn.keys.pick(wanted)

    async def _xml(self, entry: KeyEntry, xml: str, what: str) -> str:
        signed = await asyncio.to_thread(sign_enveloped, xml.encode("utf-8"), entry.key, entry.certificate)
        self._note(what, entry)
        return signed.decode("utf-8")

    async def _cms(self, entry: KeyEntry, content: bytes, *, detached: bool, digested: bool, what: str) -> str:
        der = await asyncio.to_thread(sign_cms, content, entry.key, entry.certificate,
                                      signing_time=self.clock(), detached=detached, digested=digested)
        self._note(what, entry)
        return base64.b64encode(der).decode("ascii")

    def _note(self, what: str, entry: KeyEntry) -> None:
        log.info("NCALayer emulator: %s signed with %s (%s)", what, entry.source, entry.info.common_name)
        self.signed.append({"method": what, "key": entry.source, "at": self.clock().isoformat()})
        del self.signed[:-100]


_NOTHING = object()


def _expect(args: list, types: tuple, *, optional_from: int | None = None) -> None:
    """Java-style positional arguments: a type mismatch or a missing one is a mismatch."""
    required = len(types) if optional_from is None else optional_from
    if not required <= len(args) <= len(types):
        raise _Mismatch
    for value, kind in zip(args, types):
        if kind is bool:
            if not isinstance(value, bool):
                raise _Mismatch
        elif not isinstance(value, kind):
            raise _Mismatch


def _whole_document(args: list) -> None:
    if any(len(args) > i and args[i] for i in (3, 4)):
        raise InputError("the emulator signs the whole document: tbsElementXPath and "
                         "signatureParentElementXPath must be empty", code="NOT_SUPPORTED")


def _b64(value: str, *, basics: bool = False) -> bytes:
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        if basics:
            raise _invocation("the data is not base64 (signingParams.decode or digested is true)") from None
        raise InputError("the data is not base64", code="BAD_BASE64") from None


def _invocation(details: str) -> _BasicsError:
    return _BasicsError("INVOCATION_ERROR", "An invoked method threw an exception.", details)


def _common_error(message: str) -> str:
    return json.dumps({"code": "500", "message": message}, ensure_ascii=False)


def _basics_error(code: str, message: str, details: str) -> str:
    return json.dumps({"status": False, "code": code, "message": message, "details": details},
                      ensure_ascii=False)


_COMMON = {
    "getActiveTokens": NCALayer._active_tokens,
    "getKeyInfo": NCALayer._key_info,
    "changeLocale": NCALayer._change_locale,
    "signXml": NCALayer._sign_xml,
    "signXmls": NCALayer._sign_xmls,
    "createCAdESFromBase64": NCALayer._cades,
    "createCMSSignatureFromBase64": NCALayer._cades,  # the deprecated one with a TSP: none here
    "createCAdESFromBase64Hash": NCALayer._cades_hash,
}
