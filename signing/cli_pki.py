"""``egov-sim pki …`` (the test PKI) and ``egov-sim cert info`` (what is in a certificate)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rich import box
from rich.console import Console
from rich.table import Table

from egov_sim.core import atomic
from egov_sim.core.database import Database, DatabaseError, database_url, open_failure, sqlite_url
from egov_sim.core.errors import InputError
from egov_sim.core.settings import Settings

from .certinfo import CertInfo, describe
from .keyfiles import load_certificate, load_pkcs12, looks_like_pkcs12
from .pki import IssuedRecord, TestPKI
from .pki_shared import SharedRegister

pki_app = typer.Typer(help="Test PKI modelled on НУЦ РК: CAs, certificates, revocation, CRLs.",
                      no_args_is_help=True)
cert_app = typer.Typer(help="Inspect certificates and PKCS#12 keys.", no_args_is_help=True)


class PurposeChoice(str, enum.Enum):
    sign = "sign"
    auth = "auth"


class HashChoice(str, enum.Enum):
    sha256 = "sha256"
    sha1 = "sha1"


AlgorithmChoice = enum.Enum("AlgorithmChoice", {name.replace("-", "_"): name for name in
                                                ("rsa", "gost2004", "gost2015-256", "gost2015-512")}, type=str)
CaChoice = enum.Enum("CaChoice", {name: name for name in ("rsa", "gost2004", "gost2015")}, type=str)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


def _open(ctx: typer.Context) -> TestPKI:
    """The home's PKI; joined to the shared register of the simulator's database when there is
    one (``$EGOV_SIM_DATABASE_URL``, or the home's SQLite file once ``serve`` made it), so that a
    revocation reaches every host and a certificate issued on another host can be revoked here."""
    settings = _settings(ctx)
    pki = TestPKI.open(settings.pki_dir)
    url = database_url(settings)
    if url == sqlite_url(settings.home / "egov-sim.db") and not (settings.home / "egov-sim.db").is_file():
        return pki  # no simulator has run in this home: nothing to share with
    try:
        db = Database.open(url)
        ctx.call_on_close(db.close)
        pki.attach(SharedRegister(db))
    except DatabaseError as exc:
        raise InputError(open_failure(url, exc), code="DATABASE_UNAVAILABLE") from None
    return pki


def _console() -> Console:
    """The terminal's width on a terminal; wide enough for whole serial numbers in a pipe."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _time(value: Optional[str], option: str) -> Optional[dt.datetime]:
    """ISO 8601 date or date-time; without a zone it is UTC."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not an ISO date or date-time (e.g. 2025-01-31T12:00)",
                         code="BAD_DATE") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}Z" if value else ""


@pki_app.command()
def init(
    ctx: typer.Context,
    force: bool = typer.Option(False, "--force", help="Replace an existing PKI (issued keys stop chaining)."),
    key_size: int = typer.Option(2048, "--key-size", help="RSA key size of the CA keys."),
) -> None:
    """Create the root and issuing CA (and the OCSP responder) in HOME/pki."""
    settings = _settings(ctx)
    pki = TestPKI.init(settings.pki_dir, base_url=settings.base_url, key_size=key_size, force=force)
    console = _console()
    console.print(f"Test PKI created in {pki.directory}")
    table = Table(show_header=False, box=None)
    table.add_row("root", pki.root.subject.rfc4514_string())
    table.add_row("issuing CA", pki.ca.subject.rfc4514_string())
    table.add_row("trust store", str(pki.directory / "trust.pem"))
    table.add_row("full CRL", pki.crl_url)
    table.add_row("delta CRL", pki.delta_crl_url)
    table.add_row("OCSP", pki.ocsp_url)
    console.print(table)


@pki_app.command()
def issue(
    ctx: typer.Context,
    iin: str = typer.Option(..., "--iin", help="The holder's IIN (12 digits, checked)."),
    surname: str = typer.Option(..., "--surname", help="Surname (SURNAME, first word of CN)."),
    given_name: str = typer.Option(..., "--given-name", help="First name (second word of CN)."),
    patronymic: Optional[str] = typer.Option(None, "--patronymic", help="Patronymic (the GN attribute)."),
    purpose: PurposeChoice = typer.Option(PurposeChoice.sign, "--purpose", case_sensitive=False,
                                          help="sign: digitalSignature+nonRepudiation; auth: +keyEncipherment."),
    bin_: Optional[str] = typer.Option(None, "--bin", help="Organisation's BIN: makes a legal-entity certificate."),
    organization: Optional[str] = typer.Option(None, "--org", "--organization", help="Organisation name (O)."),
    role: list[str] = typer.Option([], "--role", help="Role (repeatable): CEO, CAN_SIGN, CAN_SIGN_FINANCIAL, HR, EMPLOYEE, …"),
    email: Optional[str] = typer.Option(None, "--email", help="E-mail (the E attribute)."),
    not_before: Optional[str] = typer.Option(None, "--not-before", help="ISO date/time; default now."),
    not_after: Optional[str] = typer.Option(None, "--not-after", help="ISO date/time; default not-before + valid days."),
    valid_days: int = typer.Option(365, "--valid-days", help="Validity in days when --not-after is not given."),
    password: str = typer.Option("Qwerty12", "--password", help="PKCS#12 password (NCA's test keys use Qwerty12)."),
    name: Optional[str] = typer.Option(None, "--name", help="File name stem under HOME/pki/issued/."),
    pem: bool = typer.Option(False, "--pem", help="Also write NAME.pem and an unencrypted NAME.key.pem."),
    out: Optional[Path] = typer.Option(None, "--out", help="Also copy the files to this directory."),
    key_size: int = typer.Option(2048, "--key-size", help="RSA key size."),
    signature_hash: HashChoice = typer.Option(HashChoice.sha256, "--signature-hash", case_sensitive=False,
                                              help="sha1 gives a legacy sha1WithRSA certificate."),
    as_json: bool = typer.Option(False, "--json", help="Print the index entry as JSON."),
    algorithm: AlgorithmChoice = typer.Option("rsa", "--algorithm", case_sensitive=False,
                                              help="rsa, or a GOST key: gost2004 (GOST 34.310-2004), "
                                                   "gost2015-256, gost2015-512 (GOST 34.10-2015)."),
) -> None:
    """Issue a person (IIN) or legal-entity (IIN + BIN + roles) certificate as a PKCS#12 file."""
    pki = _open(ctx)
    issued = pki.issue(algorithm=algorithm.value,
        iin=iin, surname=surname, given_name=given_name, patronymic=patronymic,
        purpose=purpose.value.upper(), bin=bin_, organization=organization, roles=role, email=email,
        not_before=_time(not_before, "--not-before"), not_after=_time(not_after, "--not-after"),
        valid_days=valid_days, password=password, name=name, pem=pem, key_size=key_size,
        signature_hash=signature_hash.value)
    if out is not None:
        for path in (issued.p12_path, issued.cert_pem_path, issued.key_pem_path):
            if path is not None:
                atomic.write_bytes(out / path.name, path.read_bytes(), mode=path.stat().st_mode & 0o777)
    record = pki.record(issued.serial)
    if as_json:
        typer.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
        return
    table = Table(show_header=False, box=None)
    table.add_row("serial", record.serial_hex)
    table.add_row("subject", record.subject)
    table.add_row("purpose", f"{record.purpose} ({', '.join(record.roles)})")
    table.add_row("algorithm", record.algorithm)
    table.add_row("valid", f"{_when(record.not_before)} .. {_when(record.not_after)}")
    table.add_row("PKCS#12", f"{record.p12_path} (password {password})")
    if record.cert_pem_path:
        table.add_row("PEM", f"{record.cert_pem_path}, {record.key_pem_path}")
    if out is not None:
        table.add_row("copied to", str(out))
    _console().print(table)


def _serial(pki: TestPKI, text: str) -> int:
    """A serial in hex (as ``pki list`` shows it, ``0x`` and ``:`` allowed) or a certificate's name."""
    named = [r.serial for r in pki.certificates() if r.name == text]
    if len(named) > 1:  # hosts sharing a register each name their own (e.g. their ШЭП certificate)
        raise InputError(f"{len(named)} certificates are named {text!r} (issued on different hosts): "
                         f"give the serial, one of {', '.join(format(n, 'X') for n in named)}",
                         code="AMBIGUOUS_NAME")
    if named:
        return named[0]
    cleaned = text.strip().lower().removeprefix("0x").replace(":", "")
    try:
        return int(cleaned, 16)
    except ValueError:
        raise InputError(f"{text!r} is neither a serial number (hex) nor the name of an issued certificate",
                         code="UNKNOWN_SERIAL") from None


@pki_app.command()
def revoke(
    ctx: typer.Context,
    serial: str = typer.Argument(..., help="Serial number in hex (see `pki list`) or the certificate's name."),
    reason: str = typer.Option("keyCompromise", "--reason",
                               help="keyCompromise, affiliationChanged, superseded, cessationOfOperation, "
                                    "certificateHold, privilegeWithdrawn, unspecified, …"),
    at: Optional[str] = typer.Option(None, "--at", help="Revocation time (ISO); default now."),
) -> None:
    """Revoke a certificate: the CRLs and the OCSP responder report it from now on."""
    pki = _open(ctx)
    number = _serial(pki, serial)
    pki.revoke(number, reason, _time(at, "--at"))
    record = pki.record(number)
    _console().print(f"revoked {record.serial_hex} ({record.common_name}): {record.reason} "
                     f"at {_when(record.revoked_at)}")


@pki_app.command()
def crl(
    ctx: typer.Context,
    delta: bool = typer.Option(False, "--delta", help="The delta CRL instead of the full one."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write DER here; without it PEM goes to stdout."),
    pem: bool = typer.Option(False, "--pem", help="Write PEM to --out instead of DER."),
    ca: CaChoice = typer.Option("rsa", "--ca", case_sensitive=False,
                                help="Which ҰКО: rsa, gost2004 or gost2015 (GOST CRLs are GOST-signed)."),
) -> None:
    """Produce the issuing CA's current full (or delta) CRL."""
    pki = _open(ctx)
    der = pki.delta_crl(ca=ca.value) if delta else pki.full_crl(ca=ca.value)
    if out is None or pem:
        data = x509.load_der_x509_crl(der).public_bytes(Encoding.PEM)
    else:
        data = der
    if out is None:
        typer.echo(data.decode("ascii"), nl=False)
    else:
        atomic.write_bytes(out, data)
        _console().print(f"{'delta' if delta else 'full'} CRL written to {out}")


@pki_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """Certificates issued by this PKI, with their status."""
    pki = _open(ctx)
    records = pki.certificates()
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
        return
    now = dt.datetime.now(dt.UTC)
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("serial", "name", "holder", "IIN / BIN", "use", "expires", "status"):
        table.add_column(column, no_wrap=column == "serial", overflow="fold")
    for r in records:  # a certificate without a key file here was issued on another host
        table.add_row(r.serial_hex, r.name if r.p12_path else f"{r.name} (another host)", r.common_name, r.iin + (f" {r.bin}" if r.bin else ""),
                      r.purpose, f"{r.not_after:%Y-%m-%d}", _status_text(r, now))
    _console().print(table)


def _status_text(record: IssuedRecord, now: dt.datetime) -> str:
    if record.status == "revoked":
        return f"revoked ({record.reason})"
    return "expired" if record.expired(now) else "good"


@cert_app.command()
def info(
    file: Path = typer.Argument(..., help="A certificate (PEM, DER, base64) or a PKCS#12 file."),
    password: Optional[str] = typer.Option(None, "--password", help="Password of a PKCS#12 file."),
    as_json: bool = typer.Option(False, "--json", help="NCANode-style JSON."),
) -> None:
    """Show what NCANode would extract from a certificate: IIN, BIN, SIGN/AUTH, roles, …"""
    cert = _read_certificate(file, password)
    details = describe(cert)
    if as_json:
        typer.echo(json.dumps(details.to_json(), ensure_ascii=False, indent=2))
        return
    _console().print(_info_table(details))


def _read_certificate(file: Path, password: Optional[str]) -> x509.Certificate:
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{file}: no such file", code="FILE_NOT_FOUND") from None
    if file.suffix.lower() in (".p12", ".pfx") or looks_like_pkcs12(data):
        if password is None:
            raise InputError(f"{file} is a PKCS#12 file: give --password", code="PASSWORD_REQUIRED")
        return load_pkcs12(file, password)[1]
    try:
        return load_certificate(data)
    except InputError as exc:
        raise InputError(f"{file}: {exc}", code=exc.code) from None


def _info_table(info: CertInfo) -> Table:
    table = Table(show_header=False, box=None)
    rows = [
        ("subject", info.dn), ("common name", info.common_name), ("surname", info.surname),
        ("given name", info.given_name), ("patronymic", info.patronymic), ("IIN", info.iin),
        ("BIN", info.bin), ("organisation", info.organization), ("e-mail", info.email),
        ("key usage", info.key_usage), ("roles", ", ".join(info.roles)),
        ("policies", ", ".join(info.policies)), ("serial", info.serial_hex),
        ("valid", f"{_when(info.not_before)} .. {_when(info.not_after)}"),
        ("signature", info.sign_alg), ("issuer", info.issuer_dn),
    ]
    for label, value in rows:
        if value:
            table.add_row(label, str(value))
    return table
