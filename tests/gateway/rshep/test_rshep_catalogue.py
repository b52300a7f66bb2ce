"""The shared service catalogue: its look-ups, and that what it says is internally consistent."""

from __future__ import annotations

import pytest

from egov_sim.core.errors import InputError
from egov_sim.reference import catalogue as cat
from egov_sim.reference.iin import is_valid_bin


def test_lookups():
    assert cat.service("SIM_GUARDIAN_ALLOWANCE_PAVLODAR").seed == "002"
    with pytest.raises(InputError) as err:
        cat.service("SIM_NOPE")
    assert err.value.code == "UNKNOWN_SERVICE"
    assert [s.code for s in cat.services_for("akim")] == ["SIM_SOCIAL_ASSISTANCE_ALMATY_OBL"]
    assert "SIM_SOCIAL_ASSISTANCE_ALMATY_OBL" not in {s.code for s in cat.services_for("con")}
    assert cat.provider_by_bin(cat.PROVIDERS["PVL_AKSU_CITY"].bin).code == "PVL_AKSU_CITY"


def test_seed_002_and_000_as_the_brief_and_the_seeds_say():
    g = cat.GUARDIAN_ALLOWANCE
    assert g.route_id == "R_Pavlodar" and set(g.channels) == {"office", "con", "portal"}
    assert len(g.providers) >= 3 and g.result_kind == "decision"
    s = cat.SOCIAL_ASSISTANCE
    rural = cat.offices_for(s, "akim")
    assert rural and all(o.parent in s.providers for o in rural)
    assert s.portal_eligibility
    # the terms are the term model's, not the catalogue's (egov_sim/reference/regulations/)
    assert s.deadline_wd is None and g.deadline_wd is None
    assert cat.PROSTHETIC_AID.deadline_wd == 10 and cat.HOME_SOCIAL_CARE.deadline_wd == 14


def test_offices_have_valid_bins_and_known_routes():
    bins = [o.bin for o in cat.PROVIDERS.values()]
    assert all(is_valid_bin(b) for b in bins) and len(set(bins)) == len(bins)
    assert all(o.route_id in cat.ROUTES and o.region == cat.ROUTES[o.route_id] for o in cat.PROVIDERS.values())


def test_every_service_has_documents_and_a_form():
    for s in cat.SERVICES.values():
        codes = [d.code for d in s.documents]
        assert len(codes) == len(set(codes)), s.code
        assert all(set(d.channels) <= set(cat.CHANNELS) for d in s.documents)
        assert all(f.type in ("iin", "text", "date", "number", "choice") for f in s.form)
        assert all(bool(f.choices) == (f.type == "choice") for f in s.form)
