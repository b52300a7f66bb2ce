"""РШЭП's entries in the ШЭП register of interactions: the participant it sends as, the state
services of the catalogue (reached through it by routeId) and one route per region.

Which channel sends as which participant is the composition root's knowledge
(egov_sim/app/server.py passes it in): РШЭП does not know its clients.
"""

from __future__ import annotations

from typing import Mapping

from egov_sim.gateway.config import Participant, Registration, Route, Service
from egov_sim.reference.catalogue import ROUTES, SERVICES

SENDER_ID = "EGOV_SIM_RSHEP"
PASSWORD = "rshep-secret"
PROVIDER_NAME = "rshep"


def registration(channel_senders: Mapping[str, str]) -> Registration:
    """``channel_senders``: a channel of the catalogue ("portal", "con") → the participant that
    sends its requests; a service admits the senders of its channels."""
    services = tuple(
        Service(s.code, f"builtin:{PROVIDER_NAME}",
                frozenset(channel_senders[c] for c in s.channels if c in channel_senders),
                route_required=True,
                description=f"{s.name_ru} (seed {s.seed}; SYNTHETIC serviceId; via РШЭП)")
        for s in SERVICES.values())
    routes = tuple(Route(route_id, f"builtin:{PROVIDER_NAME}", region) for route_id, region in ROUTES.items())
    return Registration(
        participants=(Participant(SENDER_ID, PASSWORD, "if-present", "regional gateway РШЭП"),),
        services=services, routes=routes)
