"""Admin JSON API of ГБД ФЛ's person registry: search, read, replace and delete persons.

Routes are relative (``/persons…``); the server mounts them under ``/admin`` behind the gateway's
``AdminGuard`` (loopback only, or a bearer token). Reads and deletes are plain functions, which
Starlette runs in its thread pool (the database is blocking); ``PUT`` reads its body
asynchronously, then does the same. Errors are the shared body of egov_sim.core.json_api,
``{"error": {"code", "message", "field"?}}``: 400 ``BAD_PARAMETER`` for a query parameter that
is unknown or malformed and ``INVALID_IIN`` for an IIN in the path that is not one, 422 for a
record or a search a rule refuses (``INVALID_PERSON`` with the JSON field, ``TOO_MANY_RESULTS``),
404 ``PERSON_NOT_FOUND``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.core.errors import InputError
from egov_sim.core.json_api import (
    DEFAULT_MAX_BODY,
    ApiError,
    bad_parameter,
    check_params,
    endpoint,
    int_param,
    not_found,
    read_json,
    refused,
)
from egov_sim.reference.iin import parse_iin
from egov_sim.reference.person import Person, normalize_name
from egov_sim.reference.personas import PERSONAS

from .person_json import person_from_json, person_to_json
from .registry import MAX_SEARCH_LIMIT, PersonRegistry, TooManyResults

_SEARCH_PARAMS = {
    "surname": "surname", "name": "name", "patronymic": "patronymic", "birthDate": "birth_date",
    "birthDateFrom": "birth_date_from", "birthDateTo": "birth_date_to",
    "documentNumber": "document_number",
}
_DATE_PARAMS = {"birthDate", "birthDateFrom", "birthDateTo"}


def _admin(handler: Callable[[Request], Any]):
    """``handler`` under the JSON error contract (json_api.endpoint); a search that matches too
    many is refused like ГБД ФЛ refuses it (422 ``TOO_MANY_RESULTS``)."""

    def run(request: Request) -> Response:
        try:
            return handler(request)
        except TooManyResults as exc:
            raise refused("TOO_MANY_RESULTS", str(exc), limit=exc.limit,
                          foundAtLeast=exc.found_at_least) from None

    run.__name__ = handler.__name__
    return endpoint(run, system="admin API")


def _iin(iin: str) -> str:
    """An IIN of the path or the query; one that is not an IIN is a 400 ``INVALID_IIN`` (a
    malformed parameter: the request names no person at all)."""
    try:
        return parse_iin(iin).iin
    except InputError as exc:
        raise ApiError(400, exc.code, str(exc), field="iin") from None


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
                raise bad_parameter(f"{param} must be a date YYYY-MM-DD, got {value!r}",
                                    field=param) from None
        else:
            keys[attr] = value
    return keys


def routes(registry: PersonRegistry, *, max_body: int = DEFAULT_MAX_BODY) -> list[BaseRoute]:
    """The registry's admin routes, relative to the mount point (``/admin``)."""

    def list_persons(request: Request) -> Response:
        """``?iin=`` reads one; search keys search (like ГБД ФЛ); none: browse by insertion."""
        check_params(request, set(_SEARCH_PARAMS) | {"iin", "limit", "offset"})
        limit = int_param(request, "limit", 50, low=1, high=MAX_SEARCH_LIMIT)
        iin = request.query_params.get("iin")
        iin = _iin(iin) if iin else None
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

    def personas(request: Request) -> Response:
        check_params(request, set())
        return JSONResponse({"items": [
            {"key": p.key, "iin": p.iin, "role": p.role, "name": p.name,
             "description": p.description, "registered": registry.exists(p.iin)}
            for p in PERSONAS.values()]})

    def get_person(request: Request) -> Response:
        check_params(request, set())
        iin = _iin(request.path_params["iin"])
        person = registry.get(iin)
        if person is None:
            raise not_found("PERSON_NOT_FOUND", f"no person with IIN {iin} in ГБД ФЛ")
        return JSONResponse(person_to_json(person))

    async def put_person(request: Request) -> Response:
        iin = _iin(request.path_params["iin"])
        obj = await read_json(request, limit=max_body)

        def store() -> tuple[dict[str, Any], bool]:
            person = person_from_json(obj, iin=iin)
            created = not registry.exists(person.iin)
            registry.put(person)
            return person_to_json(registry.get(person.iin)), created

        stored, created = await run_in_threadpool(store)
        return JSONResponse(stored, status_code=201 if created else 200)

    def delete_person(request: Request) -> Response:
        check_params(request, set())
        iin = _iin(request.path_params["iin"])
        if not registry.delete(iin):
            raise not_found("PERSON_NOT_FOUND", f"no person with IIN {iin} in ГБД ФЛ")
        return JSONResponse({"deleted": iin})

    return [
        Route("/persons", _admin(list_persons), methods=["GET"]),
        Route("/persons/personas", _admin(personas), methods=["GET"]),
        Route("/persons/{iin}", _admin(get_person), methods=["GET"]),
        Route("/persons/{iin}", endpoint(put_person, system="admin API"), methods=["PUT"]),
        Route("/persons/{iin}", _admin(delete_person), methods=["DELETE"]),
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


def openapi_paths() -> dict:
    """The persons' paths for the admin API's OpenAPI document (gateway/admin_openapi.py)."""
    from egov_sim.core.openapi import error_responses, json_body, json_content
    from egov_sim.gateway.admin_openapi import op, path_param, query

    text = {"type": "string"}
    iin = path_param("iin", {"type": "string", "pattern": "^[0-9]{12}$"})
    search = [query(name, {"type": "string", "format": "date"} if name in _DATE_PARAMS else text)
              for name in _SEARCH_PARAMS]
    person = json_content({"type": "object"}, "the person")
    return {
        "/persons": {"get": op("Read, search or browse ГБД ФЛ persons",
                               {"200": json_content({"type": "object"}, "items"), **error_responses(400, 422)},
                               tag="persons", params=[query("iin", text), *search,
                                                      query("limit", {"type": "integer", "minimum": 1}),
                                                      query("offset", {"type": "integer", "minimum": 0})])},
        "/persons/personas": {"get": op("The scenario personas", {"200": json_content({"type": "object"}, "items")},
                                        tag="persons")},
        "/persons/{iin}": {
            "get": op("One person", {"200": person, **error_responses(400, 404)}, tag="persons", params=[iin]),
            "put": op("Add or replace a person", {"200": person, "201": person,
                                                  **error_responses(400, 413, 415, 422)},
                      tag="persons", params=[iin], body=json_body({"type": "object"})),
            "delete": op("Delete a person", {"200": json_content({"type": "object"}, "deleted"),
                                             **error_responses(400, 404)}, tag="persons", params=[iin]),
        },
    }

