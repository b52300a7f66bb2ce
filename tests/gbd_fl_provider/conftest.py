"""Fixtures of the ГБД ФЛ provider tests: one PKI and one live gateway per session."""

from registries_support import registries, registries_pki  # noqa: F401  (fixtures)
