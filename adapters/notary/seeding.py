"""Seeding the ЕНИС register from the ГБД ФЛ population, deterministically and once.

Principals, attorneys and notaries are persons of the population (``PersonRegistry.sample``),
so every IIN ЕНИС answers about is also known to ГБД ФЛ. The same seed, population and anchor
date give the same register; a register that was seeded is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random

from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Database
from egov_sim.core.errors import InputError

from .notaries import PERSONA_DISTRICT, Notary, make_notaries
from .personas import POA_PERSONAS
from .poa_registry import Party, PoaRegistry, PowerOfAttorney
from .scope import random_scope

DEFAULT_COUNT = 200
NOTARY_COUNT = 12
TERMS_DAYS = (365, 2 * 365, 3 * 365)
REVOKED_SHARE = 0.08


def ensure_powers_of_attorney(db: Database, registry, *, count: int = DEFAULT_COUNT, seed: int = 1,
                              anchor: dt.date | None = None,
                              clock: Clock = system_clock) -> PoaRegistry:
    """The register on ``db``, seeded with the personas and ``count`` population records if empty.

    ``registry`` is the ГБД ФЛ ``PersonRegistry`` (already populated, personas included);
    ``anchor`` (default: today in Kazakhstan by ``clock``) is the day the dates count back from.
    """
    poas = PoaRegistry(db)
    if poas.seeding() is not None:
        return poas
    anchor = anchor or clock().astimezone(ALMATY).date()
    rng = random.Random(seed)
    notaries, records = _plan(registry, rng, count, anchor)
    with db.transaction() as tx:
        if poas.seeding() is not None:  # another process seeded it meanwhile
            return poas
        for notary in notaries:
            poas.put_notary(notary)
        for record in records:
            poas.add(record)
        tx.execute("INSERT INTO enis_seeding (id, seed, poa_count, anchor_date, seeded_at)"
                   " VALUES (1, ?, ?, ?, ?)", (seed, count, anchor.isoformat(), clock()))
    return poas


def _persona_person(registry, key: str):
    from egov_sim.reference.personas import PERSONAS

    persona = PERSONAS.get(key)
    person = registry.get(persona.iin) if persona is not None else None
    if person is None:
        raise InputError(f"ГБД ФЛ persona {key!r} is missing: populate ГБД ФЛ before ЕНИС",
                         code="PERSONA_MISSING")
    return person


def _plan(registry, rng: random.Random, count: int,
          anchor: dt.date) -> tuple[list[Notary], list[PowerOfAttorney]]:
    persona_people = {key: _persona_person(registry, key)
                      for p in POA_PERSONAS.values() for key in (p.principal, p.attorney)}
    reserved = {p.iin for p in persona_people.values()}
    wanted = NOTARY_COUNT + 2 * count + count // 5 + len(reserved)  # spare pairs: some are too young
    people = [p for p in registry.sample(wanted, rng=rng,
                                         adult=True, alive=True) if p.iin not in reserved]
    notaries = make_notaries(people[:NOTARY_COUNT], rng)
    if not notaries:
        raise InputError("the ГБД ФЛ population has no adults to be notaries", code="EMPTY_POPULATION")
    persona_notary = next(n for n in notaries if n.notarial_district == PERSONA_DISTRICT)

    records = [persona.record(Party.of(persona_people[persona.principal]),
                              Party.of(persona_people[persona.attorney]), persona_notary, anchor)
               for persona in POA_PERSONAS.values()]
    parties = [Party.of(p) for p in people[NOTARY_COUNT:]]
    made = 0
    for principal, attorney in zip(parties[0::2], parties[1::2]):
        if made == count:
            break
        record = _population_record(made + 1, principal, attorney, rng.choice(notaries), rng, anchor)
        if record is not None:
            records.append(record)
            made += 1
    return notaries, records


def _adult_since(party: Party) -> dt.date:
    born = party.birth_date or dt.date.min
    try:
        return born.replace(year=born.year + 18)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + 18, day=28)


def _population_record(serial: int, principal: Party, attorney: Party, notary: Notary,
                       rng: random.Random, anchor: dt.date) -> PowerOfAttorney | None:
    """A PoA certified in the four years before ``anchor``, both parties adult by then."""
    registered = anchor - dt.timedelta(days=rng.randint(1, 4 * 365))
    term = rng.choice(TERMS_DAYS)
    revoke_after = rng.randint(1, term - 1) if rng.random() < REVOKED_SHARE else None
    scope, substitution = random_scope(rng), rng.random() < 0.2
    registered = max(registered, _adult_since(principal), _adult_since(attorney))
    if registered > anchor:
        return None
    revoked = None
    if revoke_after is not None and registered + dt.timedelta(days=revoke_after) <= anchor:
        revoked = registered + dt.timedelta(days=revoke_after)
    return PowerOfAttorney(
        number=f"SIM-{registered.year}-{serial:06d}", registration_date=registered, notary=notary,
        principal=principal, attorney=attorney, valid_from=registered,
        valid_to=registered + dt.timedelta(days=term - 1), scope=scope,
        substitution_allowed=substitution, revocation_date=revoked)
