"""``egov-sim sign`` and ``egov-sim verify``: the signing toolkit from the command line.

Exit codes: 0 valid (or signed), 1 invalid with the failed checks listed, 2 bad usage or input
(malformed or unsafe XML, a wrong PKCS#12 password, a file that is not a certificate); errors
are one line, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from egov_sim.core import atomic
from egov_sim.core.errors import InputError


class LayoutChoice(str, Enum):
    enveloped = "enveloped"
    wsse = "wsse"
    cms = "cms"


class VerifyLayoutChoice(str, Enum):
    auto = "auto"
    enveloped = "enveloped"
    wsse = "wsse"


class PurposeChoice(str, Enum):
    sign = "sign"
    auth = "auth"


class RevocationChoice(str, Enum):
    crl = "crl"
    ocsp = "ocsp"
    both = "both"
    none = "none"


class FlavorChoice(str, Enum):
    ncalayer = "ncalayer"
    ncanode = "ncanode"


class CommentsChoice(str, Enum):
    strip = "strip"
    refuse = "refuse"
    keep = "keep"


class KeyInfoChoice(str, Enum):
    keyidentifier = "keyidentifier"
    issuerserial = "issuerserial"


class SignEngineChoice(str, Enum):
    signxml = "signxml"
    strict = "strict"


class VerifyEngineChoice(str, Enum):
    strict = "strict"
    signxml = "signxml"


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file", code="FILE_NOT_FOUND") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory", code="FILE_NOT_FOUND") from None


def _load_signer(p12: Optional[Path], password: Optional[str], key: Optional[Path],
                 cert: Optional[Path]):
    from .keyfiles import load_certificate_file, load_pkcs12

    if p12 is not None:
        if key is not None or cert is not None:
            raise InputError("use either --p12 or --key/--cert, not both", code="BAD_USAGE")
        if password is None:
            raise InputError("--p12 needs --password (or EGOV_SIM_P12_PASSWORD)", code="BAD_USAGE")
        private_key, certificate, _ = load_pkcs12(p12, password)
        return private_key, certificate
    if key is None or cert is None:
        raise InputError("give --p12 FILE --password P, or --key KEY.pem --cert CERT.pem",
                         code="BAD_USAGE")
    from .keyfiles import load_private_key_pem

    try:
        private_key = load_private_key_pem(_read_input(str(key)), password.encode("utf-8") if password else None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{key}: not a readable PEM private key ({exc})", code="NOT_A_KEY") from None
    return private_key, load_certificate_file(cert)


def sign(
    document: str = typer.Argument(..., metavar="FILE", help="XML to sign ('-' reads stdin)."),
    p12: Optional[Path] = typer.Option(None, "--p12", help="PKCS#12 key container (.p12)."),
    password: Optional[str] = typer.Option(None, "--password", envvar="EGOV_SIM_P12_PASSWORD",
                                           help="Password of the .p12 (or of an encrypted --key)."),
    key: Optional[Path] = typer.Option(None, "--key", help="PEM private key (with --cert)."),
    cert: Optional[Path] = typer.Option(None, "--cert", help="PEM/DER certificate (with --key)."),
    layout: LayoutChoice = typer.Option(LayoutChoice.enveloped, "--layout",
                                        help="enveloped (NCALayer XML), wsse (ШЭП transport) or cms "
                                             "(CMS SignedData of any file, as NCALayer's format cms)."),
    sha1: bool = typer.Option(False, "--sha1", help="Legacy RSA-SHA1 (Kalkan URIs; RSA keys only)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write here (atomically) instead of stdout."),
    flavor: FlavorChoice = typer.Option(FlavorChoice.ncalayer, "--flavor",
                                        help="Enveloped serialization: ncalayer or ncanode."),
    comments: CommentsChoice = typer.Option(CommentsChoice.strip, "--comments",
                                            help="Enveloped: strip, refuse or keep XML comments."),
    key_info: KeyInfoChoice = typer.Option(KeyInfoChoice.keyidentifier, "--key-info",
                                           help="WSSE token reference: keyidentifier or issuerserial."),
    engine: SignEngineChoice = typer.Option(SignEngineChoice.signxml, "--engine",
                                            help="WSSE signing engine: signxml or strict."),
    detached: bool = typer.Option(False, "--detached", help="CMS: leave the content out."),
    base64_out: bool = typer.Option(False, "--base64", help="CMS: write base64 (as NCALayer answers), not DER."),
    signing_time: Optional[str] = typer.Option(None, "--signing-time",
                                               help="CMS: the signingTime attribute (ISO 8601); default now."),
) -> None:
    """Sign an XML document the way NCALayer (enveloped) or a ШЭП client (WS-Security) does.

    RSA and GOST keys (NCA's GOST PKCS#12 files too) sign with Kalkan's URIs for their algorithm."""
    private_key, certificate = _load_signer(p12, password, key, cert)
    data = _read_input(document)
    if layout is LayoutChoice.cms:
        import base64

        from .cms import sign_cms

        when = _parse_time(signing_time, option="--signing-time") or dt.datetime.now(dt.UTC)
        signed = sign_cms(data, private_key, certificate, signing_time=when, detached=detached)
        if base64_out:
            signed = base64.b64encode(signed) + b"\n"
    elif layout is LayoutChoice.wsse:
        from .wsse import sign_wsse

        signed = sign_wsse(data, private_key, certificate, sha1=sha1, engine=engine.value,
                           key_info="IssuerSerial" if key_info is KeyInfoChoice.issuerserial
                           else "KeyIdentifier")
    else:
        from .enveloped import sign_enveloped

        signed = sign_enveloped(data, private_key, certificate, sha1=sha1, flavor=flavor.value,
                                comments=comments.value)
    if out is not None:
        atomic.write_bytes(out, signed)
    else:
        sys.stdout.buffer.write(signed)
        sys.stdout.buffer.flush()


def _parse_time(value: Optional[str], *, option: str = "--at") -> Optional[dt.datetime]:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{option} {value!r} is not an ISO 8601 time (e.g. 2025-03-01T12:00:00+05:00)",
                         code="BAD_USAGE") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _local_pki(ctx: typer.Context):
    """The simulator's own test PKI, when initialised: the default trust store, and the
    source of its own CRLs/OCSP answers without going through HTTP."""
    settings = ctx.find_root().obj
    pki_dir = getattr(settings, "pki_dir", None)
    if pki_dir is None or not (Path(pki_dir) / "trust.pem").exists():
        return None
    from .pki import TestPKI

    return TestPKI.open(pki_dir)


def _trust_store(trust: Optional[Path], pki):
    from .trust import TrustStore

    if trust is not None:  # what the user names is trusted: a ҰКО without its root is an anchor
        return TrustStore.from_pem(_pem_certificates(_read_input(str(trust))), partial_chain=True)
    if pki is None:
        raise InputError("no trust store: pass --trust ROOTS_AND_CAS.pem or run 'egov-sim pki init'",
                         code="NO_TRUST_STORE")
    return TrustStore.from_pem(pki.trust_pem())


def _pem_certificates(data: bytes) -> bytes:
    """A PEM bundle as is; a DER certificate (NCA's .cer files) as PEM."""
    if b"-----BEGIN" in data:
        return data
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        return x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
    except ValueError:
        return data  # TrustStore.from_pem says what is wrong with it


def _revocation_checker(choice: RevocationChoice, pki, crls: list[Path], clock):
    if choice is RevocationChoice.none:
        return None
    from cryptography import x509

    from .revocation import RevocationChecker

    loaded = []
    for path in crls:
        data = _read_input(str(path))
        try:
            loaded.append(x509.load_pem_x509_crl(data) if b"-----BEGIN" in data else x509.load_der_x509_crl(data))
        except ValueError:
            raise InputError(f"{path}: not a CRL (DER or PEM)", code="NOT_A_CRL") from None
    methods = {"crl": ("CRL",), "ocsp": ("OCSP",), "both": ("CRL", "OCSP")}[choice.value]
    return RevocationChecker(methods=methods, local_pki=pki, crls=loaded, clock=clock)


def verify(
    ctx: typer.Context,
    document: str = typer.Argument(..., metavar="FILE", help="Signed XML ('-' reads stdin)."),
    trust: Optional[Path] = typer.Option(None, "--trust",
                                         help="PEM bundle of roots + intermediates "
                                              "(default: the simulator's test PKI)."),
    at: Optional[str] = typer.Option(None, "--at", help="Verification time, ISO 8601 (default: now)."),
    expect_iin: Optional[str] = typer.Option(None, "--expect-iin",
                                             help="IIN the signer's certificate must carry."),
    purpose: Optional[PurposeChoice] = typer.Option(None, "--purpose",
                                                    help="Required key: sign or auth."),
    revocation: RevocationChoice = typer.Option(RevocationChoice.crl, "--revocation",
                                                help="crl, ocsp, both or none."),
    sha1: bool = typer.Option(False, "--sha1", help="Accept legacy SHA-1 signatures."),
    layout: VerifyLayoutChoice = typer.Option(VerifyLayoutChoice.auto, "--layout",
                                              help="auto, enveloped or wsse."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (NCANode-like)."),
    engine: VerifyEngineChoice = typer.Option(VerifyEngineChoice.strict, "--engine",
                                              help="Digest/signature engine: strict or signxml."),
    crl: list[Path] = typer.Option([], "--crl", help="CRL file (DER/PEM) to check revocation with, "
                                                     "instead of fetching the CDP (repeatable)."),
) -> None:
    """Verify the signatures of an XML document; exit 0 valid, 1 invalid, 2 bad input."""
    from .verify import Verifier

    moment = _parse_time(at)
    if expect_iin is not None and not (len(expect_iin.strip()) == 12 and expect_iin.strip().isdigit()):
        raise InputError(f"--expect-iin {expect_iin!r} is not a 12-digit IIN", code="BAD_USAGE")
    data = _read_input(document)
    pki = _local_pki(ctx)
    store = _trust_store(trust, pki)
    from egov_sim.core.clock import system_clock

    checker = _revocation_checker(revocation, pki, crl, (lambda: moment) if moment is not None else system_clock)
    verifier = Verifier(store, revocation=checker, allow_sha1=sha1, engine=engine.value)
    result = verifier.verify(data, layout=layout.value, at=moment, expect_iin=expect_iin,
                             purpose=purpose.value.upper() if purpose else None)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render(result))
    raise typer.Exit(0 if result.valid else 1)


def render(result) -> str:
    """Human-readable result: a verdict line, then one block per signature (last first)."""
    lines = [f"{'VALID' if result.valid else 'INVALID'} ({result.layout}, "
             f"verified at {result.verified_at.isoformat(timespec='seconds')})"]
    lines += [f"  {f.code}: {f.message}" for f in result.failures]
    for sig in result.signatures:
        lines.append(f"signature #{sig.index + 1}: {'valid' if sig.valid else 'INVALID'}")
        signer = sig.signer
        if signer is not None:
            who = signer.common_name or signer.dn
            ids = ", ".join(x for x in (f"IIN {signer.iin}" if signer.iin else "",
                                        f"BIN {signer.bin}" if signer.bin else "") if x)
            lines.append(f"  signer: {who}" + (f" ({ids})" if ids else ""))
            if signer.organization:
                lines.append(f"  organization: {signer.organization}")
            lines.append(f"  key: {signer.key_usage}" + (f", roles {', '.join(signer.roles)}"
                                                         if signer.roles else ""))
            lines.append(f"  certificate: serial {signer.serial_hex}, valid "
                         f"{signer.not_before:%Y-%m-%d %H:%M}Z .. {signer.not_after:%Y-%m-%d %H:%M}Z")
        lines.append(f"  algorithm: {sig.signature_method}"
                     + (f" ({_ALGORITHM_NAMES[sig.signature_method]})" if sig.signature_method in _ALGORITHM_NAMES else ""))
        lines += [f"  {f.code}: {f.message}" for f in sig.failures]
    return "\n".join(lines)


_ALGORITHM_NAMES = {
    "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311": "GOST 34.310-2004",
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512": "GOST 34.10-2015 512-bit",
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-256": "GOST 34.10-2015 256-bit",
}


def register(app: typer.Typer) -> None:
    app.command("sign")(sign)
    app.command("verify")(verify)
