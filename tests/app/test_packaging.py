"""Installed, egov-sim is one import package: the wheel holds ``egov_sim`` and its metadata only
(the repository's top-level folders become its subpackages), with the contract files, the
shipped scenarios and the typing marker inside."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.support import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                          "--quiet", "--wheel-dir", str(out), str(ROOT)],
                         capture_output=True, text=True, cwd=build,
                         env={"PIP_DISABLE_PIP_VERSION_CHECK": "1", "PATH": "/usr/bin:/bin",
                              "HOME": str(build), "TMPDIR": str(build)})
    assert run.returncode == 0, run.stderr[-3000:]
    [path] = out.glob("egov_sim-*.whl")
    return zipfile.ZipFile(path)


def test_one_import_package(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"egov_sim"}


def test_folders_become_subpackages_with_their_data(wheel):
    names = set(wheel.namelist())
    for module in ("egov_sim/gateway/sync_channel.py", "egov_sim/adapters/gbd_fl/provider.py",
                   "egov_sim/portal_mock/con/intake.py", "egov_sim/signing/verify.py",
                   "egov_sim/scenarios/engine.py", "egov_sim/wsdl/schemas.py", "egov_sim/core/clock.py",
                   "egov_sim/app/server.py", "egov_sim/py.typed"):
        assert module in names, module
    assert any(n.startswith("egov_sim/wsdl/shep/SyncChannel/") and n.endswith(".wsdl") for n in names)
    for page_file in ("egov_sim/core/web/templates/web/base.html", "egov_sim/core/web/static/web.css",
                      "egov_sim/app/templates/overview/home.html",
                      "egov_sim/portal_mock/portal/pages/templates/portal/sign.html",
                      "egov_sim/portal_mock/portal/pages/static/ncalayer-sign.js",
                      "egov_sim/portal_mock/con/pages/templates/con/paper.html",
                      "egov_sim/gateway/rshep/pages/templates/arm/request.html"):
        assert page_file in names, page_file
    assert any(n.startswith("egov_sim/scenarios/catalog/") and n.endswith(".yaml") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = wheel.read(entry_points).decode()
    assert "egov-sim = egov_sim.app.cli:main" in text and "egov_sim = egov_sim.app.pytest_plugin" in text
