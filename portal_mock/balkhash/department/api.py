"""The department's JSON API (mounted at ``/balkhash/uo``), described by openapi.py.

Bodies are validated against the published schemas before anything runs; every error is
``{"error": {"code", "message", "field"?, …}}``, never a traceback; staff see only the cases
of their office (and, in the УО, of their unit): another's answers 404 like a missing one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from egov_sim.adapters.social import RegisterError
from egov_sim.adapters.social.income import housing_share, per_capita_income, previous_quarter
from egov_sim.core.auth import Accounts, AuthError, Throttled, bearer_token
from egov_sim.core.clock import ALMATY, Clock
from egov_sim.core.database import DatabaseError
from egov_sim.core.errors import InputError
from egov_sim.core.json_api import DEFAULT_MAX_BODY, ApiError, read_json, with_fallback
from egov_sim.reference import balkhash_services as bs

from . import cases_store as cs
from . import chains, openapi
from . import documents as docs
from .actions import Department
from .cases_store import Case
from .errors import BadParameter, DeptError, NotFound
from .exchange import RegistrySender
from .register_desk import RegisterDesk
from .staff import OFFICES, STAFF, StaffMember, ensure_account

log = logging.getLogger("egov_sim.balkhash.uo")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(ALMATY).isoformat(timespec="seconds") if value else None


Handler = Callable[[Request, StaffMember, Any], Awaitable[Response]]


@dataclass
class DepartmentApi:
    department: Department
    desk: RegisterDesk
    accounts: Accounts
    sender: RegistrySender
    clock: Clock
    base_path: str = "/balkhash/uo"
    max_body: int = DEFAULT_MAX_BODY

    # --- plumbing ----------------------------------------------------------------------------

    def endpoint(self, handler: Handler, *, body: str | None = None, auth: bool = True):
        async def run(request: Request) -> Response:
            try:
                member = await self._member(request) if auth else None
                payload = await self._body(request, body) if body else None
                return await handler(request, member, payload)
            except DeptError as exc:
                headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
                return JSONResponse(exc.to_json(), status_code=exc.status, headers=headers)
            except ApiError as exc:  # the shared toolkit: body cap, media type, JSON
                return exc.response()
            except RegisterError as exc:
                return JSONResponse({"error": {"code": exc.code, "message": str(exc), "field": exc.field}},
                                    status_code=exc.status)
            except InputError as exc:
                return JSONResponse({"error": {"code": exc.code, "message": str(exc)}}, status_code=422)
            except DatabaseError:
                log.exception("Balkhash УО: database failure")
                return JSONResponse({"error": {"code": "DATABASE_UNAVAILABLE", "message": "the database is unavailable"}},
                                    status_code=503)
            except Exception:  # the contract: JSON, never a traceback
                log.exception("Balkhash УО: unexpected failure")
                return JSONResponse({"error": {"code": "INTERNAL_ERROR", "message": "internal error"}}, status_code=500)

        run.__name__ = handler.__name__
        return run

    async def _member(self, request: Request) -> StaffMember:
        token = bearer_token(request.headers.get("authorization"))
        account = await asyncio.to_thread(self.accounts.session, token) if token else None
        member = STAFF.get(account.login) if account else None
        if member is None:
            raise DeptError("sign in first (POST /balkhash/uo/session); the session is missing, unknown or expired",
                            code="UNAUTHENTICATED", status=401)
        return member

    async def _body(self, request: Request, schema: str) -> Any:
        payload = await read_json(request, limit=self.max_body, required=False)
        problem = openapi.first_error(schema, payload)
        if problem is not None:
            raise DeptError(f"{problem[0]}: {problem[1]}", code="INVALID_BODY", status=422, field=problem[0],
                            schema=schema, details=openapi.problems(schema, payload))
        return payload

    @staticmethod
    def _query(request: Request, allowed: set[str]) -> dict:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise BadParameter(f"unknown query parameter(s) {', '.join(unknown)}; allowed: "
                               f"{', '.join(sorted(allowed))}", field=unknown[0])
        return dict(request.query_params)

    @staticmethod
    def _int(q: dict, name: str, default: int, low: int, high: int) -> int:
        raw = q.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadParameter(f"{name} must be an integer", field=name) from None
        if not low <= value <= high:
            raise BadParameter(f"{name} must be between {low} and {high}", field=name)
        return value

    @staticmethod
    def _date(q: dict, name: str, default: dt.date) -> dt.date:
        raw = q.get(name)
        if not raw:
            return default
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise BadParameter(f"{name} must be a date YYYY-MM-DD", field=name) from None

    def today(self) -> dt.date:
        return self.clock().astimezone(ALMATY).date()

    # --- views -------------------------------------------------------------------------------

    def case_json(self, case: Case, member: StaffMember | None = None) -> dict:
        service = bs.service(case.service)
        steps = self.department.chain_of(case)
        nxt = self.department.next_step(case)
        due = dt.date.fromisoformat(case.due_on)
        return {
            "number": case.number, "service": case.service, "serviceCode": service.code, "serviceName": service.name_ru,
            "channel": case.channel, "office": case.office, "originOffice": case.origin_office, "state": case.state,
            "nextStep": nxt.to_json() if nxt else None,
            "awaitingYou": bool(member and self.department.awaiting(member, case)),
            "chain": [{**s.to_json(), "done": i < case.step or case.state == cs.COMPLETED} for i, s in enumerate(steps)],
            "applicant": case.applicant, "representative": case.representative, "subjectIin": case.subject_iin,
            "category": case.category, "subtype": case.subtype, "flags": sorted(case.flag_set),
            "documentsPresented": case.documents, "missingDocuments": case.missing, "form": case.form,
            "appliedOn": case.applied_on, "registeredAt": case.registered_at, "dueOn": case.due_on,
            "overdue": case.state == cs.IN_PROGRESS and self.today() > due,
            "journalNumber": case.journal_number, "akimJournalNumber": case.akim_journal_number,
            "talon": case.talon_number, "executor": case.executor, "conApplication": case.con_application,
            "conRegistry": case.con_registry, "outcome": case.outcome, "grounds": case.grounds, "reason": case.reason,
            "work": case.work, "resultDocuments": case.result_documents, "assignment": case.assignment,
            "completedAt": case.completed_at,
        }

    # --- meta --------------------------------------------------------------------------------

    async def openapi_doc(self, request, member, _):
        return JSONResponse(openapi.document(request.scope.get("root_path", "") or self.base_path))

    async def services(self, request, member, _):
        return JSONResponse({"services": [s.to_json() for s in bs.SERVICES.values()]})

    async def service(self, request, member, _):
        try:
            s = bs.service(request.path_params["service"])
        except bs.UnknownService as exc:
            raise NotFound(str(exc), code="SERVICE_NOT_FOUND") from None
        return JSONResponse({**s.to_json(), "chains": {c: [st.to_json() for st in chains.chain(
            s.number, c, self.department.readings)] for c in s.channels}})

    async def readings(self, request, member, _):
        return JSONResponse(self.department.readings.to_json())

    async def staff(self, request, member, _):
        return JSONResponse({"offices": [{"code": o.code, "name": o.name_ru, "address": o.address, "kind": o.kind}
                                         for o in OFFICES.values()],
                             "staff": [m.to_json() for m in STAFF.values()]})

    # --- session -----------------------------------------------------------------------------

    async def login(self, request, _, body):
        try:
            await asyncio.to_thread(ensure_account, self.accounts, body["login"])
            session = await asyncio.to_thread(self.accounts.login, body["login"], body["password"])
        except Throttled as exc:
            raise DeptError(str(exc), code=exc.code, status=429) from None
        except AuthError as exc:
            raise DeptError(str(exc), code=exc.code, status=401) from None
        return JSONResponse({"token": session.token, "expiresAt": _iso(session.expires_at),
                             "member": STAFF[session.account.login].to_json()})

    async def me(self, request, member, _):
        return JSONResponse(member.to_json())

    async def logout(self, request, member, _):
        await asyncio.to_thread(self.accounts.logout, bearer_token(request.headers.get("authorization")))
        return Response(status_code=204)

    # --- cases -------------------------------------------------------------------------------

    async def list_cases(self, request, member, _):
        q = self._query(request, {"state", "service", "awaiting", "applicant", "limit", "offset"})
        where, params = self.department.visibility_sql(member)
        if q.get("state"):
            if q["state"] not in cs.STATES:
                raise BadParameter(f"state must be one of {', '.join(cs.STATES)}", field="state")
            where += " AND state = ?"
            params.append(q["state"])
        if q.get("service"):
            where += " AND service = ?"
            params.append(self._int(q, "service", 0, 1, 15))
        if q.get("applicant"):
            where += " AND applicant_iin = ?"
            params.append(q["applicant"])
        if q.get("awaiting") not in (None, "me"):
            raise BadParameter("awaiting must be 'me'", field="awaiting")
        limit, offset = self._int(q, "limit", 100, 1, 500), self._int(q, "offset", 0, 0, 10 ** 9)
        found = await asyncio.to_thread(self.department.store.list, where=where, params=params,
                                        limit=limit if not q.get("awaiting") else 10_000, offset=offset)
        if q.get("awaiting"):
            found = [c for c in found if self.department.awaiting(member, c)][:limit]
        return JSONResponse({"cases": [self.case_json(c, member) for c in found]})

    async def accept(self, request, member, body):
        case = await asyncio.to_thread(self.department.accept, member, body)
        return JSONResponse(self.case_json(case, member), status_code=201)

    async def get_case(self, request, member, _):
        case = await asyncio.to_thread(self.department.find, member, request.path_params["number"])
        return JSONResponse(self.case_json(case, member))

    async def history(self, request, member, _):
        case = await asyncio.to_thread(self.department.find, member, request.path_params["number"])
        entries, previous = [], None
        for h in await asyncio.to_thread(self.department.store.history, case.number):
            entries.append({**h, "at": _iso(h["at"]),
                            "elapsedSeconds": (h["at"] - previous).total_seconds() if previous else None})
            previous = h["at"]
        return JSONResponse({"number": case.number, "dueOn": case.due_on, "entries": entries})

    async def assessment(self, request, member, _):
        case = await asyncio.to_thread(self.department.find, member, request.path_params["number"])
        a = await asyncio.to_thread(self.department.assess, case)
        return JSONResponse(a.to_json())

    async def case_documents(self, request, member, _):
        case = await asyncio.to_thread(self.department.find, member, request.path_params["number"])
        found = await asyncio.to_thread(self.department.store.documents_of, case.number)
        return JSONResponse({"documents": [self._doc_json(d) for d in found]})

    def step(self, verb: str):
        async def handler(request, member, body):
            case = await asyncio.to_thread(self.department.act, member, request.path_params["number"], verb, body)
            return JSONResponse(self.case_json(case, member))
        handler.__name__ = f"step_{verb}"
        return handler

    async def return_case(self, request, member, body):
        case, transfer = await asyncio.to_thread(self.department.return_case, member, request.path_params["number"], body)
        delivery = await self.sender.send(transfer)
        return JSONResponse({"case": self.case_json(case, member), "transfer": delivery})

    async def suspend(self, request, member, body):
        case = await asyncio.to_thread(self.department.suspend, member, request.path_params["number"], body)
        return JSONResponse(self.case_json(case, member))

    async def resume(self, request, member, body):
        case = await asyncio.to_thread(self.department.resume, member, request.path_params["number"], body)
        return JSONResponse(self.case_json(case, member))

    async def archive(self, request, member, body):
        case = await asyncio.to_thread(self.department.archive, member, request.path_params["number"])
        return JSONResponse(self.case_json(case, member))

    # --- transfers ---------------------------------------------------------------------------

    async def transfers(self, request, member, _):
        q = self._query(request, {"direction", "status", "limit", "offset"})
        if q.get("direction") not in (None, cs.INCOMING, cs.OUTGOING):
            raise BadParameter("direction must be INCOMING or OUTGOING", field="direction")
        found = await asyncio.to_thread(self.department.store.transfers, direction=q.get("direction"),
                                        status=q.get("status"), limit=self._int(q, "limit", 100, 1, 500),
                                        offset=self._int(q, "offset", 0, 0, 10 ** 9))
        return JSONResponse({"transfers": [self._transfer_json(t) for t in found]})

    @staticmethod
    def _transfer_json(t) -> dict:
        out = t.to_json()
        out["createdAt"], out["sentAt"], out["receivedAt"] = _iso(t.created_at), _iso(t.sent_at), _iso(t.received_at)
        return out

    async def transfer(self, request, member, _):
        t = await asyncio.to_thread(self.department.store.transfer, request.path_params["number"])
        if t is None:
            raise NotFound(f"no реестр {request.path_params['number']}", code="TRANSFER_NOT_FOUND")
        return JSONResponse(self._transfer_json(t))

    async def receive_transfer(self, request, member, _):
        created = await asyncio.to_thread(self.department.receive_transfer, member, request.path_params["number"])
        return JSONResponse({"cases": [self.case_json(c, member) for c in created]}, status_code=201)

    async def dispatch(self, request, member, body):
        cases, transfer = await asyncio.to_thread(self.department.dispatch, member, body["cases"])
        delivery = await self.sender.send(transfer)
        return JSONResponse({"cases": [self.case_json(c, member) for c in cases], "transfer": delivery},
                            status_code=201)

    async def send_transfer(self, request, member, _):
        number = request.path_params["number"]
        t = await asyncio.to_thread(self.department.store.transfer, number)
        if t is None or t.direction != cs.OUTGOING:
            raise NotFound(f"no outgoing реестр {number}", code="TRANSFER_NOT_FOUND")
        return JSONResponse(await self.sender.send(number))

    # --- documents ---------------------------------------------------------------------------

    def _doc_json(self, d) -> dict:
        return {"number": d.number, "kind": d.kind, "caseNumber": d.case_number, "title": d.title,
                "fields": d.fields, "createdAt": _iso(d.created_at), "createdBy": d.created_by, "signedBy": d.signed_by,
                "electronic": d.signed_xml is not None,
                "html": f"{self.base_path}/documents/{d.number}/html"}

    async def _doc(self, member: StaffMember, number: str):
        d = await asyncio.to_thread(self.department.store.document, number)
        if d is None:
            raise NotFound(f"no document {number}", code="DOCUMENT_NOT_FOUND")
        if d.case_number is not None:
            await asyncio.to_thread(self.department.find, member, d.case_number)  # 404 when not yours
        return d

    async def document(self, request, member, _):
        return JSONResponse(self._doc_json(await self._doc(member, request.path_params["number"])))

    async def document_html(self, request, member, _):
        d = await self._doc(member, request.path_params["number"])
        return HTMLResponse(docs.render_html(d.number, d.fields))

    async def document_xml(self, request, member, _):
        d = await self._doc(member, request.path_params["number"])
        if d.signed_xml is None:
            raise NotFound(f"document {d.number} is paper only (reading electronic_results does not cover service "
                           "or kind)", code="NOT_ELECTRONIC")
        return Response(d.signed_xml, media_type="application/xml")

    # --- registers ---------------------------------------------------------------------------

    async def person(self, request, member, _):
        q = self._query(request, {"on"})
        iin = request.path_params["iin"]
        on = self._date(q, "on", self.today())
        regs = self.desk.registers
        if await asyncio.to_thread(regs.persons.get, iin) is None:
            raise NotFound(f"{iin} is not in ГБД ФЛ", code="PERSON_NOT_FOUND", field="iin")
        summary = await asyncio.to_thread(regs.person_summary, iin, on)
        summary["history"] = await asyncio.to_thread(regs.history, iin)
        return JSONResponse(summary)

    async def assess_person(self, request, member, _):
        q = self._query(request, {"service", "on", "subject", "subtype", "flags", "socialStatus"})
        if not q.get("service"):
            raise BadParameter("service is required", field="service")
        service = self._int(q, "service", 0, 1, 15)
        flags = [f for f in (q.get("flags") or "").split(",") if f]
        for f in flags:
            if f not in bs.FLAGS:
                raise BadParameter(f"unknown flag {f!r}", field="flags")
        form = {"socialStatus": q["socialStatus"]} if q.get("socialStatus") else {}
        a = await asyncio.to_thread(self.desk.assess, service, request.path_params["iin"],
                                    self._date(q, "on", self.today()), subject=q.get("subject"),
                                    subtype=q.get("subtype"), flags=flags, form=form)
        return JSONResponse(a.to_json())

    async def thresholds(self, request, member, _):
        return JSONResponse(self.desk.registers.thresholds.to_json())

    async def unemployed(self, request, member, _):
        q = self._query(request, {"on", "limit", "offset"})
        on = self._date(q, "on", None) if q.get("on") else None
        found = await asyncio.to_thread(self.desk.registers.unemployed.all, on=on,
                                        limit=self._int(q, "limit", 200, 1, 1000), offset=self._int(q, "offset", 0, 0, 10 ** 9))
        return JSONResponse({"registrations": [r.to_json() for r in found]})

    def _write(self, fn, *args, status: int = 200, many: bool = False):
        async def go(request, member, body):
            params = [request.path_params[a] for a in args]
            if "id" in args:
                params = [int(p) if a == "id" else p for a, p in zip(args, params)]
            result = await asyncio.to_thread(fn, member, *params, *([body] if body is not None else []))
            if many:
                return JSONResponse({"items": [r.to_json() for r in result]}, status_code=status)
            return JSONResponse(result.to_json(), status_code=status)
        go.__name__ = getattr(fn, "__name__", "write")
        return go

    async def households(self, request, member, _):
        q = self._query(request, {"iin", "limit", "offset"})
        h = self.desk.registers.households
        if q.get("iin"):
            found = await asyncio.to_thread(h.household_of, q["iin"])
            return JSONResponse({"households": [found.to_json()] if found else []})
        found = await asyncio.to_thread(h.list, limit=self._int(q, "limit", 200, 1, 1000),
                                        offset=self._int(q, "offset", 0, 0, 10 ** 9))
        return JSONResponse({"households": [x.to_json() for x in found]})

    async def household(self, request, member, _):
        q = self._query(request, {"on"})
        found = await asyncio.to_thread(self.desk.registers.households.get, int(request.path_params["id"]))
        if found is None:
            raise NotFound(f"no household {request.path_params['id']}", code="HOUSEHOLD_NOT_FOUND")
        on = self._date(q, "on", self.today())
        period = previous_quarter(on)
        t = self.desk.registers.thresholds.for_year(on.year)
        return JSONResponse({**found.to_json(), "on": on.isoformat(),
                             "perCapita": per_capita_income(found, period).to_json(),
                             "housing": housing_share(found, period, t.housing_share).to_json()})

    async def assignments(self, request, member, _):
        q = self._query(request, {"service", "status", "iin", "limit", "offset"})
        p = self.desk.registers.payments
        if q.get("iin"):
            found = await asyncio.to_thread(p.for_person, q["iin"])
        else:
            found = await asyncio.to_thread(p.list, service=self._int(q, "service", 0, 1, 15) if q.get("service") else None,
                                            status=q.get("status"), limit=self._int(q, "limit", 200, 1, 1000),
                                            offset=self._int(q, "offset", 0, 0, 10 ** 9))
        return JSONResponse({"assignments": [a.to_json() for a in found]})

    async def assignment(self, request, member, _):
        a = await asyncio.to_thread(self.desk.registers.payments.get, request.path_params["number"])
        if a is None:
            raise NotFound(f"no assignment {request.path_params['number']}", code="ASSIGNMENT_NOT_FOUND")
        return JSONResponse(a.to_json())

    # --- routes ------------------------------------------------------------------------------

    async def review_assignment(self, request, member, _):
        a = await asyncio.to_thread(self.desk.review, member, request.path_params["number"])
        return JSONResponse(a.to_json())

    def routes(self) -> list[BaseRoute]:
        e, d = self.endpoint, self.desk
        routes: list[BaseRoute] = [
            Route("/openapi.json", e(self.openapi_doc, auth=False), methods=["GET"]),
            Route("/services", e(self.services), methods=["GET"]),
            Route("/services/{service}", e(self.service), methods=["GET"]),
            Route("/readings", e(self.readings), methods=["GET"]),
            Route("/staff", e(self.staff), methods=["GET"]),
            Route("/session", e(self.login, auth=False, body="login"), methods=["POST"]),
            Route("/session", e(self.me), methods=["GET"]),
            Route("/session", e(self.logout), methods=["DELETE"]),
            Route("/cases", e(self.list_cases), methods=["GET"]),
            Route("/cases", e(self.accept, body="intake"), methods=["POST"]),
            Route("/cases/{number}", e(self.get_case), methods=["GET"]),
            Route("/cases/{number}/history", e(self.history), methods=["GET"]),
            Route("/cases/{number}/assessment", e(self.assessment), methods=["GET"]),
            Route("/cases/{number}/documents", e(self.case_documents), methods=["GET"]),
            Route("/cases/{number}/return", e(self.return_case, body="return"), methods=["POST"]),
            Route("/cases/{number}/suspend", e(self.suspend, body="suspend"), methods=["POST"]),
            Route("/cases/{number}/resume", e(self.resume, body="resume"), methods=["POST"]),
            Route("/cases/{number}/archive", e(self.archive, body="empty"), methods=["POST"]),
            Route("/transfers", e(self.transfers), methods=["GET"]),
            Route("/transfers", e(self.dispatch, body="dispatch"), methods=["POST"]),
            Route("/transfers/{number}", e(self.transfer), methods=["GET"]),
            Route("/transfers/{number}/receive", e(self.receive_transfer, body="empty"), methods=["POST"]),
            Route("/transfers/{number}/send", e(self.send_transfer, body="empty"), methods=["POST"]),
            Route("/documents/{number}", e(self.document), methods=["GET"]),
            Route("/documents/{number}/html", e(self.document_html), methods=["GET"]),
            Route("/documents/{number}/xml", e(self.document_xml), methods=["GET"]),
            Route("/registers/persons/{iin}", e(self.person), methods=["GET"]),
            Route("/registers/persons/{iin}/assessment", e(self.assess_person), methods=["GET"]),
            Route("/registers/thresholds", e(self.thresholds), methods=["GET"]),
            Route("/registers/unemployed", e(self.unemployed), methods=["GET"]),
            Route("/registers/unemployed", e(self._write(d.register_unemployed, status=201), body="unemployed"),
                  methods=["POST"]),
            Route("/registers/unemployed/{iin}/deregister", e(self._write(d.deregister_unemployed, "iin"),
                                                             body="deregister"), methods=["POST"]),
            Route("/registers/unemployed/{iin}/events", e(self._write(d.employment_event, "iin", status=201),
                                                         body="event"), methods=["POST"]),
            Route("/registers/households", e(self.households), methods=["GET"]),
            Route("/registers/households", e(self._write(d.create_household, status=201), body="household"),
                  methods=["POST"]),
            Route("/registers/households/{id:int}", e(self.household), methods=["GET"]),
            Route("/registers/households/{id:int}/members", e(self._write(d.add_member, "id", status=201),
                                                              body="member"), methods=["POST"]),
            Route("/registers/households/{id:int}/expenses", e(self._write(d.set_expenses, "id", many=True),
                                                               body="expenses"), methods=["PUT"]),
            Route("/registers/members/{iin}", e(self._write(d.update_member, "iin"), body="memberUpdate"),
                  methods=["PUT"]),
            Route("/registers/members/{iin}", e(self._remove_member), methods=["DELETE"]),
            Route("/registers/incomes", e(self._write(d.set_incomes, many=True), body="incomes"), methods=["PUT"]),
            Route("/registers/compensations", e(self._write(d.compensation, status=201), body="compensation"),
                  methods=["POST"]),
            Route("/registers/assignments", e(self.assignments), methods=["GET"]),
            Route("/registers/assignments/{number}", e(self.assignment), methods=["GET"]),
            Route("/registers/assignments/{number}/confirm", e(self._write(d.confirm_quarter, "number"),
                                                               body="confirm"), methods=["POST"]),
            Route("/registers/assignments/{number}/review", e(self.review_assignment), methods=["GET"]),
            Route("/registers/assignments/{number}/terminate", e(self._write(d.terminate, "number"),
                                                                 body="terminate"), methods=["POST"]),
            Route("/registers/assignments/{number}/suspend", e(self._write(d.suspend, "number"),
                                                               body="assignSuspend"), methods=["POST"]),
            Route("/registers/assignments/{number}/resume", e(self._write(d.resume, "number"),
                                                              body="assignResume"), methods=["POST"]),
        ]
        for kind in ("disabilities", "iprs", "contraindications", "statuses"):
            routes.append(Route(f"/registers/medical/{{iin}}/{kind}",
                                e(self._medical(kind), body=kind), methods=["POST"]))
        for verb in chains.VERBS:
            if verb not in ("accept", "dispatch"):
                routes.append(Route(f"/cases/{{number}}/{verb}", e(self.step(verb), body=f"step:{verb}"),
                                    methods=["POST"]))
        return with_fallback(routes)

    async def _remove_member(self, request, member, _):
        h = await asyncio.to_thread(self.desk.remove_member, member, request.path_params["iin"])
        return JSONResponse(h.to_json())

    def _medical(self, kind: str):
        async def go(request, member, body):
            result = await asyncio.to_thread(self.desk.medical, member, request.path_params["iin"], kind, body)
            return JSONResponse(result.to_json(), status_code=201)
        go.__name__ = f"medical_{kind}"
        return go
