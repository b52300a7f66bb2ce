"""Regional РШЭП instances: one per routeId, each serving the provider offices of its region.

ШЭП forwards a routed request to ``builtin:rshep``; the routeId picks the instance, and the
instance knows its offices by BIN (the ServiceRequest's provider/bin). An office of another
region cannot be reached through this route.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from egov_sim.reference.catalogue import PROVIDERS, ROUTES, ProviderOffice


@dataclass(frozen=True)
class RegionalInstance:
    route_id: str
    region: str
    offices: Mapping[str, ProviderOffice]
    """By BIN."""

    def office_by_bin(self, bin_: str) -> ProviderOffice | None:
        return self.offices.get(bin_)


def build_instances() -> Mapping[str, RegionalInstance]:
    return MappingProxyType({
        route_id: RegionalInstance(route_id, region, MappingProxyType(
            {o.bin: o for o in PROVIDERS.values() if o.route_id == route_id}))
        for route_id, region in ROUTES.items()})
