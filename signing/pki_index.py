"""The test PKI's ``index.json``: issued certificates and their revocations.

It is the commit point of every PKI change: a command writes its other files first and the
index last, atomically, so an interrupted command leaves the previous state intact. Writers
serialise on an exclusive ``flock`` of ``.lock``; readers never lock and reload the index
whenever its stat signature changes, so a running server sees what ``pki revoke`` wrote
from another process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from egov_sim.core import atomic
from egov_sim.core.errors import InputError

FORMAT = 1
INDEX_NAME = "index.json"
LOCK_NAME = ".lock"


@dataclass(frozen=True)
class IssuedRecord:
    """One certificate issued by the intermediate CA, as listed by ``pki list``."""

    serial: int
    name: str
    subject: str
    common_name: str
    iin: str
    bin: str | None
    purpose: str
    roles: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime
    issued_at: dt.datetime
    p12_path: Path | None
    """None for a certificate issued on another host (known from the shared register,
    :mod:`egov_sim.signing.pki_shared`): its key file stays on that host."""
    cert_pem_path: Path | None = None
    key_pem_path: Path | None = None
    status: str = "good"
    """Revocation status: "good" or "revoked" (expiry is separate, see :meth:`expired`)."""
    revoked_at: dt.datetime | None = None
    recorded_at: dt.datetime | None = None
    """When the revocation was entered; decides which delta CRL lists it."""
    reason: str | None = None
    algorithm: str = "rsa"
    """Key algorithm: rsa, gost2004, gost2015-256 or gost2015-512 (which ҰКО issued it follows)."""

    @property
    def serial_hex(self) -> str:
        return format(self.serial, "X")

    def expired(self, at: dt.datetime) -> bool:
        return at > self.not_after

    def to_json(self) -> dict:
        return {
            "serial": self.serial_hex, "name": self.name, "subject": self.subject,
            "commonName": self.common_name, "iin": self.iin, "bin": self.bin,
            "purpose": self.purpose, "roles": list(self.roles),
            "notBefore": self.not_before.isoformat(), "notAfter": self.not_after.isoformat(),
            "issuedAt": self.issued_at.isoformat(), "p12": str(self.p12_path) if self.p12_path else None,
            "certPem": str(self.cert_pem_path) if self.cert_pem_path else None,
            "keyPem": str(self.key_pem_path) if self.key_pem_path else None,
            "status": self.status,
            "revokedAt": self.revoked_at.isoformat() if self.revoked_at else None,
            "reason": self.reason, "algorithm": self.algorithm,
        }


def already_revoked(serial: int, revoked_at: dt.datetime | None, reason: str | None) -> InputError:
    """The one error for revoking a certificate twice, whether the index or the shared
    register found the first revocation."""
    when = f"{revoked_at:%Y-%m-%d %H:%M:%S}Z" if revoked_at else "an earlier date"
    return InputError(f"certificate {serial:X} was already revoked on {when} ({reason})",
                      code="ALREADY_REVOKED")


@dataclass(frozen=True)
class CertStatus:
    """Revocation status of a serial number, as OCSP reports it."""

    state: str
    """"good", "revoked" or "unknown" (never issued by this CA)."""
    revoked_at: dt.datetime | None = None
    reason: str | None = None

    @classmethod
    def of(cls, record: IssuedRecord | None) -> CertStatus:
        if record is None:
            return cls("unknown")
        if record.status == "revoked":
            return cls("revoked", record.revoked_at, record.reason)
        return cls("good")


@dataclass
class IndexData:
    """The parsed index. ``generation`` names the directory holding the CA keys in use."""

    generation: str
    base_url: str
    revision: int = 0
    records: dict[int, IssuedRecord] = field(default_factory=dict)


def iso_time(value: str | None) -> dt.datetime | None:
    """A stored ISO 8601 time (None stays None)."""
    return dt.datetime.fromisoformat(value) if value else None


def _relative(path: Path | None, directory: Path) -> str | None:
    if path is None:
        return None
    try:
        return path.relative_to(directory).as_posix()
    except ValueError:
        return str(path)


def record_to_disk(r: IssuedRecord, directory: Path) -> dict:
    return {
        "serial": r.serial_hex, "name": r.name, "subject": r.subject, "common_name": r.common_name,
        "iin": r.iin, "bin": r.bin, "purpose": r.purpose, "roles": list(r.roles),
        "not_before": r.not_before.isoformat(), "not_after": r.not_after.isoformat(),
        "issued_at": r.issued_at.isoformat(),
        "p12": _relative(r.p12_path, directory), "cert_pem": _relative(r.cert_pem_path, directory),
        "key_pem": _relative(r.key_pem_path, directory),
        "algorithm": r.algorithm,
        "revocation": None if r.status != "revoked" else {
            "revoked_at": r.revoked_at.isoformat(), "recorded_at": r.recorded_at.isoformat(),
            "reason": r.reason},
    }


def record_from_disk(d: dict, directory: Path) -> IssuedRecord:
    rev = d.get("revocation")
    return IssuedRecord(
        serial=int(d["serial"], 16), name=d["name"], subject=d["subject"],
        common_name=d["common_name"], iin=d["iin"], bin=d.get("bin"), purpose=d["purpose"],
        roles=tuple(d.get("roles", ())), not_before=iso_time(d["not_before"]),
        not_after=iso_time(d["not_after"]), issued_at=iso_time(d["issued_at"]),
        p12_path=directory / d["p12"] if d.get("p12") else None,
        cert_pem_path=directory / d["cert_pem"] if d.get("cert_pem") else None,
        key_pem_path=directory / d["key_pem"] if d.get("key_pem") else None,
        status="revoked" if rev else "good",
        revoked_at=iso_time(rev and rev["revoked_at"]), recorded_at=iso_time(rev and rev["recorded_at"]),
        reason=rev and rev.get("reason"), algorithm=d.get("algorithm", "rsa"),
    )


def encode(data: IndexData, directory: Path) -> str:
    return json.dumps({
        "format": FORMAT, "revision": data.revision, "generation": data.generation,
        "base_url": data.base_url,
        "certificates": [record_to_disk(r, directory) for r in data.records.values()],
    }, ensure_ascii=False, indent=1) + "\n"


def decode(text: str, directory: Path) -> IndexData:
    raw = json.loads(text)
    if raw.get("format") != FORMAT:
        raise InputError(f"{directory / INDEX_NAME}: unsupported index format {raw.get('format')!r}",
                         code="PKI_CORRUPT")
    records = {}
    for d in raw["certificates"]:
        rec = record_from_disk(d, directory)
        records[rec.serial] = rec
    return IndexData(generation=raw["generation"], base_url=raw["base_url"],
                     revision=raw["revision"], records=records)


@contextlib.contextmanager
def exclusive(directory: Path) -> Iterator[None]:
    """Serialise writers (and first-time initialisation) across processes."""
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class Index:
    """Cached view of ``index.json`` that notices changes made by other processes."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / INDEX_NAME
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._data: IndexData | None = None

    def exists(self) -> bool:
        return self.path.is_file()

    def _signature(self) -> tuple:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)

    def current(self, *, reread: bool = False) -> IndexData:
        """The index as on disk now (re-read only when its stat signature changed)."""
        with self._lock:
            try:
                stamp = self._signature()
            except FileNotFoundError:
                raise InputError(f"no test PKI in {self.directory}: run `egov-sim pki init`",
                                 code="PKI_NOT_INITIALISED") from None
            if reread or stamp != self._stamp or self._data is None:
                try:
                    self._data = decode(self.path.read_text("utf-8"), self.directory)
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{self.path}: unreadable index ({exc})", code="PKI_CORRUPT") from None
                self._stamp = stamp
            return self._data

    def write(self, data: IndexData) -> None:
        """Commit ``data`` (callers hold :func:`exclusive`)."""
        data.revision += 1
        atomic.write_text(self.path, encode(data, self.directory))

    @contextlib.contextmanager
    def update(self) -> Iterator[IndexData]:
        """Read-modify-write under the writers' lock; nothing is written if the block raises."""
        with exclusive(self.directory):
            fresh = dataclasses.replace(self.current(reread=True))
            fresh.records = dict(fresh.records)
            yield fresh
            self.write(fresh)
