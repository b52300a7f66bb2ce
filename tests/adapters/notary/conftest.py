"""Fixtures of the ЕНИС tests: the live gateway of tests/support/registries.py."""

from tests.support.registries import registries, registries_pki  # noqa: F401  (fixtures)
