"""Fixtures of the ГБД ФЛ provider tests: one PKI and one live gateway per session."""

from tests.support.registries import registries, registries_pki  # noqa: F401  (fixtures)
