"""Admin JSON API of stub providers: list the stub sets, read, set and reset scenario states.

Routes are relative (``/stubs…``); the gateway mounts them under ``/admin`` behind the admin
guard (loopback only unless a token is configured). States live in the database, so a reset
through one worker applies to all.

| Method and path | Answer |
|---|---|
| ``GET /stubs`` | the stub sets, their stubs and scenario states |
| ``DELETE /stubs/state`` | every scenario of every set back to ``Started``, counters to 0 |
| ``DELETE /stubs/{set}/state`` | the same for one set |
| ``PUT /stubs/{set}/state/{scenario}`` | body ``{"state": "FOUND"}``: set one scenario |
| ``POST /stubs/reload`` | re-read changed stub files now (instead of waiting for the poll) |
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from egov_sim.core.json_api import error, read_json

from ..admin_api import admin_endpoint
from .provider import StubRegistry
from .state import StubStates

MAX_STATE_BODY = 64 * 1024
"""A scenario state is a short name: a body over 64 KiB is refused (413)."""


def describe(registry: StubRegistry, states: StubStates | None) -> list[dict]:
    out = []
    for name in registry.names():
        stub_set = registry.stub_set(name)
        current = states.states(name) if states is not None else {}
        out.append({
            "name": name,
            "error": registry.error(name),
            "files": list(stub_set.files) if stub_set else [],
            "scenarios": {s: current.get(s, "Started") for s in (stub_set.scenarios() if stub_set else [])},
            "stubs": [{"name": s.name, "where": s.where, "priority": s.priority,
                       "match": s.describe_match(), "answer": s.answer.describe(),
                       "scenario": None if s.scenario is None else {
                           "name": s.scenario.name, "state": s.scenario.state, "next": s.scenario.next}}
                      for s in (stub_set.stubs if stub_set else ())],
        })
    return out


def routes(registry: StubRegistry, states: StubStates) -> list[Route]:
    def unknown(name: str) -> Response:
        return error(404, "STUB_SET_NOT_FOUND", f"no stub set {name!r} (sets: {', '.join(registry.names()) or 'none'})")

    def list_sets(request: Request) -> Response:
        return JSONResponse({"items": describe(registry, states)})

    def reset_all(request: Request) -> Response:
        return JSONResponse({"reset": states.reset()})

    def reset_one(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in registry:
            return unknown(name)
        return JSONResponse({"reset": states.reset(name)})

    async def set_state(request: Request) -> Response:
        name, scenario = request.path_params["name"], request.path_params["scenario"]
        if name not in registry:
            return unknown(name)
        body = await read_json(request, limit=MAX_STATE_BODY)  # capped: 413 above it
        state = body.get("state") if isinstance(body, dict) else None
        if not isinstance(state, str) or not state.strip():
            return error(400, "BAD_STUB_STATE", 'the body must be {"state": "<state name>"}')
        await run_in_threadpool(states.set, name, scenario, state)
        return JSONResponse({"stubSet": name, "scenario": scenario, "state": state})

    def reload(request: Request) -> Response:
        reloaded = registry.reload()
        return JSONResponse({"reloaded": reloaded,
                             "errors": {n: registry.error(n) for n in registry.names() if registry.error(n)}})

    e = admin_endpoint  # the JSON error contract: never a traceback
    return [
        Route("/stubs", e(list_sets), methods=["GET"]),
        Route("/stubs/state", e(reset_all), methods=["DELETE"]),
        Route("/stubs/reload", e(reload), methods=["POST"]),
        Route("/stubs/{name}/state", e(reset_one), methods=["DELETE"]),
        Route("/stubs/{name}/state/{scenario}", e(set_state), methods=["PUT"]),
    ]
