"""Debian's Chromium driven by Playwright (no browser download): headless, sandbox off, no
background networking, a fresh profile per launch. Tests skip when Chromium or Playwright is
missing locally; CI installs both (.ci/run: apt ``chromium``, pip ``playwright``).

Screenshots of the main pages go to ``artifacts/screenshots/`` (git-ignored; README names it
as a CI artifact), or ``$EGOV_SIM_SCREENSHOTS``. Accessibility is checked with axe-core, which
the ``axe-playwright-python`` package carries (nothing is fetched at test time).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest

from tests.support import ROOT

CHROMIUM = os.environ.get("EGOV_SIM_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-dev-shm-usage"]
SERIOUS = ("serious", "critical")


def missing(what: str) -> None:
    """Skip locally; in CI (``$CI`` set) the tool is required, as tests/conftest.py does."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI (.ci/run installs it)")
    pytest.skip(f"{what} is not installed (CI installs it)")


def require_npm() -> None:
    if not (shutil.which("node") and shutil.which("npm")):
        missing("node and npm")


def screenshots_dir() -> Path:
    folder = Path(os.environ.get("EGOV_SIM_SCREENSHOTS") or ROOT / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (Playwright's Browser); skips the test when there is none."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing(f"Chromium ({CHROMIUM}, Debian package 'chromium')")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def accessibility_problems(page) -> list[str]:
    """Serious or critical axe-core violations on the page (labels, headings, contrast, …)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]
