"""The test PKI's register in the shared database: what every host issued and revoked.

The hosts of one deployment share the PKI's CAs (``HOME/pki`` copied to each, docs/deployment.md)
but each keeps its own ``index.json``. Without this register a certificate issued on host A (a
staff member's, a system's, one made with ``pki issue`` there) is unknown to host B: B's OCSP
responder answers "unknown" for it, and a ``pki revoke`` run on either host reaches that host's
CRL only. With it, every issue and every revocation is also written to the database the hosts
share, and each host's CRLs and OCSP answers come from its own index joined with the register.

Rows are keyed by the CA generation (a host with another PKI never sees them) and the serial.
A revocation is final: a certificate revoked on either side is revoked in the joined view, and
of two hosts revoking one certificate at once, one wins and the other is told it was revoked.

Freshness: a host reads the register's revision at most every ``refresh`` seconds (default
:data:`REFRESH`), so a revocation entered on another host is in this host's CRL and OCSP answers
within that time; one entered on this host (its index changes too) shows on the next request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Iterable, Mapping

from egov_sim.core.database import Database, Schema, Transaction

from .pki_index import IssuedRecord, already_revoked, iso_time, record_from_disk, record_to_disk

SCHEMA = Schema("pki_register", (
    """CREATE TABLE pki_certificates (
           generation TEXT NOT NULL, serial TEXT NOT NULL, record TEXT NOT NULL,
           revoked_at TEXT, recorded_at TEXT, reason TEXT,
           PRIMARY KEY (generation, serial))""",
    """CREATE TABLE pki_revisions (
           generation TEXT PRIMARY KEY, revision BIGINT NOT NULL)""",
))

REFRESH = 1.0
"""Seconds between two readings of the register's revision (operational time, not simulated)."""

_NOWHERE = Path("/")
"""Key files are on the issuing host: the register keeps no paths."""

_INSERT = ("INSERT INTO pki_certificates (generation, serial, record, revoked_at, recorded_at, reason) "
           "VALUES (?, ?, ?, ?, ?, ?)")
_ENTER_REVOCATION = ("UPDATE pki_certificates SET revoked_at = ?, recorded_at = ?, reason = ? "
                     "WHERE generation = ? AND serial = ? AND revoked_at IS NULL")
"""Atomic on both databases: of two hosts entering a revocation at once, one changes the row."""


class SharedRegister:
    """Issued certificates and revocations of one PKI, shared by the hosts of one database."""

    def __init__(self, db: Database, *, refresh: float = REFRESH):
        db.migrate(SCHEMA)
        self._db = db
        self._refresh = refresh
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[float, int]] = {}
        """generation → (when read, monotonic; the revision read)."""
        self._records: dict[str, tuple[int, Mapping[int, IssuedRecord]]] = {}

    def revision(self, generation: str, *, fresh: bool = False) -> int:
        """Changes whenever a host adds or revokes a certificate of ``generation``."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(generation)
        if seen is not None and not fresh and now - seen[0] < self._refresh:
            return seen[1]
        value = int(self._db.scalar("SELECT revision FROM pki_revisions WHERE generation = ?",
                                    (generation,)) or 0)
        with self._lock:
            self._seen[generation] = (now, value)
        return value

    def records(self, generation: str, *, fresh: bool = False) -> Mapping[int, IssuedRecord]:
        """Every certificate of ``generation`` the register knows, by serial (read again only
        when its revision changed)."""
        revision = self.revision(generation, fresh=fresh)
        with self._lock:
            cached = self._records.get(generation)
        if cached is not None and cached[0] == revision:
            return cached[1]
        with self._db.transaction() as tx:  # the revision and the rows it stands for, together
            revision = int(tx.scalar("SELECT revision FROM pki_revisions WHERE generation = ?",
                                     (generation,)) or 0)
            rows = tx.query("SELECT record, revoked_at, recorded_at, reason FROM pki_certificates "
                            "WHERE generation = ?", (generation,))
        records = {}
        for row in rows:
            record = _from_row(row)
            records[record.serial] = record
        with self._lock:
            self._records[generation] = (revision, records)
            self._seen[generation] = (time.monotonic(), revision)
        return records

    def add(self, generation: str, records: Iterable[IssuedRecord]) -> int:
        """Enter certificates this host issued (and their revocations, if the register lacks
        them); certificates already entered are left as they are. Returns how many rows changed."""
        changed = 0
        with self._db.transaction() as tx:
            for record in records:
                inserted = tx.execute(_INSERT + " ON CONFLICT (generation, serial) DO NOTHING",
                                      _row(generation, record))
                if not inserted and record.status == "revoked":
                    inserted = tx.execute(_ENTER_REVOCATION,
                                          (*_revocation(record), generation, record.serial_hex))
                changed += inserted
            if changed:
                _bump(tx, generation)
        if changed:
            self._forget(generation)
        return changed

    def revoke(self, generation: str, record: IssuedRecord) -> None:
        """Enter the revocation ``record`` carries; ``ALREADY_REVOKED`` when another host came first."""
        if record.status != "revoked":
            raise ValueError("the record to enter must be revoked")
        with self._db.transaction() as tx:
            done = tx.execute(_ENTER_REVOCATION, (*_revocation(record), generation, record.serial_hex))
            if not done:
                row = tx.query_one("SELECT revoked_at, reason FROM pki_certificates "
                                   "WHERE generation = ? AND serial = ?", (generation, record.serial_hex))
                if row is not None:
                    raise already_revoked(record.serial, iso_time(row["revoked_at"]), row["reason"])
                tx.execute(_INSERT, _row(generation, record))  # entered here, never by its host
            _bump(tx, generation)
        self._forget(generation)

    def _forget(self, generation: str) -> None:
        """This host's own change: read the register again on the next question."""
        with self._lock:
            self._seen.pop(generation, None)


def joined(local: Mapping[int, IssuedRecord], shared: Mapping[int, IssuedRecord]) -> dict[int, IssuedRecord]:
    """This host's records with the register's: the register adds certificates issued elsewhere
    and revocations entered elsewhere; a revocation on either side stands."""
    out = dict(local)
    for serial, theirs in shared.items():
        mine = out.get(serial)
        if mine is None:
            out[serial] = theirs
        elif mine.status != "revoked" and theirs.status == "revoked":
            out[serial] = dataclasses.replace(mine, status="revoked", revoked_at=theirs.revoked_at,
                                              recorded_at=theirs.recorded_at, reason=theirs.reason)
    return out


def _row(generation: str, record: IssuedRecord) -> tuple:
    """The values of :data:`_INSERT`: the record without paths, its revocation in columns."""
    fields = record_to_disk(record, _NOWHERE)
    fields.update(p12=None, cert_pem=None, key_pem=None, revocation=None)
    return (generation, record.serial_hex, json.dumps(fields, ensure_ascii=False), *_revocation(record))


def _revocation(record: IssuedRecord) -> tuple[str | None, str | None, str | None]:
    if record.status != "revoked":
        return None, None, None
    return _text(record.revoked_at), _text(record.recorded_at), record.reason


def _text(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_row(row: Mapping) -> IssuedRecord:
    fields = json.loads(row["record"])
    if row["revoked_at"]:
        fields["revocation"] = {"revoked_at": row["revoked_at"], "recorded_at": row["recorded_at"],
                                "reason": row["reason"]}
    return record_from_disk(fields, _NOWHERE)


def _bump(tx: Transaction, generation: str) -> None:
    tx.execute("INSERT INTO pki_revisions (generation, revision) VALUES (?, 1) "
               "ON CONFLICT (generation) DO UPDATE SET revision = pki_revisions.revision + 1",
               (generation,))
