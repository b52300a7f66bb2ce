"""NCALayer's messages answered by the emulator (transport-free): the shapes front ends parse,
signatures identical to `egov-sim sign`, keys chosen by keyType and signerParams, errors."""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.signing.cms import verify_cms
from egov_sim.signing.ncalayer.assembly import build_ncalayer
from egov_sim.signing.ncalayer.keystore import Choice
from egov_sim.signing.persona_keys import PERSONA_PASSWORD, persona_key
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.signing.ncalayer.conftest import NOW

GUARDIAN = "780314401012"
WARD_TEEN = "111005601218"
XML = '<?xml version="1.0" encoding="UTF-8"?>\n<request>\n  <iin>780314401012</iin>\n  <text>сәлем</text>\n</request>\n'


def ask(emulator, message, conn=None) -> dict:
    conn = conn or emulator.connection()
    text = json.dumps(message) if not isinstance(message, str) else message
    return json.loads(asyncio.run(emulator.handle(text, conn)))


def common(method, *args):
    return {"module": "kz.gov.pki.knca.commonUtils", "method": method, "args": list(args)}


def basics(**args):
    return {"module": "kz.gov.pki.knca.basics", "method": "sign", "args": args}


def verifier(pki):
    return Verifier(TrustStore.from_pem(pki.trust_pem()), clock=fixed_clock(NOW))


def test_greeting_is_a_version(emulator):
    assert json.loads(emulator.greeting())["result"]["version"]


def test_active_tokens_none_and_key_info(emulator):
    assert ask(emulator, common("getActiveTokens")) == {"code": "200", "responseObject": []}
    info = ask(emulator, common("getKeyInfo", "PKCS12"))["responseObject"]
    assert info["subjectCn"] == "ЖУМАБАЕВА АЙГЕРИМ" and info["algorithm"] == "RSA"
    assert "IIN780314401012" in info["subjectDn"] and info["pem"].startswith("-----BEGIN CERTIFICATE-----")
    assert int(info["certNotBefore"]) < int(info["certNotAfter"])


def _cli_sign(pki, tmp_path, args, data: bytes) -> bytes:
    key = persona_key(pki, "guardian")
    (tmp_path / "in").write_bytes(data)
    run = subprocess.run([sys.executable, "-m", "egov_sim", "sign", "in", "--p12", str(key.p12_path),
                          "--password", PERSONA_PASSWORD, *args], cwd=tmp_path, capture_output=True)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_sign_xml_is_byte_identical_to_egov_sim_sign(emulator, ncalayer_pki, tmp_path):
    answer = ask(emulator, common("signXml", "PKCS12", "SIGNATURE", XML, "", ""))
    assert answer["code"] == "200"
    signed = answer["responseObject"].encode("utf-8")
    assert signed == _cli_sign(ncalayer_pki, tmp_path, [], XML.encode("utf-8"))
    result = verifier(ncalayer_pki).verify(signed, expect_iin=GUARDIAN, purpose="SIGN")
    assert result.valid, result.codes


def test_basics_cms_is_byte_identical_to_egov_sim_sign(emulator, ncalayer_pki, tmp_path):
    data = "тест".encode()
    answer = ask(emulator, basics(allowedStorages=["PKCS12"], format="cms",
                                  data=base64.b64encode(data).decode(), locale="ru",
                                  signingParams={"decode": True, "encapsulate": True},
                                  signerParams={"extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"]}))
    assert answer["status"] is True
    [cms_b64] = answer["body"]["result"]
    cli = _cli_sign(ncalayer_pki, tmp_path, ["--layout", "cms", "--base64", "--signing-time",
                                             NOW.isoformat()], data)
    assert cms_b64.encode() + b"\n" == cli
    checked = verify_cms(base64.b64decode(cms_b64))
    assert checked.valid and checked.content == data and checked.signers[0].signer.iin == GUARDIAN


def test_basics_xml_answers_an_array_and_keeps_every_document(emulator, ncalayer_pki):
    answer = ask(emulator, basics(allowedStorages=None, format="xml", data=[XML, "<a>1</a>"],
                                  signingParams={}, signerParams={"extKeyUsageOids": []}, locale="kk"))
    first, second = answer["body"]["result"]
    assert verifier(ncalayer_pki).verify(first.encode()).valid
    assert second.startswith('<?xml version="1.0" encoding="UTF-8" standalone="no"?><a>1<ds:Signature')


def test_detached_and_hash_cms(emulator, ncalayer_pki):
    data = b"%PDF-1.4 document"
    detached = ask(emulator, common("createCAdESFromBase64", "PKCS12", "SIGNATURE",
                                    base64.b64encode(data).decode(), False))["responseObject"]
    assert verify_cms(base64.b64decode(detached), content=data).valid
    assert verify_cms(base64.b64decode(detached)).valid is False  # the content is not inside
    import hashlib
    digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
    from_hash = ask(emulator, basics(format="cms", data=digest, signingParams={
        "decode": True, "encapsulate": False, "digested": True}, signerParams={}))["body"]["result"][0]
    assert verify_cms(base64.b64decode(from_hash), content=data).valid


def test_key_type_and_signer_params_choose_the_key(emulator, ncalayer_pki):
    auth = ask(emulator, common("signXml", "PKCS12", "AUTHENTICATION", XML, "", ""))["responseObject"]
    result = verifier(ncalayer_pki).verify(auth.encode(), purpose="AUTH")
    assert result.valid and result.signer.iin == GUARDIAN
    teen = ask(emulator, basics(format="xml", data=XML, signingParams={},
                                signerParams={"iin": WARD_TEEN, "extKeyUsageOids": ["1.3.6.1.5.5.7.3.4"]}))
    assert verifier(ncalayer_pki).verify(teen["body"]["result"][0].encode()).signer.iin == WARD_TEEN
    out = ask(emulator, basics(format="xml", data=XML, signingParams={"outputCert": True},
                               signerParams={"iin": WARD_TEEN}))["body"]["result"]
    assert set(out) == {"signatures", "certificate"} and base64.b64decode(out["certificate"])


def test_no_fitting_key_says_why(emulator):
    answer = ask(emulator, basics(format="xml", data=XML, signingParams={},
                                  signerParams={"iin": "900101301411"}))
    assert answer["status"] is False and answer["code"] == "KEY_NOT_FOUND"
    assert "IIN 780314401012 is not 900101301411" in answer["details"]
    hardware_only = ask(emulator, basics(allowedStorages=["AKKaztokenStore"], format="cms", data="MTEK",
                                         signingParams={}, signerParams={}))
    assert hardware_only["code"] == "KEY_NOT_FOUND" and "storage PKCS12" in hardware_only["details"]


@pytest.mark.parametrize("message, expected", [
    (common("getKeyInfo", None), "argument type mismatch. Method: getKeyInfo"),
    (common("signXml", "PKCS12", 555, "<a/>"), "argument type mismatch. Method: signXml"),
    (common("signXml", "PKCS12", "SIGNATURE", "<this>is not a valid XML"), "XML"),
    (common("signXml", "PKCS12", "SIGNATURE", "<a><b/></a>", "//b", ""), "whole document"),
    (common("noSuchMethod"), "Method noSuchMethod not found"),
    ({"module": "kz.digiflow.mobile.extensions", "method": "getVersion"}, "not found"),
    ("not json", "JSONObject"),
])
def test_common_utils_errors(emulator, message, expected):
    answer = ask(emulator, message)
    assert answer["code"] == "500" and expected in answer["message"], answer


def test_basics_errors_are_invocation_errors(emulator):
    answer = ask(emulator, basics(format="cms", data="MTEK", signingParams=555, signerParams={}))
    assert answer == {"status": False, "code": "INVOCATION_ERROR",
                      "message": "An invoked method threw an exception.",
                      "details": 'org.json.JSONException: JSONObject["signingParams"] is not a JSONObject.'}
    bad_base64 = ask(emulator, basics(format="cms", data="***", signingParams={"decode": True}, signerParams={}))
    assert bad_base64["status"] is False and "base64" in bad_base64["details"]


def test_change_locale_answers_200(emulator):
    assert ask(emulator, common("changeLocale", "kk")) == {"code": "200"}


def test_cancel_choice(ncalayer_pki):
    cancelling = build_ncalayer(ncalayer_pki, personas=["guardian"], choice=Choice.CANCEL, clock=fixed_clock(NOW))
    assert ask(cancelling, common("signXml", "PKCS12", "SIGNATURE", XML, "", "")) == \
        {"code": "500", "message": "action.canceled"}
    assert ask(cancelling, basics(format="cms", data="MTEK", signingParams={}, signerParams={})) == \
        {"status": True, "body": {}}


def test_a_key_handed_over_replaces_the_keys_of_the_connection(emulator, ncalayer_pki):
    teen = persona_key(ncalayer_pki, "ward_teen", algorithm="gost2015-512")
    conn = emulator.connection()
    handed = ask(emulator, {"module": "kz.egovsim.ncalayer", "method": "useKey",
                            "args": {"p12": base64.b64encode(teen.p12_path.read_bytes()).decode(),
                                     "password": PERSONA_PASSWORD}}, conn)
    assert handed["responseObject"]["algorithm"] == "ECGOST"
    signed = ask(emulator, common("signXml", "PKCS12", "SIGNATURE", XML, "", ""), conn)["responseObject"]
    result = verifier(ncalayer_pki).verify(signed.encode())
    assert result.valid and result.signer.iin == WARD_TEEN and result.gost
    # another connection keeps the emulator's own keys
    other = ask(emulator, common("signXml", "PKCS12", "SIGNATURE", XML, "", ""))["responseObject"]
    assert verifier(ncalayer_pki).verify(other.encode()).signer.iin == GUARDIAN
    wrong = ask(emulator, {"module": "kz.egovsim.ncalayer", "method": "useKey",
                           "args": {"p12": base64.b64encode(teen.p12_path.read_bytes()).decode(),
                                    "password": "wrong"}}, emulator.connection())
    assert wrong["code"] == "500"


@pytest.mark.parametrize("algorithm", ["gost2004", "gost2015-512"])
def test_gost_persona_signs_xml_and_cms(ncalayer_pki, algorithm):
    gost = build_ncalayer(ncalayer_pki, personas=["guardian"], algorithm=algorithm, clock=fixed_clock(NOW))
    xml = ask(gost, common("signXml", "PKCS12", "SIGNATURE", XML, "", ""))["responseObject"]
    result = verifier(ncalayer_pki).verify(xml.encode(), expect_iin=GUARDIAN)
    assert result.valid and result.gost, result.codes
    cms = ask(gost, basics(format="cms", data="MTEK", signingParams={"decode": True}, signerParams={}))
    checked = verify_cms(base64.b64decode(cms["body"]["result"][0]))
    assert checked.valid and checked.content == b"11\n"
