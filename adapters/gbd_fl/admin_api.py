"""Admin JSON API of ГБД ФЛ's person registry: search, read, replace and delete persons.

Routes are relative (``/persons…``); the server mounts them under ``/admin`` behind the gateway's
``AdminGuard`` (loopback only, or a bearer token). Reads and deletes are plain functions, which
Starlette runs in its thread pool (the database is blocking); ``PUT`` reads its body
asynchronously, then does the same. Errors are ``{"error": {"code", "message", "field"?}}``:
400 for bad input (``INVALID_IIN``, ``INVALID_PERSON`` with the JSON field,
``TOO_MANY_RESULTS``…), 404 ``PERSON_NOT_FOUND``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from egov_sim.core.errors import InputError
from egov_sim.core.json_api import check_params, error, int_param

from egov_sim.reference.personas import PERSONAS
from .registry import MAX_SEARCH_LIMIT, PersonRegistry, TooManyResults, person_from_json, person_to_json
from egov_sim.reference.person import Person, normalize_name

_SEARCH_PARAMS = {
    "surname": "surname", "name": "name", "patronymic": "patronymic", "birthDate": "birth_date",
    "birthDateFrom": "birth_date_from", "birthDateTo": "birth_date_to",
    "documentNumber": "document_number",
}
_DATE_PARAMS = {"birthDate", "birthDateFrom", "birthDateTo"}


def _input_error(exc: InputError) -> JSONResponse:
    field = getattr(exc, "field", None)
    return error(400, exc.code, str(exc), **({"field": field} if field else {}))


def _handles_errors(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        try:
            return handler(request)
        except InputError as exc:
            return _input_error(exc)
        except TooManyResults as exc:
            return error(400, "TOO_MANY_RESULTS", str(exc), limit=exc.limit,
                          foundAtLeast=exc.found_at_least)

    endpoint.__name__ = handler.__name__
    return endpoint


def _search_keys(request: Request) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for param, attr in _SEARCH_PARAMS.items():
        value = request.query_params.get(param)
        if not value:
            continue
        if param in _DATE_PARAMS:
            try:
                keys[attr] = date.fromisoformat(value)
            except ValueError:
                raise InputError(f"{param} must be a date YYYY-MM-DD, got {value!r}",
                                 code="BAD_PARAMETER") from None
        else:
            keys[attr] = value
    return keys


def routes(registry: PersonRegistry) -> list[Route]:
    """The registry's admin routes, relative to the mount point (``/admin``)."""

    @_handles_errors
    def list_persons(request: Request) -> Response:
        """``?iin=`` reads one; search keys search (like ГБД ФЛ); none: browse by insertion."""
        check_params(request, set(_SEARCH_PARAMS) | {"iin", "limit", "offset"})
        limit = int_param(request, "limit", 50, low=1, high=MAX_SEARCH_LIMIT)
        iin = request.query_params.get("iin")
        keys = _search_keys(request)
        if iin:
            person = registry.get(iin)
            found = [] if person is None else [person]
            found = [p for p in found if _matches(p, keys)]
            return JSONResponse({"items": [person_to_json(p) for p in found], "limit": limit})
        if keys:
            found = registry.search(**keys, limit=limit)
            return JSONResponse({"items": [person_to_json(p) for p in found], "limit": limit})
        offset = int_param(request, "offset", 0, low=0, high=2**62)
        page = registry.page(offset=offset, limit=limit)
        return JSONResponse({"items": [person_to_json(p) for p in page], "limit": limit,
                             "offset": offset, "total": registry.count()})

    @_handles_errors
    def personas(request: Request) -> Response:
        check_params(request, set())
        return JSONResponse({"items": [
            {"key": p.key, "iin": p.iin, "role": p.role, "name": p.name,
             "description": p.description, "registered": registry.exists(p.iin)}
            for p in PERSONAS.values()]})

    @_handles_errors
    def get_person(request: Request) -> Response:
        check_params(request, set())
        iin = request.path_params["iin"]
        person = registry.get(iin)
        if person is None:
            return error(404, "PERSON_NOT_FOUND", f"no person with IIN {iin} in ГБД ФЛ")
        return JSONResponse(person_to_json(person))

    async def put_person(request: Request) -> Response:
        iin = request.path_params["iin"]
        body = await request.body()
        try:
            obj = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error(400, "BAD_JSON", f"the body is not JSON: {exc}")

        def store() -> tuple[dict[str, Any], bool]:
            person = person_from_json(obj, iin=iin)
            created = not registry.exists(person.iin)
            registry.put(person)
            return person_to_json(registry.get(person.iin)), created

        try:
            stored, created = await run_in_threadpool(store)
        except InputError as exc:
            return _input_error(exc)
        return JSONResponse(stored, status_code=201 if created else 200)

    @_handles_errors
    def delete_person(request: Request) -> Response:
        check_params(request, set())
        iin = request.path_params["iin"]
        if not registry.delete(iin):
            return error(404, "PERSON_NOT_FOUND", f"no person with IIN {iin} in ГБД ФЛ")
        return JSONResponse({"deleted": iin})

    return [
        Route("/persons", list_persons, methods=["GET"]),
        Route("/persons/personas", personas, methods=["GET"]),
        Route("/persons/{iin}", get_person, methods=["GET"]),
        Route("/persons/{iin}", put_person, methods=["PUT"]),
        Route("/persons/{iin}", delete_person, methods=["DELETE"]),
    ]


def _matches(person: Person, keys: dict[str, Any]) -> bool:
    """Whether a person read by IIN also fits the other keys (``?iin=…&surname=…``)."""
    for attr in ("surname", "name", "patronymic"):
        if attr in keys and normalize_name(keys[attr]) != getattr(person, attr):
            return False
    if "birth_date" in keys and person.birth_date != keys["birth_date"]:
        return False
    if "birth_date_from" in keys and person.birth_date < keys["birth_date_from"]:
        return False
    if "birth_date_to" in keys and person.birth_date > keys["birth_date_to"]:
        return False
    if "document_number" in keys:
        number = keys["document_number"].strip().upper()
        if all(d.number != number for d in person.documents):
            return False
    return True
