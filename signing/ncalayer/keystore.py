"""The keys the NCALayer emulator signs with, and the rule that picks one without a dialog.

Real NCALayer shows a dialog: the person chooses a storage (a PKCS#12 file or a token), types
its password and picks a key. The emulator has no person in front of it, so the choice is made
by configuration: the keys it was started with (personas' keys from the test PKI, PKCS#12 files),
filtered by what the page asks for (``keyType`` of the commonUtils methods; ``allowedStorages``
and ``signerParams`` — ``extKeyUsageOids``, ``iin``, ``bin``, ``serialNumber`` — of basics),
and then :class:`Choice`: the first key that fits, or "the user pressed Cancel".
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from egov_sim.core.errors import InputError

from ..certinfo import CertInfo, describe
from ..keyfiles import load_pkcs12

FILE_STORAGE = "PKCS12"
"""NCALayer's name of the file storage (``NCALayerClient.fileStorageType``)."""
KEY_TYPES = {"SIGNATURE": "SIGN", "AUTHENTICATION": "AUTH"}
"""commonUtils keyType → the key usage of the certificate; any other value: any key."""


class Choice(str, enum.Enum):
    """What "the person at the dialog" does."""

    FIRST = "first"
    """Pick the first key that fits the request (the order the keys were given in)."""
    CANCEL = "cancel"
    """Press Cancel: commonUtils answers ``action.canceled``, basics an empty body."""


@dataclass(frozen=True)
class KeyEntry:
    alias: str
    key: object
    certificate: x509.Certificate
    source: str
    """Where it came from: ``persona:guardian`` or the file name."""
    storage: str = FILE_STORAGE

    @property
    def info(self) -> CertInfo:
        return describe(self.certificate)

    def key_info(self) -> dict:
        """commonUtils ``getKeyInfo``'s answer (NCALayer's field names; times in ms, as text)."""
        info = self.info
        cert = self.certificate
        der = cert.public_bytes(Encoding.DER)
        pem = cert.public_bytes(Encoding.PEM).decode("ascii")
        aki = _extension(cert, x509.AuthorityKeyIdentifier)
        ski = _extension(cert, x509.SubjectKeyIdentifier)
        return {
            "alias": self.alias,
            "keyId": ski.digest.hex() if ski is not None else hashlib.sha1(der).hexdigest(),
            "algorithm": "RSA" if info.sign_alg.endswith("RSA") else "ECGOST",
            "subjectCn": info.common_name, "subjectDn": info.dn,
            "issuerCn": info.issuer.common_name, "issuerDn": info.issuer_dn,
            "serialNumber": info.serial_hex,
            "certNotAfter": str(int(info.not_after.timestamp() * 1000)),
            "certNotBefore": str(int(info.not_before.timestamp() * 1000)),
            "authorityKeyIdentifier": aki.key_identifier.hex() if aki and aki.key_identifier else None,
            "pem": pem,
        }

    def certificate_b64(self) -> str:
        return base64.b64encode(self.certificate.public_bytes(Encoding.DER)).decode("ascii")


def _extension(cert: x509.Certificate, kind):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def from_pkcs12(data: bytes, password: str, *, source: str) -> KeyEntry:
    """A key from PKCS#12 bytes (what a file holds, or what a page hands over)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:  # keyfiles reads paths: NCA's GOST files too
        path = Path(folder) / "key.p12"
        path.write_bytes(data)
        key, cert, _ = load_pkcs12(path, password)
    return KeyEntry(_alias(cert), key, cert, source)


def from_file(path: Path, password: str) -> KeyEntry:
    key, cert, _ = load_pkcs12(path, password)
    return KeyEntry(_alias(cert), key, cert, path.name)


def _alias(cert: x509.Certificate) -> str:
    """NCALayer aliases are the key identifier's hex; ours too, so they are stable per key."""
    ski = _extension(cert, x509.SubjectKeyIdentifier)
    return ski.digest.hex() if ski is not None else format(cert.serial_number, "x")


@dataclass(frozen=True)
class Wanted:
    """What the page asks of the key (all optional)."""

    storages: tuple[str, ...] | None = None
    usage: str | None = None
    """SIGN or AUTH (commonUtils keyType); None: any."""
    eku: tuple[str, ...] = ()
    iin: str | None = None
    bin: str | None = None
    serial: str | None = None
    at: dt.datetime | None = None
    """Only keys valid at this moment (basics refuses expired keys unless allowExpired)."""

    def why_not(self, entry: KeyEntry) -> str | None:
        info = entry.info
        if self.storages is not None and entry.storage not in self.storages:
            return f"storage {entry.storage} is not among {', '.join(self.storages) or 'none'}"
        if self.usage is not None and info.key_usage != self.usage:
            return f"the key is for {info.key_usage}, not {self.usage}"
        missing = [oid for oid in self.eku if oid not in info.extended_key_usage]
        if missing:
            return f"extended key usage {', '.join(missing)} is missing"
        if self.iin and info.iin != self.iin:
            return f"IIN {info.iin} is not {self.iin}"
        if self.bin and info.bin != self.bin:
            return f"BIN {info.bin or '—'} is not {self.bin}"
        if self.serial and info.serial_hex.lower() != self.serial.lower().lstrip("0") and \
                info.serial_hex.lower() != self.serial.lower():
            return f"serial {info.serial_hex} is not {self.serial}"
        if self.at is not None and not info.valid_at(self.at):
            return f"the certificate is not valid at {self.at.isoformat()}"
        return None


class NoKey(InputError):
    code = "KEY_NOT_FOUND"


class KeyStore:
    """The emulator's keys, in the order given (the order :attr:`Choice.FIRST` follows).

    ``screen`` says why a key that fits must not sign anyway (its certificate is revoked), or
    None; it is asked only of keys that fit, so revocation is checked once per signature."""

    def __init__(self, entries: Iterable[KeyEntry] = (),
                 screen: Callable[[KeyEntry], str | None] | None = None):
        self.entries: list[KeyEntry] = list(entries)
        self.screen = screen

    def __len__(self) -> int:
        return len(self.entries)

    def pick(self, wanted: Wanted) -> KeyEntry:
        reasons = []
        for entry in self.entries:
            problem = wanted.why_not(entry)
            if problem is None and self.screen is not None:
                problem = self.screen(entry)
            if problem is None:
                return entry
            reasons.append(f"{entry.source}: {problem}")
        if not self.entries:
            raise NoKey("the emulator holds no key (start it with --persona or --p12)")
        raise NoKey("no key fits the request: " + "; ".join(reasons))

    def replaced(self, entries: Sequence[KeyEntry]) -> KeyStore:
        return KeyStore(entries, self.screen)
