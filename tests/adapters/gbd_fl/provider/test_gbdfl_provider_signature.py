"""The registry's business-data signature inside ``data`` survives the gateway round trip."""

from __future__ import annotations

import typer
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from typer.testing import CliRunner

from egov_sim.adapters.gbd_fl.provider import GBDFL_IDENTITY
from egov_sim.core.settings import Settings
from egov_sim.gateway.shep import gateway_signer
from egov_sim.reference.personas import PERSONAS
from egov_sim.signing.cli_sign import register
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import DIGEST_MISMATCH, Verifier, reroot
from egov_sim.wsdl.gbdfl import SIGNED_ROOT
from tests.support.registries import SOAP11, ask_gbdfl, verify_data

DS = "http://www.w3.org/2000/09/xmldsig#"


def test_layout_is_ncalayer_enveloped_as_last_child(registries):
    data = ask_gbdfl(registries, iin=PERSONAS["poa_principal"].iin).data
    assert data.tag == SIGNED_ROOT
    signature = data[-1]
    assert signature.tag == f"{{{DS}}}Signature"
    assert signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference").get("URI") == ""
    transforms = [t.get("Algorithm") for t in signature.iter(f"{{{DS}}}Transform")]
    assert transforms == ["http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                          "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"]
    assert len(signature.findall(f".//{{{DS}}}X509Certificate")) == 1


def test_signed_by_the_registry_certificate_after_both_layers(registries):
    """Transport signature of the gateway first, then the re-rooted data of the verified Body."""
    reply = ask_gbdfl(registries, iin=PERSONAS["poa_principal"].iin)
    # the gateway names its certificate by X509IssuerSerial: the client keeps it in its store
    trust = TrustStore.from_pem(registries.pki.trust_pem()
                                + gateway_signer(registries.pki).certificate.public_bytes(Encoding.PEM))
    transport = Verifier(trust).verify(reply.content, layout="wsse")
    assert transport.valid, transport.to_json()
    body = transport.signed_element
    assert body.tag == f"{{{SOAP11}}}Body"
    data = body.find(".//responseData/data")
    result = registries.verifier().verify(reroot(data), layout="enveloped")
    assert result.valid, result.to_json()
    assert result.signer.iin == GBDFL_IDENTITY.employee_iin
    assert result.signer.bin == GBDFL_IDENTITY.bin


def test_altered_name_breaks_the_signature(registries):
    reply = ask_gbdfl(registries, iin=PERSONAS["poa_principal"].iin)
    surname = reply.data.findtext("persons/person/surname")
    altered = surname[:-1] + ("Ъ" if surname[-1] != "Ъ" else "Ь")  # one letter of the name
    tampered = reply.content.replace(f"<surname>{surname}</surname>".encode(),
                                     f"<surname>{altered}</surname>".encode(), 1)
    assert tampered != reply.content
    data = etree.fromstring(tampered).find(f".//{{{SOAP11}}}Body//responseData/data")
    result = verify_data(registries, data)
    assert not result.valid and DIGEST_MISMATCH in result.codes


def test_error_answers_are_signed_too(registries):
    data = ask_gbdfl(registries, iin="123456789012").data
    assert data.findtext("messageResult/code") == "SIM002"
    assert verify_data(registries, data).valid


def test_egov_sim_verify_on_the_extracted_data(registries, tmp_path):
    """The documented command: save the re-rooted data, `egov-sim verify` it."""
    data = ask_gbdfl(registries, iin=PERSONAS["poa_principal"].iin).data
    reroot(data).write(str(tmp_path / "data.xml"), xml_declaration=True, encoding="UTF-8")
    (tmp_path / "trust.pem").write_bytes(registries.pki.trust_pem())
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = Settings(home=tmp_path / "home")

    register(app)
    runner = CliRunner()
    ok = runner.invoke(app, ["verify", str(tmp_path / "data.xml"), "--trust",
                             str(tmp_path / "trust.pem"), "--revocation", "none"])
    assert ok.exit_code == 0, ok.output
    assert "VALID" in ok.output and GBDFL_IDENTITY.employee_iin in ok.output
    text = (tmp_path / "data.xml").read_text(encoding="utf-8")
    (tmp_path / "bad.xml").write_text(text.replace("<removed>false</removed>",
                                                   "<removed>true</removed>"), encoding="utf-8")
    bad = runner.invoke(app, ["verify", str(tmp_path / "bad.xml"), "--trust",
                              str(tmp_path / "trust.pem"), "--revocation", "none"])
    assert bad.exit_code == 1 and DIGEST_MISMATCH in bad.output
