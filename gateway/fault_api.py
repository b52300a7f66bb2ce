"""Admin JSON API of fault injection: list, add, remove and reset the gateway's fault rules.

Routes are relative (``/faults…``); the server mounts them under ``/admin`` behind the admin
guard. Rules are stored in the database, so a rule posted to one worker applies to all.
Database calls are blocking: plain handlers run in Starlette's thread pool, and the one that
must read a body (POST) hands its database work to the pool.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.json_api import DEFAULT_MAX_BODY, not_found, read_json, refused

from .admin_api import admin_endpoint
from .fault_injection import API_NAMES, FaultInjector, FaultRuleError, rule_from_mapping


def routes(injector: FaultInjector, *, max_body: int = DEFAULT_MAX_BODY) -> list[BaseRoute]:
    """The fault rules' admin routes, relative to the mount point (``/admin``)."""

    def list_rules(request: Request) -> Response:
        return JSONResponse({"items": [r.to_dict() for r in injector.list()]})

    async def add_rule(request: Request) -> Response:
        body = await read_json(request, limit=max_body)
        if not isinstance(body, dict):
            raise refused("BAD_FAULT_RULE", "the body must be a JSON object of rule fields")
        try:
            rule = rule_from_mapping(body, source="api", names=API_NAMES)
        except FaultRuleError as exc:
            raise refused(exc.code, str(exc), field=exc.field) from None
        rule = await run_in_threadpool(injector.add, rule)
        return JSONResponse(rule.to_dict(), status_code=201,
                            headers={"Location": str(request.url_for("fault_rule", rule_id=rule.id))})

    def get_rule(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        rule = injector.get(rule_id)
        if rule is None:
            raise not_found("FAULT_RULE_NOT_FOUND", f"no fault rule {rule_id}")
        return JSONResponse(rule.to_dict())

    def remove_rule(request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not injector.remove(rule_id):
            raise not_found("FAULT_RULE_NOT_FOUND", f"no fault rule {rule_id}")
        return JSONResponse({"removed": rule_id})

    def reset(request: Request) -> Response:
        return JSONResponse({"deleted": injector.reset()})

    e = admin_endpoint
    return [
        Route("/faults", e(list_rules), methods=["GET"]),
        Route("/faults", e(add_rule), methods=["POST"]),
        Route("/faults", e(reset), methods=["DELETE"]),
        Route("/faults/{rule_id:int}", e(get_rule), methods=["GET"], name="fault_rule"),
        Route("/faults/{rule_id:int}", e(remove_rule), methods=["DELETE"]),
    ]
