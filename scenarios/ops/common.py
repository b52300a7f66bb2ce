"""What every operation shares: the play context, sign-ins that survive a long virtual day, the
request form, and the two ways a step can fail.

An operation plays one node against the real HTTP APIs and says what the systems answered. It
raises :class:`Divergence` when the systems answered, but not as the flow needs to go on (the
regulation is not followed), and :class:`StepError` when a call broke (a bug, a 500, an
unexpected refusal of the engine's own request): the reports tell the two apart.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import httpx

from egov_sim.reference.catalogue import SERVICES, StateService
from egov_sim.reference.personas import PERSONAS, WARD

from ..model import Flow, Node, Scenario

PORTAL_PASSWORD = "Scenario-Pass-1"
"""The applicants' portal password (SYNTHETIC; registered by ``portal.register``)."""
ARM_PASSWORD = "arm-secret"
OPERATOR_PASSWORD = "operator-secret"
E_COPY = b"%PDF-1.4\n% egov-sim scenario e-copy\n"


class Divergence(Exception):
    """The systems answered, but not as the flow needs: the regulation is not followed here."""


class StepError(Exception):
    """A call broke: the system or the engine is wrong, not the regulation's path."""


@dataclass
class OpResult:
    branch: bool | None = None
    """A condition's answer (True = yes), as the systems gave it."""
    detail: str = ""
    """What the systems answered, one line, for the reports."""


@dataclass
class Outcome:
    """How the scenario ended: the result document (and who signed it) or the notice."""

    kind: str
    """``decision``, ``refusal`` or ``notice:<kind>``."""
    signer_iin: str | None = None
    signer_bin: str | None = None
    signer_name: str | None = None
    signature_valid: bool | None = None
    detail: str = ""


@dataclass
class PlayContext:
    """One scenario's play: the systems, the persons, and what earlier steps left for later ones."""

    scenario: Scenario
    flow: Flow
    systems: Any  # scenarios.simulator.Systems
    prepared: Any  # scenarios.setup.Prepared
    node: Node | None = None
    act_time: dt.datetime | None = None
    """The virtual moment the current node's act happens (the end of its step)."""
    step_start: dt.datetime | None = None
    """When the current node's step began (an office's hand-in: the terms count from it)."""
    state: dict[str, Any] = field(default_factory=dict)
    """Shared between the operations of a group (the portal request number, the АРМ inbox id…)."""
    outcome: Outcome | None = None
    sessions: dict[tuple[str, str], str] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    """``METHOD path → status`` of every call, for the step details."""

    # --- persons -------------------------------------------------------------------------------

    def iin(self, role: str) -> str | None:
        key = self.scenario.personas.get(role)
        return PERSONAS[key].iin if key else None

    def person(self, role: str):
        key = self.scenario.personas.get(role)
        return PERSONAS[key].person if key else None

    # --- HTTP ----------------------------------------------------------------------------------

    def call(self, method: str, path: str, *, auth: tuple[str, str] | None = None,
             expect: tuple[int, ...] | None = None, **kwargs: Any) -> httpx.Response:
        """One HTTP call; ``auth`` = (realm, login) signs in (again, when the session expired
        over the virtual days) and retries once on 401."""
        headers = dict(kwargs.pop("headers", {}) or {})
        for attempt in (1, 2):
            if auth is not None:
                headers["Authorization"] = f"Bearer {self._token(auth, fresh=attempt == 2)}"
            try:
                response = self.systems.client.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise StepError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
            if response.status_code != 401 or auth is None or attempt == 2:
                break
        self.calls.append(f"{method} {path} → {response.status_code}")
        if response.status_code >= 500:
            raise StepError(f"{method} {path} → {response.status_code}: {response.text[:300]}")
        if expect is not None and response.status_code not in expect:
            raise StepError(f"{method} {path} → {response.status_code}: {response.text[:300]}")
        return response

    def _token(self, auth: tuple[str, str], *, fresh: bool) -> str:
        if fresh or auth not in self.sessions:
            realm, login = auth
            self.sessions[auth] = SIGN_IN[realm](self, login)
        return self.sessions[auth]


def _portal_sign_in(ctx: PlayContext, iin: str) -> str:
    r = ctx.systems.client.post("/portal/login", json={"iin": iin, "password": ctx.state.get("portal_password", PORTAL_PASSWORD)})
    if r.status_code != 200:
        raise StepError(f"the applicant cannot sign in to the portal again: {r.status_code} {r.text[:200]}")
    return r.json()["token"]


def _con_sign_in(ctx: PlayContext, login: str) -> str:
    r = ctx.systems.client.post("/con/session", json={"login": login, "password": OPERATOR_PASSWORD})
    if r.status_code != 200:
        raise StepError(f"ЦОН operator {login} cannot sign in: {r.status_code} {r.text[:200]}")
    return r.json()["token"]


def _arm_sign_in(ctx: PlayContext, login: str) -> str:
    r = ctx.systems.client.post("/arm/session", json={"login": login, "password": ARM_PASSWORD})
    if r.status_code != 200:
        raise StepError(f"АРМ staff {login} cannot sign in: {r.status_code} {r.text[:200]}")
    return r.json()["token"]


def _balkhash_sign_in(path: str, password: str) -> Callable[[PlayContext, str], str]:
    def sign_in(ctx: PlayContext, login: str) -> str:
        r = ctx.systems.client.post(path, json={"login": login, "password": password})
        if r.status_code != 200:
            raise StepError(f"{login} cannot sign in at {path}: {r.status_code} {r.text[:200]}")
        return r.json()["token"]
    return sign_in


BALKHASH_UO_PASSWORD = "uo-secret"
BALKHASH_CON_PASSWORD = "con2012-secret"
"""The seeded passwords of the Balkhash department's and the 2012 ЦОН's staff (docs/balkhash.md)."""

SIGN_IN: Mapping[str, Callable[[PlayContext, str], str]] = {
    "portal": _portal_sign_in, "con": _con_sign_in, "arm": _arm_sign_in,
    "blh_uo": _balkhash_sign_in("/balkhash/uo/session", BALKHASH_UO_PASSWORD),
    "blh_con": _balkhash_sign_in("/balkhash/con/session", BALKHASH_CON_PASSWORD)}


# --- the request form ---------------------------------------------------------------------------

def e_copy(code: str, *, portal: bool) -> dict:
    content = base64.b64encode(E_COPY).decode()
    key = "documentCode" if portal else "documentTypeCode"
    return {key: code, "fileName": f"{code.lower()}.pdf", "mediaType": "application/pdf",
            "content": content}


def documents_for(service: StateService, channel: str, args: Mapping[str, Any],
                  setup: Mapping[str, Any], *, leave_out_incomplete: bool = False) -> list[str]:
    """The documents handed in: the node's ``documents``, or every document the service requires
    for the channel, less the scenario's ``missing_document`` (and, at an office, the documents
    ``documents_incomplete`` names: the executor then finds them missing)."""
    if "documents" in args:
        chosen = list(args["documents"])
    else:
        chosen = [d.code for d in service.documents_for(channel) if d.required]
    missing = setup.get("missing_document") or []
    missing = [missing] if isinstance(missing, str) else list(missing)
    if leave_out_incomplete and isinstance(setup.get("documents_incomplete"), list):
        missing += setup["documents_incomplete"]
    return [c for c in chosen if c not in missing]


def form_for(ctx: PlayContext, service: StateService, *, numbers_as_text: bool = False) -> dict:
    """The request form filled from the applicant's registry record and the scenario's set-up."""
    applicant = ctx.iin("applicant")
    values: dict[str, Any] = {}
    for f in service.form:
        if not f.required:
            continue
        if f.type == "iin":
            values[f.name] = WARD if "child" in f.name.lower() or "ward" in f.name.lower() else applicant
        elif f.type == "date":
            values[f.name] = "2023-01-10"
        elif f.type == "number":
            values[f.name] = "3" if numbers_as_text else 3
        elif f.type == "choice":
            wanted = ctx.scenario.setup.get(f.name)
            values[f.name] = wanted if wanted in f.choices else f.choices[0]
        elif f.name == "childFullName":
            values[f.name] = "СЕРИКОВ АЛИХАН ДАНИЯРОВИЧ"
        elif "iban" in f.name.lower():
            values[f.name] = "KZ000000000000000001"
        else:
            values[f.name] = "SIM-123"
    return values


def service_of(args: Mapping[str, Any]) -> StateService:
    return SERVICES[args["service"]]


def error_code(response: httpx.Response) -> str | None:
    """The error code of an API's JSON error (the portal's and ЦОН's ``error.code``, the АРМ's
    ``error``)."""
    try:
        body = response.json()
    except ValueError:
        return None
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return err.get("code")
    return err if isinstance(err, str) else None
