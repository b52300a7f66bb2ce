"""The 2012 ЦОН's acts: the electronic queue, acceptance with the расписка or the receipt of
refusal, the накопительный сектор and its реестры, the results received, informing, issue.

Seed 001 (services 2-6, 11-13): documents are accepted through the "окна" in an "электронная"
очередь; on acceptance the applicant gets a расписка with the number and date of the
application, the service, the number and names of the documents, the date, time and place of
issue and the inspector's name (service 11 adds the applicant's and the representative's names
and phones); an incomplete package gets a расписка listing the missing documents (service 11
§10); the накопительный сектор makes the реестр and sends the documents to the УО; results come
back by реестр and the сектор выдачи hands them over. The day of acceptance and the day of issue
are outside the term (the date on the расписка: the term model, reference/balkhash_terms.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from lxml import etree

from egov_sim.core.clock import ALMATY, Clock
from egov_sim.core.database import Database, IntegrityError
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference import balkhash_terms as bt
from egov_sim.reference.balkhash_services import CON, BalkhashService, Readings
from egov_sim.reference.iin import InvalidNumber, parse_iin

from .. import registry_wire as wire
from ..paper import render_html
from . import store as st
from .staff import ACCUMULATION, CENTRE_ADDRESS, CENTRE_NAME, CENTRE_PHONE, CONSULTANT, INSPECTOR, ISSUING, Employee
from .store import Application, ConStore

INFORM_SERVICE = 11
"""Service 11 §10: on a return or a refusal the ЦОН informs the applicant "в течение 1 (одного)
рабочего дня" (its term file's ``inform``) [applied to every service with a ЦОН channel: inferred]."""


class ConError(Exception):
    def __init__(self, status: int, code: str, message: str, *, field: str | None = None, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.extra = status, code, message, field, extra

    def to_json(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        body.update({k: v for k, v in self.extra.items() if v is not None})
        return {"error": body}


def _bad(message: str, field: str, code: str = "INVALID_FIELD") -> ConError:
    """A field of the body that a rule refuses: 422, like every JSON API of the simulator."""
    return ConError(422, code, message, field=field)


def _local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(ALMATY)


def _iso(at: dt.datetime) -> str:
    return _local(at).isoformat(timespec="seconds")


def _paper_fields(title: str, date: dt.date, rows: list[tuple[str, str]], paragraphs: Iterable[str] = (),
                  employee: Employee | None = None) -> dict:
    out = {"title": title, "office": {"name": CENTRE_NAME, "address": CENTRE_ADDRESS, "phone": CENTRE_PHONE},
           "date": date.isoformat(), "rows": [[a, b] for a, b in rows], "paragraphs": list(paragraphs)}
    if employee is not None:
        out["signature"] = {"position": employee.position, "name": employee.full_name,
                            "short": f"{employee.surname} {employee.given_name[0]}.{employee.patronymic[0]}.",
                            "login": employee.login, "signedAt": None}
    return out


class Centre:
    def __init__(self, db: Database, store: ConStore, clock: Clock, readings: Readings):
        self.db, self.store, self.clock, self.readings = db, store, clock, readings

    def _require(self, employee: Employee, *roles: str) -> None:
        if employee.role not in roles:
            raise ConError(403, "WRONG_ROLE", f"this is for the {' or '.join(roles)}; {employee.login} is "
                           f"{employee.role}", requiredRole=roles[0])

    def _open(self, service: BalkhashService, at: dt.datetime) -> None:
        schedule = service.schedule(CON)
        local = _local(at)
        if not schedule.is_open_at(local.replace(tzinfo=None)):
            raise ConError(409, "CENTRE_CLOSED", f"the centre does not serve service {service.number} at "
                           f"{local.strftime('%a %Y-%m-%d %H:%M')}: {schedule.name}", schedule=schedule.to_json())

    @staticmethod
    def service_of(value, field: str = "service") -> BalkhashService:
        try:
            service = bs.service(value)
        except (bs.UnknownService, TypeError):
            raise ConError(422, "UNKNOWN_SERVICE", f"unknown service {value!r}", field=field) from None
        if CON not in service.channels:
            raise ConError(422, "SERVICE_NOT_OFFERED", f"service {service.number} is not rendered through the ЦОН "
                           "(services 2-6, 11-13)", field=field)
        return service

    # ------------------------------------------------------------------------------------------
    # The electronic queue

    def take_ticket(self, body: dict) -> dict:
        service = self.service_of(body.get("service"))
        purpose = body.get("purpose", "submit")
        if purpose not in ("submit", "collect"):
            raise _bad("purpose must be submit or collect", "purpose")
        now = self.clock()
        self._open(service, now)
        day = _local(now).date().isoformat()
        norm = service.queues[CON]
        with self.db.transaction() as tx:
            ahead = len(self.store.tickets(day, status=st.WAITING, purpose=purpose, executor=tx))
            seq = self.store.next_number(tx, f"ticket:{day}:{purpose}", _local(now).year)
            number = f"{'A' if purpose == 'submit' else 'B'}-{seq:03d}"
            allowed = (norm.collect_wait_minutes if purpose == "collect" and norm.collect_wait_minutes
                       else norm.allowed_wait(ahead))
            return ticket_json(self.store.insert_ticket(
                tx, number=number, day=day, service=service.number, purpose=purpose, status=st.WAITING, taken_at=now,
                persons_ahead=ahead, allowed_wait=allowed))

    def call_next(self, employee: Employee, body: dict) -> dict:
        purpose = body.get("purpose", "collect" if employee.role == ISSUING else "submit")
        if purpose not in ("submit", "collect"):
            raise _bad("purpose must be submit or collect", "purpose")
        self._require(employee, *((ISSUING,) if purpose == "collect" else (CONSULTANT, INSPECTOR)))
        now = self.clock()
        day = _local(now).date().isoformat()
        with self.db.transaction() as tx:
            for t in self.store.tickets(day, status=st.WAITING, purpose=purpose, executor=tx):
                taken = dt.datetime.fromisoformat(t["taken_at"].replace("Z", "+00:00"))
                waited = round((now - taken).total_seconds() / 60, 1)
                if self.store.update_ticket(tx, t["id"], st.WAITING, status=st.CALLED, called_at=now,
                                            called_by=employee.login, window_no=employee.window, waited=waited):
                    return ticket_json(self.store.ticket(day, t["number"], tx))
                # another window called it a moment ago: the next one
            raise ConError(404, "QUEUE_EMPTY", f"nobody waits to {purpose}")

    def queue(self) -> dict:
        day = _local(self.clock()).date().isoformat()
        return {"day": day, "tickets": [ticket_json(t) for t in self.store.tickets(day)]}

    def _serve_ticket(self, tx, number: str | None, application: str, now: dt.datetime, purpose: str) -> dict | None:
        if not number:
            return None
        day = _local(now).date().isoformat()
        t = self.store.ticket(day, number, tx)
        if t is None or t["purpose"] != purpose:
            raise ConError(422, "UNKNOWN_TICKET", f"no {purpose} ticket {number} today", field="ticket")
        if t["status"] != st.CALLED:
            raise ConError(409, "TICKET_NOT_CALLED", f"ticket {number} is {t['status']}: call it first",
                           field="ticket")
        self.store.update_ticket(tx, t["id"], st.CALLED, status=st.SERVED, application=application)
        return {"ticket": number, "waitedMinutes": t["waited"], "allowedWaitMinutes": t["allowed_wait"],
                "waitExceeded": t["allowed_wait"] is not None and t["waited"] > t["allowed_wait"]}

    # ------------------------------------------------------------------------------------------
    # Acceptance

    def submit(self, employee: Employee, body: dict) -> Application:
        """The consultant registers the application in the journal (CONSULTED; services whose
        alternative process starts with the consultant), or the inspector accepts it at once."""
        self._require(employee, CONSULTANT, INSPECTOR)
        service = self.service_of(body.get("service"))
        now = self.clock()
        self._open(service, now)
        entry = _entry(service, body)
        missing = service.missing_documents(entry["documents"], category=entry["category"], channel=CON,
                                            subtype=entry["subtype"], flags=entry["flags"])
        entitled = entry["category"] in service.categories
        today = _local(now).date()
        with self.db.transaction() as tx:
            number = f"CON-BLH-{today.year}-{self.store.next_number(tx, 'application', today.year):06d}"
            queue = self._serve_ticket(tx, body.get("ticket"), number, now, "submit")
            app = self.store.insert(
                tx, number=number, service=service.number, status=st.CONSULTED, category=entry["category"],
                subtype=entry["subtype"], flags=",".join(sorted(entry["flags"])), applicant=entry["applicant"],
                representative=entry["representative"], subject_iin=entry["subject"], documents=entry["documents"],
                missing=[d.code for d in missing], form=entry["form"], accepted_at=_iso(now),
                accepted_by=employee.login, ticket=body.get("ticket"), updated_at=_iso(now))
            self.store.add_history(tx, number, event="REGISTERED_IN_JOURNAL", actor=employee.login, role=employee.role,
                                   at=now, from_status=None, to_status=st.CONSULTED,
                                   detail={"queue": queue, "documents": entry["documents"]})
            if not entitled or missing:
                return self._refuse(tx, app, employee, now, missing, entitled)
            if employee.role == INSPECTOR:
                return self._receipt(tx, app, employee, now)
            return app

    def accept(self, employee: Employee, number: str) -> Application:
        """The operating-hall inspector checks the package the consultant registered and gives the расписка."""
        self._require(employee, INSPECTOR)
        now = self.clock()
        with self.db.transaction() as tx:
            app = self._get(number, tx)
            self._open(bs.service(app.service), now)
            if app.status != st.CONSULTED:
                raise ConError(409, "WRONG_STATUS", f"application {number} is {app.status}", currentStatus=app.status)
            return self._receipt(tx, app, employee, now)

    def _refuse(self, tx, app: Application, employee: Employee, now: dt.datetime, missing, entitled: bool) -> Application:
        service = bs.service(app.service)
        today = _local(now).date()
        number = f"CON-BLH-OTK-{today.year}-{self.store.next_number(tx, 'refusal', today.year):06d}"
        rows = [("Номер заявления", app.number), ("Дата", today.isoformat()), ("Вид государственной услуги", service.name_ru),
                ("Заявитель", app.applicant.get("fullName", "")), ("ИИН", app.applicant.get("iin", ""))]
        if not entitled:
            rows.append(("Причина отказа в приеме", f"категория «{bs.CATEGORY_NAMES_RU[app.category]}» не относится к "
                                                     "потребителям услуги (п. 1 Регламента)"))
        rows += [(f"Недостающий документ {i + 1}", d.name_ru) for i, d in enumerate(missing)]
        rows.append(("Работник центра", employee.full_name))
        f = _paper_fields("Расписка об отказе в приеме документов (с указанием недостающих документов)", today, rows,
                          ["Выдана при отказе в приеме документов работником центра (пункт 10 Регламента)."], employee)
        self.store.add_paper(tx, number=number, kind="REFUSAL_RECEIPT", application=app.number, title=f["title"],
                             fields_=f, html=render_html(number, f).encode(), signed_xml=None, at=now, by=employee.login)
        updated = self.store.update(tx, app, (st.CONSULTED,), now, status=st.REFUSED_AT_INTAKE, receipt=number)
        self.store.add_history(tx, app.number, event="REFUSED_AT_INTAKE", actor=employee.login, role=employee.role,
                               at=now, from_status=app.status, to_status=st.REFUSED_AT_INTAKE,
                               detail={"receipt": number, "missing": [d.code for d in missing], "entitled": entitled})
        return updated

    def _receipt(self, tx, app: Application, employee: Employee, now: dt.datetime) -> Application:
        service = bs.service(app.service)
        today = _local(now).date()
        due = bt.result_due(service, CON, now, self.readings).date
        schedule = service.schedule(CON)
        names = [d for d in app.documents]
        rows = [("Номер заявления", app.number), ("Дата приема заявления", today.isoformat()),
                ("Вид запрашиваемой государственной услуги", service.name_ru),
                ("Количество приложенных документов", str(len(names))),
                ("Названия приложенных документов", ", ".join(_document_names(service, names))),
                ("Дата выдачи документов", due.isoformat()),
                ("Время выдачи документов", f"{schedule.opens.strftime('%H:%M')}-{schedule.closes.strftime('%H:%M')}"),
                ("Место выдачи документов", f"{CENTRE_ADDRESS}, сектор выдачи документов"),
                ("Инспектор центра, принявший заявление", employee.full_name)]
        if service.number == 11:  # §12: the applicant's and the representative's names and phones
            rows.append(("Получатель государственной услуги",
                         f"{app.applicant.get('fullName', '')}, тел. {app.applicant.get('phone') or '—'}"))
            if app.representative:
                rows.append(("Уполномоченный представитель", f"{app.representative.get('fullName', '')}, тел. "
                                                            f"{app.representative.get('phone') or '—'}"))
        f = _paper_fields("Расписка о приеме соответствующих документов", today, rows,
                          [f"Срок оказания услуги: {bt.term_text(service, CON, self.readings)}."], employee)
        self.store.add_paper(tx, number=f"{app.number}-R", kind="RECEIPT", application=app.number, title=f["title"],
                             fields_=f, html=render_html(f"{app.number}-R", f).encode(), signed_xml=None, at=now,
                             by=employee.login)
        updated = self.store.update(tx, app, (st.CONSULTED,), now, status=st.ACCEPTED, receipt=f"{app.number}-R",
                                    issue_date=due.isoformat())
        self.store.add_history(tx, app.number, event="RECEIPT_ISSUED", actor=employee.login, role=employee.role, at=now,
                               from_status=app.status, to_status=st.ACCEPTED,
                               detail={"receipt": f"{app.number}-R", "issueDate": due.isoformat(),
                                       "term": bt.term_text(service, CON, self.readings)})
        return updated

    def _get(self, number: str, tx=None) -> Application:
        app = self.store.get(number, tx)
        if app is None:
            raise ConError(404, "APPLICATION_NOT_FOUND", f"no application {number}")
        return app

    def handover(self, employee: Employee, number: str) -> Application:
        """The inspector passes the documents to the накопительный сектор."""
        self._require(employee, INSPECTOR)
        now = self.clock()
        with self.db.transaction() as tx:
            app = self._get(number, tx)
            updated = self._move(tx, app, (st.ACCEPTED,), st.IN_ACCUMULATION, employee, now, "HANDED_TO_ACCUMULATION")
            return updated

    def _move(self, tx, app, expect, status, employee, now, event, detail=None, **changes) -> Application:
        try:
            updated = self.store.update(tx, app, expect, now, status=status, **changes)
        except st.StatusConflict as exc:
            raise ConError(409, "WRONG_STATUS", str(exc), currentStatus=exc.status, expectedStatus=list(exc.expected)) \
                from None
        self.store.add_history(tx, app.number, event=event, actor=employee.login, role=employee.role, at=now,
                               from_status=app.status, to_status=status, detail=detail or {})
        return updated

    # ------------------------------------------------------------------------------------------
    # The накопительный сектор: реестры to the УО and from it

    def make_transfer(self, employee: Employee, numbers: list) -> tuple[list[Application], str]:
        self._require(employee, ACCUMULATION)
        if not isinstance(numbers, list) or not numbers or len(set(numbers)) != len(numbers):
            raise _bad("applications: a list of distinct application numbers", "applications")
        now = self.clock()
        today = _local(now).date()
        with self.db.transaction() as tx:
            apps = []
            for i, n in enumerate(numbers):
                app = self.store.get(n, tx)
                if app is None:
                    raise ConError(404, "APPLICATION_NOT_FOUND", f"no application {n}", field=f"applications[{i}]")
                if app.status != st.IN_ACCUMULATION:
                    raise ConError(409, "WRONG_STATUS", f"application {n} is {app.status}: only documents handed to the "
                                   "накопительный сектор go into a реестр", field=f"applications[{i}]",
                                   currentStatus=app.status)
                apps.append(app)
            if len({a.service for a in apps}) != 1:
                raise ConError(422, "MIXED_SERVICES", "one реестр per service [inferred]: the applications are of "
                               f"services {sorted({a.service for a in apps})}", field="applications")
            number = f"CON-BLH-REG-{today.year}-{self.store.next_number(tx, 'transfer', today.year):06d}"
            service = bs.service(apps[0].service)
            items = tuple(wire.Item(
                application=a.number, service=a.service, kind=wire.PACKAGE, accepted_at=a.accepted_at,
                issue_date=a.issue_date or "", category=a.category, subtype=a.subtype or "", flags=tuple(a.flag_list),
                applicant=a.applicant, representative=a.representative, subject_iin=a.subject_iin or "",
                documents=tuple((c, n) for c, n in zip(a.documents, _document_names(service, a.documents))),
                form=a.form) for a in apps)
            registry = wire.Registry(number, _iso(now), wire.CON_TO_UO, f"{employee.full_name}, {employee.position}",
                                     items)
            payload = etree.tostring(wire.to_xml(registry), encoding="UTF-8")
            self.store.add_transfer(tx, number=number, direction=st.OUTGOING, status=st.PENDING, service=service.number,
                                    items=[i.to_json() for i in items], payload=payload, at=now, by=employee.login)
            f = _paper_fields("Реестр передачи документов в уполномоченный орган", today,
                              [("Реестр", number), ("Государственная услуга", service.name_ru),
                               *[(f"{k + 1}. {a.number}", f"{a.applicant.get('fullName', '')}: {len(a.documents)} док.")
                                 for k, a in enumerate(apps)]], employee=employee)
            self.store.add_paper(tx, number=number, kind="REGISTRY", application=None, title=f["title"], fields_=f,
                                 html=render_html(number, f).encode(), signed_xml=None, at=now, by=employee.login)
            out = [self._move(tx, a, (st.IN_ACCUMULATION,), st.SENT, employee, now, "SENT_TO_UO", {"registry": number},
                              registry_out=number) for a in apps]
            return out, number

    def deliver_incoming(self, registry: wire.Registry, payload: bytes) -> tuple[str, bool]:
        """A реестр of results (or returns) from the УО arrived through ШЭП."""
        if registry.direction != wire.UO_TO_CON:
            raise wire.WireError("the centre accepts реестры UO_TO_CON only")
        for item in registry.items:
            if item.kind not in (wire.RESULT, wire.RETURN):
                raise wire.WireError(f"item {item.application}: the УО sends RESULT or RETURN items")
            app = self.store.get(item.application)
            if app is None:
                raise wire.WireError(f"item {item.application}: no such application in the centre")
        now = self.clock()
        try:
            with self.db.transaction() as tx:
                if self.store.transfer(registry.number, tx) is not None:
                    return registry.number, True
                items = []
                for item in registry.items:
                    for a in item.attachments:
                        if self.store.paper(a.number) is None:
                            self.store.add_paper(tx, number=a.number, kind=a.kind, application=item.application,
                                                 title=a.title, fields_=None, html=a.html, signed_xml=a.signed_xml,
                                                 at=now, by=registry.sender or wire.UO_SENDER)
                    items.append(item.to_json())
                self.store.add_transfer(tx, number=registry.number, direction=st.INCOMING, status=st.DELIVERED,
                                        service=registry.items[0].service, items=items, payload=payload, at=now,
                                        by=registry.sender or wire.UO_SENDER)
        except IntegrityError:
            return registry.number, True
        return registry.number, False

    def accept_transfer(self, employee: Employee, number: str) -> list[Application]:
        """The накопительный сектор takes the results of a реестр and passes them to the сектор выдачи."""
        self._require(employee, ACCUMULATION)
        now = self.clock()
        with self.db.transaction() as tx:
            t = self.store.transfer(number, tx)
            if t is None or t["direction"] != st.INCOMING:
                raise ConError(404, "TRANSFER_NOT_FOUND", f"no incoming реестр {number}")
            # The guarded UPDATE claims it (a row lock on PostgreSQL): one accepts, the other is told.
            if tx.execute("UPDATE con12_transfers SET status = ? WHERE number = ? AND status = ?",
                          (st.TAKEN, number, st.DELIVERED)) != 1:
                raise ConError(409, "ALREADY_ACCEPTED", f"реестр {number} was accepted by {t['acceptedBy'] or 'someone'}")
            out = []
            for item in t["items"]:
                app = self._get(item["application"], tx)
                kind = item["kind"]
                status = st.AT_ISSUING if kind == wire.RESULT else st.RETURNED
                due = dt.date.fromisoformat(app.issue_date) if app.issue_date else None
                out.append(self._move(tx, app, (st.SENT,), status, employee, now,
                                      "RESULT_RECEIVED" if kind == wire.RESULT else "RETURN_RECEIVED",
                                      {"registry": number, "outcome": item.get("outcome"), "reason": item.get("reason"),
                                       "documents": [a["number"] for a in item["attachments"]],
                                       "beforeIssueDate": due is None or _local(now).date() <= due},
                                      registry_in=number, case_number=item.get("caseNumber"),
                                      outcome=item.get("outcome") or ("return" if kind == wire.RETURN else None),
                                      reason=item.get("reason"), result=[a["number"] for a in item["attachments"]],
                                      result_at=_iso(now)))
            self.store.mark_transfer(number, tx, status=st.TAKEN, accepted_at=now, accepted_by=employee.login)
            return out

    # ------------------------------------------------------------------------------------------
    # The сектор выдачи

    def inform(self, employee: Employee, number: str, body: dict) -> Application:
        """Service 11 §10: on a return or a refusal the applicant is informed within 1 working day."""
        self._require(employee, ISSUING, INSPECTOR)
        method = body.get("method")
        if method not in ("phone", "sms", "letter", "in_person"):
            raise _bad("method must be phone, sms, letter or in_person", "method")
        now = self.clock()
        with self.db.transaction() as tx:
            app = self._get(number, tx)
            if not (app.status == st.RETURNED or (app.status == st.AT_ISSUING and app.outcome == "refusal")):
                raise ConError(409, "WRONG_STATUS", f"only a returned package or a refusal is announced; {number} is "
                               f"{app.status}", currentStatus=app.status)
            received = dt.datetime.fromisoformat(app.result_at)
            limit = bt.term_due(bs.service(INFORM_SERVICE), "inform", received, self.readings, calendar="con").date
            detail = {"method": method, "informBy": limit.isoformat(), "withinTerm": _local(now).date() <= limit}
            if app.status == st.RETURNED:
                return self._move(tx, app, (st.RETURNED,), st.INFORMED, employee, now, "APPLICANT_INFORMED", detail,
                                  informed_at=_iso(now))
            updated = self.store.update(tx, app, (st.AT_ISSUING,), now, informed_at=_iso(now))
            self.store.add_history(tx, number, event="APPLICANT_INFORMED", actor=employee.login, role=employee.role,
                                   at=now, from_status=app.status, to_status=app.status, detail=detail)
            return updated

    def issue(self, employee: Employee, number: str, body: dict) -> Application:
        """The result, against the расписка: the applicant (or the representative) presents it."""
        self._require(employee, ISSUING)
        receipt = body.get("receiptNumber")
        received_by = body.get("receivedBy", "applicant")
        if received_by not in ("applicant", "representative"):
            raise _bad("receivedBy must be applicant or representative", "receivedBy")
        now = self.clock()
        with self.db.transaction() as tx:
            app = self._get(number, tx)
            self._open(bs.service(app.service), now)
            if receipt != app.receipt:
                raise ConError(422, "RECEIPT_MISMATCH", f"the расписка presented ({receipt!r}) is not the one of "
                               f"application {number}", field="receiptNumber")
            if received_by == "representative" and not app.representative:
                raise ConError(422, "NO_REPRESENTATIVE", "the application names no representative", field="receivedBy")
            queue = self._serve_ticket(tx, body.get("ticket"), number, now, "collect")
            today = _local(now).date()
            due = dt.date.fromisoformat(app.issue_date)
            return self._move(tx, app, (st.AT_ISSUING,), st.ISSUED, employee, now, "ISSUED", {
                "receivedBy": received_by, "documents": app.result, "issueDate": app.issue_date,
                "onOrAfterIssueDate": today >= due, "resultReadyBy": app.result_at, "queue": queue,
                "resultWasReadyOnTime": _local(dt.datetime.fromisoformat(app.result_at)).date() <= due},
                issued_at=_iso(now), issued_to=received_by)

    def return_documents(self, employee: Employee, number: str, body: dict) -> Application:
        """A returned package goes back to the applicant with the УО's written justification."""
        self._require(employee, ISSUING)
        now = self.clock()
        with self.db.transaction() as tx:
            app = self._get(number, tx)
            return self._move(tx, app, (st.INFORMED, st.RETURNED), st.DOCUMENTS_RETURNED, employee, now,
                              "DOCUMENTS_RETURNED", {"justification": app.result, "reason": app.reason},
                              issued_at=_iso(now), issued_to=body.get("receivedBy", "applicant"))

    def uncollected(self) -> list[Application]:
        """Results at the сектор выдачи whose date on the расписка has passed (seed 001 says nothing
        more of them: they stay until collected)."""
        today = _local(self.clock()).date()
        return [a for a in self.store.list(status=st.AT_ISSUING, limit=10_000)
                if a.issue_date and dt.date.fromisoformat(a.issue_date) < today]


def ticket_json(t: dict) -> dict:
    waited, allowed = t["waited"], t["allowed_wait"]
    return {"number": t["number"], "day": t["day"], "service": t["service"], "purpose": t["purpose"],
            "status": t["status"], "takenAt": _iso(dt.datetime.fromisoformat(t["taken_at"].replace("Z", "+00:00"))),
            "personsAhead": t["persons_ahead"], "allowedWaitMinutes": allowed, "calledBy": t["called_by"],
            "window": t["window_no"], "waitedMinutes": waited,
            "waitExceeded": None if waited is None else (allowed is not None and waited > allowed),
            "application": t["application"]}


def _document_names(service: BalkhashService, codes: list[str]) -> list[str]:
    names = []
    for code in codes:
        rule = next((d for d in service.documents if code in d.accepted), None)
        names.append(f"{rule.name_ru} ({code})" if rule else code)
    return names


def _entry(service: BalkhashService, body: dict) -> dict:
    applicant = body.get("applicant")
    if not isinstance(applicant, dict):
        raise _bad("applicant: {iin, surname, name, patronymic?, phone?}", "applicant")
    iin = applicant.get("iin")
    try:
        parse_iin(iin if isinstance(iin, str) else "")
    except InvalidNumber as exc:
        raise _bad(str(exc), "applicant.iin", "INVALID_IIN") from None
    for name in ("surname", "name"):
        if not isinstance(applicant.get(name), str) or not applicant[name].strip():
            raise _bad("as in the identity document", f"applicant.{name}")
    category = body.get("category", bs.CITIZEN)
    if category not in bs.CATEGORIES:
        raise _bad(f"category must be one of {', '.join(bs.CATEGORIES)}", "category")
    subtype = body.get("subtype")
    if service.subtypes and subtype not in service.subtypes:
        raise _bad(f"subtype must be one of {', '.join(service.subtypes)}", "subtype")
    if not service.subtypes and subtype is not None:
        raise _bad(f"service {service.number} has no subtypes", "subtype")
    flags = body.get("flags", [])
    for i, f in enumerate(flags):
        if f not in bs.FLAGS:
            raise _bad(f"unknown flag {f!r}", f"flags[{i}]")
    documents = body.get("documents", [])
    known = service.known_document_codes()
    for i, d in enumerate(documents):
        if d not in known:
            raise _bad(f"{d!r} is not a document of service {service.number} ({', '.join(sorted(known))})",
                       f"documents[{i}]", "UNKNOWN_DOCUMENT")
    subject = body.get("subjectIin")
    if subject is not None:
        try:
            parse_iin(subject)
        except InvalidNumber as exc:
            raise _bad(str(exc), "subjectIin", "INVALID_IIN") from None
    full = " ".join(p.strip().upper() for p in (applicant["surname"], applicant["name"], applicant.get("patronymic") or "")
                    if p and p.strip())
    return {"category": category, "subtype": subtype, "flags": frozenset(flags),
            "documents": list(dict.fromkeys(documents)), "subject": subject, "form": body.get("form") or {},
            "representative": body.get("representative"),
            "applicant": {"iin": iin, "fullName": full, "phone": applicant.get("phone")}}
