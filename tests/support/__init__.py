"""Shared test support: live stacks, clients and sample data, one module per system.

Importable as ``tests.support`` (every test folder is a package, so pytest puts the repository
root on ``sys.path``); nothing here is collected as a test."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root (README.md, docs/, the catalogue of scenarios)."""

DOCS = ROOT / "docs"
