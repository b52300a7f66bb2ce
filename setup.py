"""One import package, ``egov_sim``, from the design card's top-level folders.

The repository keeps ``gateway/``, ``adapters/``, ``portal_mock/``, ``signing/``, ``wsdl/`` and
``scenarios/`` at the top, where a newcomer looks for them; installed (editable or not) they are
``egov_sim.gateway``, ``egov_sim.adapters`` and so on, so nothing else lands in site-packages.
Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

FOLDERS = {
    "egov_sim": "egov_sim",
    "egov_sim.signing": "signing",
    "egov_sim.wsdl": "wsdl",
    "egov_sim.gateway": "gateway",
    "egov_sim.adapters": "adapters",
    "egov_sim.portal_mock": "portal_mock",
    "egov_sim.scenarios": "scenarios",
}
"""Import package → folder of the repository."""

packages = []
for package, folder in FOLDERS.items():
    packages += [package] + [f"{package}.{sub}" for sub in find_packages(folder)]

setup(packages=packages, package_dir=FOLDERS)
