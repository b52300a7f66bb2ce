"""The emulator driven by the NCALayer client library web front ends use, `ncalayer-js-client`
from the npm registry (installed into a temporary folder; skipped without node and npm, which
CI installs). The library's own calls — connect, getActiveTokens, getKeyInfo, signXml,
basicsSignXML, basicsSignCMS, createCAdESFromBase64, changeLocale — run unchanged in Node."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.core.testing import free_port
from egov_sim.signing.cms import verify_cms
from egov_sim.signing.ncalayer.server import Listen, running
from egov_sim.signing.trust import TrustStore
from egov_sim.signing.verify import Verifier
from tests.signing.ncalayer.conftest import NOW
from tests.support.browser import require_npm

JS_CLIENT = "ncalayer-js-client@1.5.6"

SCRIPT = r"""
const { NCALayerClient } = require('ncalayer-js-client');
const xml = '<request><iin>780314401012</iin><text>сәлем</text></request>';
(async () => {
  const c = new NCALayerClient(process.argv[2], false);
  const out = {};
  out.version = await c.connect();
  out.tokens = await c.getActiveTokens();
  out.keyInfo = await c.getKeyInfo(NCALayerClient.fileStorageType);
  out.signXml = await c.signXml(NCALayerClient.fileStorageType, xml, 'SIGNATURE');
  out.basicsXml = await c.basicsSignXML(NCALayerClient.basicsStoragePKCS12, xml,
    NCALayerClient.basicsXMLParams, NCALayerClient.basicsSignerSignPerson);
  out.basicsCms = await c.basicsSignCMS(NCALayerClient.basicsStorageAll, 'MTEK',
    NCALayerClient.basicsCMSParamsDetachedNoTSP, NCALayerClient.basicsSignerSignAny);
  out.cades = await c.createCAdESFromBase64(NCALayerClient.fileStorageType, 'MTEK', 'SIGNATURE', true);
  try {
    await c.basicsSignCMS(NCALayerClient.basicsStorageHardware, 'MTEK',
      NCALayerClient.basicsCMSParamsAttached, NCALayerClient.basicsSignerAny);
  } catch (error) { out.hardwareOnly = error.toString(); }
  await c.changeLocale('kk');
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((error) => { console.error(String(error)); process.exit(1); });
"""


@pytest.fixture(scope="module")
def js_client(tmp_path_factory):
    require_npm()
    folder = tmp_path_factory.mktemp("npm")
    run = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
                          JS_CLIENT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    (folder / "drive.js").write_text(SCRIPT, encoding="utf-8")
    return folder


def test_the_js_client_signs_through_the_emulator(js_client, emulator, ncalayer_pki):
    with running(emulator, Listen(port=free_port(), tls=False)) as url:
        run = subprocess.run(["node", "drive.js", url], cwd=js_client, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["version"] == "1.4" and out["tokens"] == []
    assert out["keyInfo"]["subjectCn"] == "ЖУМАБАЕВА АЙГЕРИМ"
    verifier = Verifier(TrustStore.from_pem(ncalayer_pki.trust_pem()), clock=fixed_clock(NOW))
    for signed in (out["signXml"], out["basicsXml"][0]):
        result = verifier.verify(signed.encode("utf-8"), expect_iin="780314401012", purpose="SIGN")
        assert result.valid, result.codes
    detached = verify_cms(base64.b64decode(out["basicsCms"]), content=b"11\n")
    assert detached.valid and detached.detached
    attached = verify_cms(base64.b64decode(out["cades"]))
    assert attached.valid and attached.content == b"11\n"
    assert out["hardwareOnly"].startswith("NCALayerError: KEY_NOT_FOUND")


def test_the_docs_js_example_runs_as_written(js_client, emulator, ncalayer_pki):
    from tests.signing.ncalayer.test_ncalayer_docs import blocks

    (js_client / "docs.js").write_text(blocks()["js"] + "\nsignBoth(process.argv[2]).then((r) => {"
                                       " console.log(JSON.stringify(r)); process.exit(0); },"
                                       " (e) => { console.error(String(e)); process.exit(1); });\n",
                                       encoding="utf-8")
    with running(emulator, Listen(port=free_port(), tls=False)) as url:
        run = subprocess.run(["node", "docs.js", url], cwd=js_client, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    verifier = Verifier(TrustStore.from_pem(ncalayer_pki.trust_pem()), clock=fixed_clock(NOW))
    assert verifier.verify(out["xml"].encode("utf-8")).valid and verifier.verify(out["old"].encode("utf-8")).valid
    assert verify_cms(base64.b64decode(out["cms"])).content == b"11\n"
