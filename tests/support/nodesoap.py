"""node-soap's ``WSSecurityCert`` layout, reproduced in Python byte for byte.

node-soap (npm ``soap``) signs with xml-crypto: it puts a ``wsse:BinarySecurityToken`` and an
unprefixed ``Timestamp`` (utility namespace, ``Id="_1"``) into a new ``wsse:Security``, gives
the Body ``Id="_0"`` (no namespace), and appends a ``Signature`` in the default xmldsig
namespace with two References, each with the transforms ``[enveloped-signature, exc-c14n]``,
and a ``wsse:Reference`` to the token (xmldom re-declares ``wsse`` on the
SecurityTokenReference). ``tests/support/nodesoap/signed-request.xml`` is node-soap's own output
for the same input; the tests compare the two.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from lxml import etree

HERE = Path(__file__).with_name("nodesoap")
OASIS = "http://docs.oasis-open.org/wss/2004/01"
WSSE = f"{OASIS}/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = f"{OASIS}/oasis-200401-wss-wssecurity-utility-1.0.xsd"
X509V3 = f"{OASIS}/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = f"{OASIS}/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
VECTOR_TIME = dt.datetime(2026, 2, 2, 4, 0, tzinfo=dt.UTC)
VECTOR_TOKEN_ID = "x509-0f8fad5bd9cb469fa16570867728950e"


def _soap_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _exc_c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def node_soap_sign(xml: str, key_pem: bytes, cert_pem: bytes, *, now: dt.datetime,
                   x509_id: str, envelope_key: str = "soap") -> str:
    """``WSSecurityCert(key, cert, '').postProcess(xml, envelope_key)`` with its clock at ``now``."""
    token = "".join(cert_pem.decode().replace("-----BEGIN CERTIFICATE-----", "")
                    .replace("-----END CERTIFICATE-----", "").split())
    timestamp = (f'<Timestamp xmlns="{WSU}"><Created>{_soap_time(now)}</Created>'
                 f"<Expires>{_soap_time(now + dt.timedelta(minutes=10))}</Expires></Timestamp>")
    security = (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}" {envelope_key}:mustUnderstand="1">'
                f'<wsse:BinarySecurityToken EncodingType="{BASE64}" ValueType="{X509V3}" '
                f'wsu:Id="{x509_id}">{token}</wsse:BinarySecurityToken>{timestamp}</wsse:Security>')
    end_header = xml.index(f"</{envelope_key}:Header>")
    xml = xml[:end_header] + security + xml[end_header:]
    # xml-crypto's ensureHasId: an unqualified Id attribute, numbered in reference order
    xml = xml.replace(f"<{envelope_key}:Body>", f'<{envelope_key}:Body Id="_0">', 1)
    xml = xml.replace(f'<Timestamp xmlns="{WSU}">', f'<Timestamp xmlns="{WSU}" Id="_1">', 1)
    root = etree.fromstring(xml.encode())
    body = root.find(f"{{{root.nsmap[envelope_key]}}}Body")
    stamp = root.find(f".//{{{WSU}}}Timestamp")
    references = ""
    for ref_id, element in (("_0", body), ("_1", stamp)):
        digest = base64.b64encode(hashlib.sha256(_exc_c14n(element)).digest()).decode()
        references += (f'<Reference URI="#{ref_id}"><Transforms><Transform Algorithm="{ENVELOPED}"/>'
                       f'<Transform Algorithm="{EXC}"/></Transforms><DigestMethod Algorithm="{SHA256}"/>'
                       f"<DigestValue>{digest}</DigestValue></Reference>")
    signed_info = (f'<SignedInfo><CanonicalizationMethod Algorithm="{EXC}"/>'
                   f'<SignatureMethod Algorithm="{RSA_SHA256}"/>{references}</SignedInfo>')
    holder = etree.fromstring(f'<Signature xmlns="{DS}">{signed_info}</Signature>')
    key = load_pem_private_key(key_pem, password=None)
    value = base64.b64encode(key.sign(_exc_c14n(holder[0]), padding.PKCS1v15(), hashes.SHA256())).decode()
    signature = (f'<Signature xmlns="{DS}">{signed_info}<SignatureValue>{value}</SignatureValue>'
                 f'<KeyInfo><wsse:SecurityTokenReference xmlns:wsse="{WSSE}"><wsse:Reference '
                 f'URI="#{x509_id}" ValueType="{X509V3}"/></wsse:SecurityTokenReference></KeyInfo>'
                 "</Signature>")
    end_security = xml.index("</wsse:Security>")
    return xml[:end_security] + signature + xml[end_security:]


def vector() -> tuple[str, str]:
    """(node-soap's input, node-soap's signed output) of the recorded vector."""
    return ((HERE / "request.xml").read_text(encoding="utf-8"),
            (HERE / "signed-request.xml").read_text(encoding="utf-8"))


def reproduce_vector() -> str:
    request, _ = vector()
    return node_soap_sign(request, (HERE / "client-key.pem").read_bytes(),
                          (HERE / "client-cert.pem").read_bytes(), now=VECTOR_TIME,
                          x509_id=VECTOR_TOKEN_ID)
