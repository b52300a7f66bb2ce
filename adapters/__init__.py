"""Registries behind the gateway: ГБД ФЛ (person registry) and ЕНИС (notary system)."""
