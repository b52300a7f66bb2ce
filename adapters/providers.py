"""The registries the simulator hosts behind ШЭП, built and seeded for one simulator instance.

``egov-sim serve`` calls :func:`build_registries` once before its workers start (the first call
generates the population and the powers of attorney; later calls find them and return at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.signing.pki import TestPKI
from egov_sim.signing.service_certs import service_signer

from .gbd_fl import provider as gbd_fl
from .gbd_fl.provider import GBDFL_IDENTITY, build_gbdfl_provider
from .gbd_fl.registry import PersonRegistry, ensure_population
from .notary import provider as enis
from .notary.poa_registry import PoaRegistry
from .notary.provider import ENIS_IDENTITY, build_enis_provider
from .notary.seeding import ensure_powers_of_attorney

DEFAULT_POPULATION = 10_000

REGISTRATIONS = (gbd_fl.REGISTRATION, enis.REGISTRATION)
"""The registries' entries in the ШЭП register of interactions."""


@dataclass
class Registries:
    persons: PersonRegistry
    powers_of_attorney: PoaRegistry
    providers: Mapping[str, object]
    """``builtin:<name>`` providers for the gateway's service register."""


def build_registries(db: Database, pki: TestPKI, *, clock: Clock = system_clock,
                     population: int = DEFAULT_POPULATION, seed: int = 1) -> Registries:
    persons = ensure_population(db, count=population, seed=seed, clock=clock)
    poas = ensure_powers_of_attorney(db, persons, seed=seed, clock=clock)
    providers = {
        gbd_fl.PROVIDER_NAME: build_gbdfl_provider(persons, service_signer(pki, GBDFL_IDENTITY), clock=clock),
        enis.PROVIDER_NAME: build_enis_provider(poas, service_signer(pki, ENIS_IDENTITY), clock=clock),
    }
    return Registries(persons, poas, providers)
