"""The seeded staff's passwords: well known on loopback, set by the operator anywhere else.

The АРМ staff, the ЦОН operators and the Balkhash department's and 2012 ЦОН's employees are
seeded with documented passwords (``arm-secret``, ``operator-secret``, ``uo-secret``,
``con2012-secret``), so QA can sign in at once. Anyone who can reach the server can read the
docs too, so ``egov-sim serve`` refuses to listen on a non-loopback address with them: the
operator sets passwords with ``EGOV_SIM_STAFF_PASSWORD`` (every realm) or
``serve --staff-passwords FILE``, a TOML file with any of ``all``, ``arm``, ``con``,
``balkhash_uo``, ``balkhash_con``. A set password replaces the well-known one: new accounts are
made with it, and an account made earlier takes it at its next sign-in (core/auth.py,
``retired_passwords``); the well-known one no longer signs in.
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Mapping

from egov_sim.core.errors import InputError

ENV = "EGOV_SIM_STAFF_PASSWORD"
REALMS = ("arm", "con", "balkhash_uo", "balkhash_con")


def well_known() -> dict[str, str]:
    """Each realm's documented seed password."""
    from egov_sim.gateway.rshep.staff import STAFF_PASSWORD
    from egov_sim.portal_mock.balkhash.con.staff import PASSWORD as BALKHASH_CON
    from egov_sim.portal_mock.balkhash.department.staff import PASSWORD as BALKHASH_UO
    from egov_sim.portal_mock.con.operators import SEED_PASSWORD

    return {"arm": STAFF_PASSWORD, "con": SEED_PASSWORD, "balkhash_uo": BALKHASH_UO,
            "balkhash_con": BALKHASH_CON}


def resolve(file: Path | None, environ: Mapping[str, str]) -> dict[str, str] | None:
    """The passwords from ``file`` over ``EGOV_SIM_STAFF_PASSWORD``; None when neither is set."""
    passwords: dict[str, str] = {}
    common = environ.get(ENV, "")
    if common:
        passwords = dict.fromkeys(REALMS, common)
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8")
            data = tomllib.loads(text)
        except OSError as exc:
            raise InputError(f"cannot read --staff-passwords {file}: {exc.strerror}", code="BAD_USAGE") from None
        except UnicodeDecodeError:
            raise InputError(f"--staff-passwords {file} is not UTF-8 text", code="BAD_USAGE") from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"--staff-passwords {file}: {exc}", code="BAD_USAGE") from None
        unknown = sorted(set(data) - {"all", *REALMS})
        if unknown:
            raise InputError(f"--staff-passwords {file}: unknown key(s) {', '.join(unknown)}; "
                             f"use all, {', '.join(REALMS)}", code="BAD_USAGE")
        if not all(isinstance(v, str) for v in data.values()):
            raise InputError(f"--staff-passwords {file}: passwords are strings", code="BAD_USAGE")
        if "all" in data:
            passwords.update(dict.fromkeys(REALMS, data["all"]))
        passwords.update({k: v for k, v in data.items() if k != "all"})
    if not passwords:
        return None
    known = well_known()
    for realm, password in passwords.items():
        if len(password) < 8:
            raise InputError(f"the {realm} staff password must have at least 8 characters", code="BAD_USAGE")
        if password in known.values():
            raise InputError(f"the {realm} staff password is a documented one; choose another", code="BAD_USAGE")
    return passwords


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_for(host: str, passwords: Mapping[str, str] | None) -> None:
    """Refuse to serve a non-loopback address while a realm keeps its well-known password."""
    if is_loopback(host):
        return
    missing = [realm for realm in REALMS if not (passwords or {}).get(realm)]
    if missing:
        raise InputError(
            f"serving on {host} would let anyone sign in as the seeded staff with the documented "
            f"passwords ({', '.join(missing)}); set {ENV} or --staff-passwords FILE "
            "(docs/security.md)", code="WELL_KNOWN_PASSWORDS")
