"""``egov-sim stubs``: check, list, test (with --explain and --state), from-xsd, state, reset, and
one-line errors for bad input."""

from __future__ import annotations

import json

from egov_sim.core.database import Database, sqlite_url
from egov_sim.gateway.stubs.state import StubStates
from tests.support.shep import envelope, request_info

from .conftest import write_files
from .service import CLEAN, FILES, SERVICE_ID, TAX, debt_request
from .test_stub_state import SCENARIO_YAML

XSD = f"""\
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{TAX}"
           xmlns:t="{TAX}" elementFormDefault="qualified">
  <xs:element name="debtResponse">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="iin" type="xs:string"/>
        <xs:element name="total" type="xs:decimal"/>
        <xs:element name="checkedAt" type="xs:dateTime"/>
        <xs:element name="status" type="t:Status"/>
        <xs:choice><xs:element name="paid" type="xs:boolean"/><xs:element name="note" type="xs:string"/></xs:choice>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:simpleType name="Status">
    <xs:restriction base="xs:string"><xs:enumeration value="DUE"/><xs:enumeration value="PAID"/></xs:restriction>
  </xs:simpleType>
</xs:schema>
"""


def test_check_and_list(tmp_path, run_cli):
    folder = write_files(tmp_path / "tax", FILES)
    code, out, err = run_cli("stubs", "check", folder)
    assert (code, out) == (0, "tax: 4 stubs in 1 files: ok\n4 stubs in 1 files: ok\n"), err
    code, out, _ = run_cli("stubs", "list", folder, "--json")
    listed = json.loads(out)[0]["stubs"]
    assert [s["name"] for s in listed] == ["debt-found", "blocked-iin", "no-debt", "slow"]
    assert listed[0]["where"] == "tax/debts.yaml:4" and listed[0]["answer"].endswith("signed by tax-service")
    code, out, _ = run_cli("stubs", "list", folder)
    assert code == 0 and "debt-found" in out
    code, _, err = run_cli("stubs", "check")
    assert code == 2 and "name stub folders, or a gateway config with --config" in err


def test_test_explains_and_assumes_states(tmp_path, run_cli):
    folder = write_files(tmp_path / "tax", FILES)
    request = tmp_path / "request.xml"
    request.write_bytes(envelope("php", info=request_info(service_id=SERVICE_ID), data=debt_request(CLEAN)))
    code, out, _ = run_cli("stubs", "test", request, "--stubs", folder, "--explain")
    assert code == 0
    assert "  debt-found (tax/debts.yaml:4, priority 1): data xpath string(//tax:iin) is '900101300017'" in out
    assert "  no-debt (tax/debts.yaml:25, priority 5): matches" in out
    assert f"<tax:iin>{CLEAN}</tax:iin>" in out

    scenario = write_files(tmp_path / "registry", {"r.yaml": SCENARIO_YAML})
    request.write_bytes(envelope("jaxws", info=request_info(service_id="SIM_REGISTRY"), data="<data><register/></data>"))
    assert "NOT_FOUND" in run_cli("stubs", "test", request, "--stubs", scenario)[1]
    code, out, _ = run_cli("stubs", "test", request, "--stubs", scenario, "--state", "registration=REGISTERED")
    assert code == 0 and "FOUND REGISTERED" in out
    code, out, _ = run_cli("stubs", "test", request, "--stubs", scenario, "--state", "registration=GONE")
    assert code == 1 and "scenario 'registration' is in state 'GONE'" in out
    code, _, err = run_cli("stubs", "test", request, "--stubs", scenario, "--state", "oops")
    assert code == 2 and "--state 'oops': write SCENARIO=STATE" in err
    request.write_text("<notsoap/>")
    code, _, err = run_cli("stubs", "test", request, "--stubs", scenario)
    assert code == 2 and "not a SendMessage request" in err


def test_from_xsd_writes_a_stub_set_that_loads_and_answers(tmp_path, run_cli):
    xsd = tmp_path / "debt.xsd"
    xsd.write_text(XSD, encoding="utf-8")
    out = tmp_path / "stubs"
    code, stdout, err = run_cli("stubs", "from-xsd", xsd, "--service-id", SERVICE_ID, "--out", out)
    assert code == 0, err
    text = (out / "debt.yaml").read_text(encoding="utf-8")
    for expected in ("<tns:iin>{{ random_iin() }}</tns:iin>", "<tns:total>0</tns:total>",
                     "<tns:checkedAt>{{ now() }}</tns:checkedAt>", "<tns:status>DUE</tns:status>",
                     "<tns:paid>false</tns:paid>"):
        assert expected in text
    assert "<tns:note>" not in text  # the first branch of a choice
    request = tmp_path / "request.xml"
    request.write_bytes(envelope("php", info=request_info(service_id=SERVICE_ID), data=debt_request(CLEAN)))
    code, stdout, _ = run_cli("stubs", "test", request, "--stubs", out)
    assert code == 0 and "stub 'debtResponse'" in stdout and "<tns:status>DUE</tns:status>" in stdout
    code, _, err = run_cli("stubs", "from-xsd", xsd, "--service-id", "X", "--out", out, "--element", "nope")
    assert code == 2 and "no global element 'nope' (there are: debtResponse)" in err


def test_state_and_reset_work_on_the_database(tmp_path, run_cli, monkeypatch):
    from egov_sim.core.database import DATABASE_URL_ENV

    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    home = tmp_path / "home"
    with Database.open(sqlite_url(home / "egov-sim.db")) as db:
        StubStates(db).set("SIM_REGISTRY", "registration", "REGISTERED")
    code, out, _ = run_cli("--home", home, "stubs", "state")
    assert out == "SIM_REGISTRY\tregistration\tREGISTERED\n"
    assert json.loads(run_cli("--home", home, "stubs", "state", "--json")[1])[0]["state"] == "REGISTERED"
    assert run_cli("--home", home, "stubs", "reset", "SIM_REGISTRY")[1] == "reset 1 scenario states of SIM_REGISTRY\n"
    code, out, err = run_cli("--home", home, "stubs", "state")
    assert out == "" and "every scenario is in Started" in err
