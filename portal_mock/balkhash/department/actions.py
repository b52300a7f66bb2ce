"""The department's operations: who may do what to a case, in which order, and what it produces.

Every operation is one transaction: it reads the case, checks the signed-in member's office,
unit and role against the step of the case's chain (chains.py), checks the input and, where a
regulation makes the outcome depend on the registers, the assessment (adapters/social); then it
writes the case, its history line (actor, role, time, the table row and its term) and the
documents, and commits. Only then does the caller answer; messages to the ЦОН (реестры) are
sent after the commit and retried when ШЭП was down.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from lxml import etree

from egov_sim.adapters.social import Assessment, Facts, RegisterError, SocialRegisters
from egov_sim.adapters.social.payments import quarter_bounds, quarter_of
from egov_sim.core.clock import ALMATY, Clock
from egov_sim.core.database import Database, IntegrityError
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference import balkhash_terms as bt
from egov_sim.reference.balkhash_services import AKIM, CON, UO, BalkhashService, Readings
from egov_sim.reference.iin import InvalidNumber, parse_iin

from .. import registry_wire as wire
from . import cases_store as cs
from . import chains
from . import documents as docs
from .cases_store import Case, CaseStore, StaleCase
from .chains import RETURNABLE_SERVICES, SUSPENDABLE_SERVICES, Step
from .errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from .staff import AKIM as AKIM_ROLE
from .staff import (
    AKIM_COMMISSION,
    COMMISSION,
    DEPUTY,
    HEAD,
    OFFICER,
    RECORDS,
    SECTOR_HEAD,
    SERVICE_UNITS,
    SPECIAL_COMMISSION,
    STAFF,
    StaffMember,
)
from .staff import UO as UO_OFFICE

JUDGEMENT_GROUNDS = {bs.MISSING_DOCUMENTS, bs.UNRELIABLE, "INCOMPLETE_OR_UNRELIABLE", "FALSE_DOCUMENTS"}
"""Grounds that are the officers' judgement of the documents (a reason text is required); every
other refusal ground must be borne out by a failed check of the assessment."""
QUEUE_STEPS = ("accept",)
DEPUTY_VERBS = ("resolve", "order_survey")
"""[inferred] the deputy distributes correspondence and instructs the commission; signs nothing."""


def _unit_of(service: int) -> str:
    return bs.service(service).unit


def _today(at: dt.datetime) -> dt.date:
    return at.astimezone(ALMATY).date()


def _iso(at: dt.datetime) -> str:
    return at.astimezone(ALMATY).isoformat(timespec="seconds")


class Department:
    def __init__(self, db: Database, store: CaseStore, registers: SocialRegisters, clock: Clock,
                 readings: Readings, signer=None):
        self.db, self.store, self.registers, self.clock = db, store, registers, clock
        self.readings = readings
        self.signer = signer
        """A callable member → ServiceSigner for EDS-signed results (reading electronic_results)."""

    # ------------------------------------------------------------------------------------------
    # Who may act

    def can(self, member: StaffMember, role: str, case: Case | None, service: int, verb: str) -> bool:
        unit = _unit_of(service)
        if role == OFFICER:
            return (member.role == OFFICER and member.unit == unit
                    and (case is None or case.executor is None or case.executor == member.login))
        if role == SECTOR_HEAD:
            return member.role == SECTOR_HEAD and member.unit == unit
        if role == HEAD:
            return member.role == HEAD or (member.role == DEPUTY and verb in DEPUTY_VERBS)
        if role in (AKIM_ROLE, AKIM_COMMISSION):
            return member.role == role and (case is None or case.origin_office == member.office)
        return member.role == role  # records, commission, special_commission

    def _require(self, member: StaffMember, step: Step, case: Case | None, service: int) -> None:
        if not self.can(member, step.role, case, service, step.verb):
            unit = _unit_of(service) if step.role in (OFFICER, SECTOR_HEAD) else None
            executor = case.executor if case is not None and step.role == OFFICER and case.executor else None
            raise Forbidden(f"{step.verb} (row {step.row}: {step.label_ru}) is for role {step.role}"
                            + (f" of unit {unit}" if unit else "")
                            + (f", the executor named by the resolution ({executor})" if executor else "")
                            + f"; {member.login} is {member.role} of {member.unit}",
                            requiredRole=step.role, requiredUnit=unit, requiredExecutor=executor)

    def visible(self, member: StaffMember, case: Case) -> bool:
        if member.role in (AKIM_ROLE, AKIM_COMMISSION):
            return case.origin_office == member.office
        if case.office != UO_OFFICE:
            return False
        if member.role in (HEAD, DEPUTY, RECORDS):
            return True
        if member.role in (OFFICER, SECTOR_HEAD):
            return case.service in SERVICE_UNITS.get(member.unit, ())
        if member.role == COMMISSION:
            return case.service in (6, 7)
        if member.role == SPECIAL_COMMISSION:
            return case.service == 2
        return False

    def visibility_sql(self, member: StaffMember) -> tuple[str, list]:
        if member.role in (AKIM_ROLE, AKIM_COMMISSION):
            return "origin_office = ?", [member.office]
        if member.role in (HEAD, DEPUTY, RECORDS):
            return "office = ?", [UO_OFFICE]
        services = {OFFICER: SERVICE_UNITS.get(member.unit, ()), SECTOR_HEAD: SERVICE_UNITS.get(member.unit, ()),
                    COMMISSION: (6, 7), SPECIAL_COMMISSION: (2,)}.get(member.role, ())
        if not services:
            return "1 = 0", []
        return f"office = ? AND service IN ({', '.join('?' for _ in services)})", [UO_OFFICE, *services]

    def find(self, member: StaffMember, number: str, executor=None) -> Case:
        case = self.store.get(number, executor)
        if case is None or not self.visible(member, case):
            raise NotFound(f"no case {number} in your office", code="CASE_NOT_FOUND")
        return case

    def chain_of(self, case: Case) -> tuple[Step, ...]:
        return chains.chain(case.service, case.channel, self.readings)

    def next_step(self, case: Case) -> Step | None:
        steps = self.chain_of(case)
        return steps[case.step] if case.state == cs.IN_PROGRESS and case.step < len(steps) else None

    def awaiting(self, member: StaffMember, case: Case) -> bool:
        step = self.next_step(case)
        return step is not None and self.can(member, step.role, case, case.service, step.verb)

    # ------------------------------------------------------------------------------------------
    # Shared helpers

    def assess(self, case: Case) -> Assessment:
        return self.registers.assessor.assess(Facts(
            bs.service(case.service), case.applicant_iin, case.applied_date, subject_iin=case.subject_iin,
            subtype=case.subtype, flags=case.flag_set, form=case.form, documents=tuple(case.documents),
            category=case.category, channel=case.channel))

    def _document(self, tx, case: Case | None, kind: str, at: dt.datetime, member: StaffMember,
                  f: dict, *, signed: bool = False) -> str:
        number = docs.document_number(kind, _today(at).year, self.store.next_number(tx, f"doc:{kind}", _today(at).year))
        signed_xml = None
        if signed and self.signer is not None and case is not None and case.service in self.readings.electronic_results:
            signed_xml = self.signer(member, number, kind, f)
        self.store.add_document(tx, number=number, kind=kind, case_number=case.number if case else None,
                                title=f["title"], fields=f, at=at, by=member.login,
                                signed_by=member.login if signed else None, signed_xml=signed_xml)
        return number

    def _history(self, tx, case: Case, step: Step | None, verb: str, member: StaffMember, at: dt.datetime,
                 from_state: str | None, to_state: str, detail: dict | None = None) -> None:
        self.store.add_history(tx, case.number, verb=verb, actor=member.login, role=member.role, at=at,
                               from_state=from_state, to_state=to_state, row=step.row if step else None,
                               norm=step.norm if step else None, detail=detail or {})

    def _person_name(self, iin: str) -> str | None:
        person = self.registers.persons.get(iin)
        return person.full_name if person else None

    def _check_open(self, service: BalkhashService, channel: str, at: dt.datetime) -> None:
        schedule = service.schedule(channel)
        local = at.astimezone(ALMATY)
        if not schedule.is_open_at(local.replace(tzinfo=None)):
            raise Conflict(f"the office is closed at {local.strftime('%a %Y-%m-%d %H:%M')}: {schedule.name}",
                           code="OFFICE_CLOSED", schedule=schedule.to_json())

    # ------------------------------------------------------------------------------------------
    # Intake at the УО or the akim (step "accept")

    def accept(self, member: StaffMember, body: dict) -> Case:
        service = _service(body.get("service"), "service")
        channel = AKIM if member.role == AKIM_ROLE else UO
        if channel not in service.channels:
            raise Unprocessable(f"service {service.number} is not rendered through {channel}", code="CHANNEL_NOT_OFFERED",
                                field="service")
        steps = chains.chain(service.number, channel, self.readings)
        self._require(member, steps[0], None, service.number)
        now = self.clock()
        self._check_open(service, channel, now)
        intake = _intake(service, channel, body, self.registers)
        today = _today(now)
        missing = service.missing_documents(intake["documents"], category=intake["category"], channel=channel,
                                            subtype=intake["subtype"], flags=intake["flags"])
        entitled_category = intake["category"] in service.categories
        refuse = (not entitled_category) or (missing and self.readings.uo_incomplete == "refuse_at_intake")
        queue = _queue(service, channel, body.get("queue"), now)
        with self.db.transaction() as tx:
            year = today.year
            seq = self.store.next_number(tx, f"case:{service.number}", year)
            number = f"BLH-S{service.number:02d}-{year}-{seq:06d}"
            office = member.office
            jkind = f"journal:{office}:{service.number}"
            journal = f"{service.number:02d}-{self.store.next_number(tx, jkind, year):05d}/{year}"
            due = bt.result_due(service, channel, now, self.readings).date
            case = self.store.insert(
                tx, number=number, service=service.number, channel=channel, office=office, origin_office=office,
                state=cs.REFUSED_AT_INTAKE if refuse else cs.IN_PROGRESS, step=1, applicant_iin=intake["iin"],
                applicant=intake["applicant"], representative=intake["representative"],
                subject_iin=intake["subject"], category=intake["category"], subtype=intake["subtype"],
                flags=",".join(sorted(intake["flags"])), form=intake["form"], documents=intake["documents"],
                missing=[d.code for d in missing], applied_on=today.isoformat(), registered_at=_iso(now),
                due_on=due.isoformat(), journal_number=journal if channel == UO else None,
                akim_journal_number=journal if channel == AKIM else None,
                executor=member.login if member.role == OFFICER else None,
                created_at=_iso(now), updated_at=_iso(now))
            detail = {"journalNumber": journal, "queue": queue, "dueOn": due.isoformat(),
                      "documents": intake["documents"], "missing": [d.code for d in missing]}
            if refuse:
                grounds = [bs.NOT_ENTITLED] if not entitled_category else [_missing_ground(service)]
                reason = (f"категория заявителя «{bs.CATEGORY_NAMES_RU[intake['category']]}» не относится к "
                          "потребителям услуги (п. 1 Регламента)" if not entitled_category else
                          "не представлены: " + "; ".join(d.name_ru for d in missing))
                refusal = self._refusal_document(tx, case, member, now, grounds, reason, at_intake=True)
                case = self.store.update(tx, case, now, outcome="refusal", grounds=grounds, reason=reason,
                                         result_documents=[refusal], completed_at=_iso(now))
                detail.update(refusal=refusal, grounds=grounds)
                self._history(tx, case, steps[0], "accept", member, now, None, cs.REFUSED_AT_INTAKE, detail)
                return case
            talon = self._document(tx, case, "TALON", now, member, docs.fields(
                title=docs.KINDS["TALON"][1], office=office, date=today, rows=[
                    ("Регистрационный номер", journal), ("Государственная услуга", service.name_ru),
                    ("Заявитель", case.applicant.get("fullName") or case.applicant_iin), ("ИИН", case.applicant_iin),
                    ("Дата регистрации", today.isoformat()),
                    ("Дата получения государственной услуги", due.isoformat()),
                    ("Место получения", docs.OFFICES[office].address),
                    ("Количество принятых документов", str(len(intake["documents"]))),
                    ("Принятые документы", ", ".join(intake["documents"])),
                    ("Документы принял", f"{member.short_name}, {member.position_ru}")]))
            case = self.store.update(tx, case, now, talon_number=talon)
            detail["talon"] = talon
            self._history(tx, case, steps[0], "accept", member, now, None, cs.IN_PROGRESS, detail)
            return case

    # ------------------------------------------------------------------------------------------
    # The ЦОН's реестры (incoming) and the receipt by реестр

    def deliver_incoming(self, registry: wire.Registry, payload: bytes) -> tuple[str, bool]:
        """A реестр from the ЦОН arrived through ШЭП: keep it until an officer receives it.
        The same number again is the same реестр (``duplicate``)."""
        if registry.direction != wire.CON_TO_UO:
            raise wire.WireError("the department accepts реестры CON_TO_UO only")
        services = {i.service for i in registry.items}
        for item in registry.items:
            if item.kind != wire.PACKAGE:
                raise wire.WireError(f"item {item.application}: the ЦОН sends PACKAGE items")
            if item.service not in bs.SERVICES or CON not in bs.service(item.service).channels:
                raise wire.WireError(f"item {item.application}: service {item.service} is not rendered through the ЦОН")
        if len(services) != 1:
            raise wire.WireError("a реестр carries the packages of one service [inferred: one реестр per service]")
        now = self.clock()
        try:
            with self.db.transaction() as tx:
                if self.store.transfer(registry.number, tx) is not None:
                    return registry.number, True
                self.store.add_transfer(tx, number=registry.number, direction=cs.INCOMING, status=cs.DELIVERED,
                                        service=services.pop(), items=[i.to_json() for i in registry.items],
                                        payload=payload, at=now, by=registry.sender or wire.CON_SENDER)
        except IntegrityError:
            return registry.number, True
        return registry.number, False

    def receive_transfer(self, member: StaffMember, number: str) -> list[Case]:
        transfer = self.store.transfer(number)
        if transfer is None or transfer.direction != cs.INCOMING:
            raise NotFound(f"no incoming реестр {number}", code="TRANSFER_NOT_FOUND")
        if transfer.status != cs.DELIVERED:
            raise Conflict(f"реестр {number} was received on {transfer.received_at} by {transfer.received_by}",
                           code="ALREADY_RECEIVED")
        service = bs.service(transfer.service)
        steps = chains.chain(service.number, CON, self.readings)
        self._require(member, steps[0], None, service.number)
        now = self.clock()
        today = _today(now)
        created = []
        with self.db.transaction() as tx:
            # Claim the реестр first: the guarded UPDATE locks its row (PostgreSQL) or runs under the
            # write lock (SQLite), so of two officers receiving it at once one gets it.
            if tx.execute("UPDATE blh_transfers SET status = ?, received_by = ? WHERE number = ? AND status = ?",
                          (cs.RECEIVED, member.login, number, cs.DELIVERED)) != 1:
                raise Conflict(f"реестр {number} was received meanwhile", code="ALREADY_RECEIVED")
            for item in transfer.items:
                year = today.year
                seq = self.store.next_number(tx, f"case:{service.number}", year)
                case_number = f"BLH-S{service.number:02d}-{year}-{seq:06d}"
                journal = (f"{service.number:02d}-"
                           f"{self.store.next_number(tx, f'journal:{UO_OFFICE}:{service.number}', year):05d}/{year}")
                accepted = dt.datetime.fromisoformat(item["acceptedAt"]) if item.get("acceptedAt") else now
                applicant = dict(item.get("applicant") or {})
                known = self._person_name(applicant.get("iin", ""))
                applicant["fullName"] = known or applicant.get("fullName")
                case = self.store.insert(
                    tx, number=case_number, service=service.number, channel=CON, office=UO_OFFICE,
                    origin_office="CON", state=cs.IN_PROGRESS, step=1, applicant_iin=applicant.get("iin", ""),
                    applicant=applicant, representative=item.get("representative"),
                    subject_iin=item.get("subjectIin"), category=item.get("category") or "citizen",
                    subtype=item.get("subtype"), flags=",".join(item.get("flags") or []), form=item.get("form") or {},
                    documents=[d["code"] for d in item.get("documents") or []],
                    missing=[d.code for d in service.missing_documents(
                        [d["code"] for d in item.get("documents") or []], category=item.get("category") or "citizen",
                        channel=CON, subtype=item.get("subtype"), flags=item.get("flags") or [])],
                    applied_on=_today(accepted).isoformat(), registered_at=_iso(now),
                    due_on=item.get("issueDate") or bt.result_due(service, CON, accepted, self.readings).date.isoformat(),
                    journal_number=journal, executor=member.login if member.role == OFFICER else None,
                    con_application=item["application"], con_registry=number, created_at=_iso(now),
                    updated_at=_iso(now))
                self._history(tx, case, steps[0], "receive", member, now, None, cs.IN_PROGRESS, {
                    "registry": number, "application": item["application"], "journalNumber": journal,
                    "acceptedAtCon": item.get("acceptedAt"), "receiptIssueDate": item.get("issueDate"),
                    "applicantInGbdfl": known is not None,
                    "returnBy": bt.term_due(service, "return", now, self.readings).date.isoformat()
                    if service.number in RETURNABLE_SERVICES else None})
                created.append(case)
            self.store.mark_transfer(number, tx, status=cs.RECEIVED, received_at=now, received_by=member.login)
        return created

    # ------------------------------------------------------------------------------------------
    # The chain's steps

    def act(self, member: StaffMember, number: str, verb: str, body: dict) -> Case:
        if verb not in chains.VERBS or verb in ("accept", "dispatch"):
            raise NotFound(f"no action {verb!r}", code="NOT_FOUND")
        now = self.clock()
        for _ in range(3):
            try:
                with self.db.transaction() as tx:
                    case = self.find(member, number, tx)
                    step = self._expect(case, verb)
                    self._require(member, step, case, case.service)
                    handler = getattr(self, f"_do_{verb}")
                    changes, detail = handler(tx, case, step, member, body, now)
                    steps = self.chain_of(case)
                    nxt = case.step + 1
                    done = nxt >= len(steps)
                    state = cs.COMPLETED if done else cs.IN_PROGRESS
                    changes.setdefault("step", nxt)
                    changes["state"] = state
                    if done:
                        changes.setdefault("completed_at", _iso(now))
                    updated = self.store.update(tx, case, now, **changes)
                    self._history(tx, updated, step, verb, member, now, case.state, state, detail)
                    return updated
            except StaleCase:
                continue
        raise Conflict(f"case {number} is being changed by someone else; try again", code="CONCURRENT_CHANGE")

    def _expect(self, case: Case, verb: str) -> Step:
        if case.state == cs.SUSPENDED:
            raise Conflict(f"case {case.number} is suspended", code="CASE_SUSPENDED", currentState=case.state)
        step = self.next_step(case)
        if step is None:
            raise Conflict(f"case {case.number} is {case.state}: no step is open", code="WRONG_STATE",
                           currentState=case.state)
        if step.verb != verb:
            raise Conflict(f"case {case.number} waits for {step.verb} (row {step.row}: {step.label_ru}) by {step.role},"
                           f" not {verb}", code="WRONG_STEP", expectedStep=step.verb, expectedRole=step.role)
        return step

    def _do_receive(self, tx, case, step, member, body, now):
        """The УО receives the file forwarded by the akim (services 6, 7 via the akim)."""
        today = _today(now)
        journal = (f"{case.service:02d}-{self.store.next_number(tx, f'journal:{UO_OFFICE}:{case.service}', today.year):05d}"
                   f"/{today.year}")
        return ({"journal_number": journal, "executor": member.login}, {"journalNumber": journal})

    def _do_resolve(self, tx, case, step, member, body, now):
        login = _text(body, "executor")
        executor = STAFF.get(login)
        unit = _unit_of(case.service)
        if executor is None or executor.role != OFFICER or executor.unit != unit:
            raise Unprocessable(f"executor {login!r} is not a specialist of unit {unit}", code="BAD_EXECUTOR",
                                field="executor")
        text = body.get("text") or f"{executor.short_name}: рассмотреть и подготовить ответ в установленный срок"
        work = {**case.work, "resolution": {"executor": login, "text": text, "by": member.login, "at": _iso(now)}}
        return {"executor": login, "work": work}, {"executor": login, "text": text}

    def _do_refer(self, tx, case, step, member, body, now):
        work = {**case.work, "referredToCommission": _iso(now)}
        return {"work": work}, {"personalFile": f"макет личного дела {case.number}"}

    def _do_commission(self, tx, case, step, member, body, now):
        eligible = body.get("eligible")
        if not isinstance(eligible, bool):
            raise BadInput("eligible must be true or false", field="eligible")
        protocol = _text(body, "protocolNumber")
        assessment = self.assess(case)
        if eligible and not assessment.eligible:
            raise Unprocessable("the special commission cannot register the citizen: " +
                                "; ".join(c.text for c in assessment.failed), code="INELIGIBLE",
                                assessment=assessment.to_json())
        reason = body.get("reason") or ("; ".join(c.text for c in assessment.failed) if assessment.failed else None)
        if not eligible and not reason:
            raise BadInput("reason is required for a negative decision", field="reason")
        doc = self._document(tx, case, "COMMISSION_DECISION", now, member, docs.fields(
            title=docs.KINDS["COMMISSION_DECISION"][1], office=UO_OFFICE, date=_today(now), rows=[
                ("Протокол", protocol), ("Гражданин", case.applicant.get("fullName") or case.applicant_iin),
                ("ИИН", case.applicant_iin),
                ("Решение", "зарегистрировать и поставить на учет" if eligible else "отказать в регистрации и учете"),
                *([("Основание", reason)] if not eligible else [])]))
        work = {**case.work, "commission": {"eligible": eligible, "protocolNumber": protocol, "reason": reason,
                                            "document": doc}}
        return {"work": work}, {"eligible": eligible, "protocolNumber": protocol, "document": doc,
                                "assessment": assessment.to_json()}

    def _do_order_survey(self, tx, case, step, member, body, now):
        commission = ("участковая комиссия, созданная решением акима поселка" if case.origin_office != UO_OFFICE
                      and case.channel == AKIM else "участковая комиссия, созданная решением акима города Балхаша")
        survey = next(s for s in self.chain_of(case) if s.verb == "survey")
        due = _today(bt.step_due(bs.service(case.service), survey.cell, now, self.readings))
        doc = self._document(tx, case, "SURVEY_ORDER", now, member, docs.fields(
            title=docs.KINDS["SURVEY_ORDER"][1], office=member.office, date=_today(now), rows=[
                ("Кому", commission), ("Заявитель", case.applicant.get("fullName") or case.applicant_iin),
                ("Адрес", case.applicant.get("address") or "—"), ("Дело", case.number),
                ("Срок обследования", f"до {due.isoformat()}")],
            paragraphs=["Провести обследование материального положения семьи заявителя, составить акт обследования и "
                        "заключение о нуждаемости."], signer=member, signed_at=now))
        work = {**case.work, "surveyOrder": {"document": doc, "commission": commission, "due": due.isoformat()}}
        return {"work": work}, {"document": doc, "surveyDue": due.isoformat()}

    def _do_survey(self, tx, case, step, member, body, now):
        assessment = self.assess(case)
        income = next((c for c in assessment.checks if c.code == "PER_CAPITA_INCOME"), None)
        household = self.registers.households.household_of(case.applicant_iin)
        if income is None:
            raise Unprocessable("the household's composition and incomes are not in the register: the commission has "
                                "nothing to survey (POST /registers/households first)", code="NO_HOUSEHOLD")
        computed = "needy" if income.passed else "not_needy"
        conclusion = body.get("conclusion", computed)
        if conclusion not in ("needy", "not_needy"):
            raise BadInput("conclusion must be needy or not_needy", field="conclusion")
        if conclusion != computed:
            raise Unprocessable(f"the conclusion {conclusion!r} contradicts the survey: {income.text}",
                                code="CONCLUSION_CONTRADICTS", field="conclusion", assessment=assessment.to_json())
        members = [(m.iin, f"{self._person_name(m.iin) or m.iin} — {m.relation}, {m.activity}")
                   for m in household.members]
        pc = income.detail
        act = self._document(tx, case, "SURVEY_ACT", now, member, docs.fields(
            title=docs.KINDS["SURVEY_ACT"][1], office=case.office, date=_today(now), rows=[
                ("Заявитель", case.applicant.get("fullName") or case.applicant_iin),
                ("Адрес", household.address or "—"),
                *[(f"Член семьи {i + 1}", text) for i, (_, text) in enumerate(members)],
                ("Период исчисления дохода", ", ".join(pc["period"])),
                ("Совокупный доход семьи за период", f"{pc['totalIncome']} тг"),
                ("Среднедушевой доход в месяц", f"{pc['perCapitaIncome']} тг"),
                ("Жилищно-бытовые условия", body.get("housingConditions") or "—")],
            paragraphs=[body["note"]] if body.get("note") else [], signer=member, signed_at=now))
        conc = self._document(tx, case, "CONCLUSION", now, member, docs.fields(
            title=docs.KINDS["CONCLUSION"][1], office=case.office, date=_today(now), rows=[
                ("Заявитель", case.applicant.get("fullName") or case.applicant_iin), ("Акт обследования", act),
                ("Заключение", "семья нуждается в назначении помощи" if conclusion == "needy"
                 else "семья не нуждается в назначении помощи"), ("Обоснование", income.text)],
            signer=member, signed_at=now))
        work = {**case.work, "survey": {"act": act, "conclusion": conclusion, "conclusionDocument": conc,
                                        "perCapita": pc}}
        return {"work": work}, {"act": act, "conclusion": conclusion, "conclusionDocument": conc}

    def _do_accept_conclusion(self, tx, case, step, member, body, now):
        return {}, {"act": case.work.get("survey", {}).get("act")}

    def _do_forward(self, tx, case, step, member, body, now):
        service = bs.service(case.service)
        milestone_term = bt.cell(service, step.cell).milestone or "forwarded"
        registered = dt.datetime.fromisoformat(case.registered_at)
        milestone = bt.term_due(service, milestone_term, registered, self.readings).date
        today = _today(now)
        return ({"office": UO_OFFICE, "executor": None},
                {"to": UO_OFFICE, "milestone": milestone.isoformat(), "milestoneMet": today <= milestone})

    def _do_check(self, tx, case, step, member, body, now):
        complete = body.get("complete", True)
        if not isinstance(complete, bool):
            raise BadInput("complete must be true or false", field="complete")
        remarks = body.get("remarks")
        if not complete and not remarks:
            raise BadInput("remarks are required when the package is not complete and correct", field="remarks")
        work = {**case.work, "check": {"complete": complete, "remarks": remarks, "by": member.login}}
        return {"work": work}, {"complete": complete, "remarks": remarks}

    def _do_draft(self, tx, case, step, member, body, now):
        decision = self._outcome(case, body)
        work = {**case.work, "draft": decision}
        return {"work": work}, {"outcome": decision["outcome"], "grounds": decision.get("grounds"),
                                "amount": decision.get("amount"), "eligible": decision["assessment"]["eligible"]}

    def _do_visa(self, tx, case, step, member, body, now):
        work = {**case.work, "visa": {"by": member.login, "at": _iso(now), "remarks": body.get("remarks")}}
        return {"work": work}, {"remarks": body.get("remarks")}

    def _do_decide(self, tx, case, step, member, body, now):
        decision = case.work.get("draft")
        if decision is None:  # services 1 and 3: the officer decides without a draft
            decision = self._outcome(case, body)
        elif body.get("outcome") not in (None, decision["outcome"]):
            raise Conflict(f"the draft is a {decision['outcome']}; the head signs the draft as prepared and visaed",
                           code="DRAFT_MISMATCH", field="outcome")
        outcome = decision["outcome"]
        result_docs, assignment = self._results(tx, case, member, now, decision)
        changes = {"outcome": outcome, "grounds": decision.get("grounds") or [], "reason": decision.get("reasonText"),
                   "result_documents": result_docs, "assignment": assignment,
                   "work": {**case.work, "draft": decision, "decision": {"by": member.login, "at": _iso(now)}}}
        return changes, {"outcome": outcome, "documents": result_docs, "assignment": assignment}

    def _do_notify(self, tx, case, step, member, body, now):
        method = body.get("method", "in_person")
        if method not in ("in_person", "post"):
            raise BadInput("method must be in_person or post", field="method")
        received_by = body.get("receivedBy", "applicant")
        if received_by not in ("applicant", "representative"):
            raise BadInput("receivedBy must be applicant or representative", field="receivedBy")
        due = dt.date.fromisoformat(case.due_on)
        today = _today(now)
        return ({"completed_at": _iso(now)},
                {"method": method, "receivedBy": received_by, "documents": case.result_documents,
                 "dueOn": case.due_on, "onTime": today <= due})

    # ------------------------------------------------------------------------------------------
    # Outcomes and results

    def _outcome(self, case: Case, body: dict) -> dict:
        """The officer's outcome, checked against the registers (the assessment)."""
        service = bs.service(case.service)
        outcome = body.get("outcome")
        if outcome not in ("grant", "refusal"):
            raise BadInput("outcome must be grant or refusal", field="outcome")
        assessment = self.assess(case)
        out: dict[str, Any] = {"outcome": outcome, "assessment": assessment.to_json()}
        if outcome == "grant":
            if not assessment.eligible:
                raise Unprocessable("the registers bear out a refusal: " + "; ".join(c.text for c in assessment.failed),
                                    code="INELIGIBLE", field="outcome", assessment=assessment.to_json())
            if case.missing:
                raise Unprocessable("documents are missing: " + ", ".join(case.missing), code="DOCUMENTS_MISSING",
                                    field="outcome")
            check = case.work.get("check")
            if check is not None and not check["complete"]:
                raise Unprocessable(f"the head of sector found the package wanting: {check['remarks']}",
                                    code="CHECK_FAILED", field="outcome")
            commission = case.work.get("commission")
            if commission is not None and not commission["eligible"]:
                raise Unprocessable("the special commission decided not to register", code="COMMISSION_REFUSED",
                                    field="outcome")
            amount = body.get("amount")
            if amount is None and assessment.amount is not None:
                amount = str(assessment.amount)
            elif amount is not None:
                try:
                    amount = str(Decimal(str(amount)).quantize(Decimal("0.01")))
                except ArithmeticError:
                    raise BadInput("amount must be a number of tenge", field="amount") from None
            out.update(amount=amount, amountBasis=assessment.amount_basis, text=body.get("text"))
            return out
        grounds = body.get("grounds")
        if not isinstance(grounds, list) or not grounds:
            raise BadInput("grounds: name at least one refusal ground of the service", field="grounds")
        refusal_codes = {g.code for g in service.grounds_of(bs.GroundKind.REFUSAL)}
        checked = {c.ground for c in assessment.checks if c.ground}
        for i, g in enumerate(grounds):
            if g not in refusal_codes:
                raise Unprocessable(f"{g!r} is not a refusal ground of service {service.number} "
                                    f"({', '.join(sorted(refusal_codes))})", code="UNKNOWN_GROUND", field=f"grounds[{i}]")
            if g in checked and g not in JUDGEMENT_GROUNDS and g not in assessment.refusal_grounds:
                raise Unprocessable(f"the registers do not bear out {g}: " +
                                    "; ".join(c.text for c in assessment.checks if c.ground == g),
                                    code="GROUND_NOT_BORNE_OUT", field=f"grounds[{i}]", assessment=assessment.to_json())
            if (g == "INCOMPLETE_OR_UNRELIABLE" and service.number == 15
                    and self.readings.s15_incomplete == "suspension"):
                raise Unprocessable("reading s15_incomplete=suspension: incomplete information suspends the case "
                                    "(POST …/suspend)", code="SUSPEND_INSTEAD", field=f"grounds[{i}]")
        reason = body.get("reasonText")
        needs_text = any(g in JUDGEMENT_GROUNDS or g not in checked for g in grounds)
        if needs_text and not (isinstance(reason, str) and reason.strip()):
            raise BadInput("reasonText is required: the grounds are the officer's judgement", field="reasonText")
        if not reason:
            reason = "; ".join(c.text for c in assessment.failed)
        out.update(grounds=grounds, reasonText=reason)
        return out

    def _refusal_document(self, tx, case: Case, member: StaffMember, now: dt.datetime, grounds: list[str],
                          reason: str, *, at_intake: bool = False) -> str:
        service = bs.service(case.service)
        texts = [f"{g}: {service.ground(g).text_ru} ({service.ground(g).source})" if service.ground(g) else
                 f"{g}: непредставление необходимых документов (талон выдается после сдачи всех документов, п. 12)"
                 for g in grounds]
        return self._document(tx, case, "REFUSAL", now, member, docs.fields(
            title=docs.KINDS["REFUSAL"][1], office=case.office, date=_today(now), rows=[
                ("Заявитель", case.applicant.get("fullName") or case.applicant_iin), ("ИИН", case.applicant_iin),
                ("Государственная услуга", service.name_ru), ("Дело", case.number),
                *[(f"Основание {i + 1}", t) for i, t in enumerate(texts)], ("Обоснование", reason)],
            paragraphs=["В соответствии с пунктом 10 Регламента в предоставлении государственной услуги отказано"
                        + (" при приеме документов." if at_intake else ".")],
            signer=member, signed_at=now), signed=True)

    def _results(self, tx, case: Case, member: StaffMember, now: dt.datetime, decision: dict) -> tuple[list[str], str | None]:
        service = bs.service(case.service)
        if decision["outcome"] == "refusal":
            return [self._refusal_document(tx, case, member, now, decision["grounds"], decision["reasonText"])], None
        today = _today(now)
        name = case.applicant.get("fullName") or self._person_name(case.applicant_iin) or case.applicant_iin
        base = [("Заявитель", name), ("ИИН", case.applicant_iin), ("Дело", case.number)]
        made: list[str] = []
        assignment = None

        def add(kind: str, title: str, rows: list, paragraphs: tuple[str, ...] | list[str] = ()) -> None:
            made.append(self._document(tx, case, kind, now, member, docs.fields(
                title=title, office=UO_OFFICE, date=today, rows=rows, paragraphs=list(paragraphs), signer=member,
                signed_at=now), signed=True))

        try:
            if service.number == 1:
                reg = self.registers.unemployed.register(case.applicant_iin, today, actor=member.login,
                                                         category=case.category, case_number=case.number)
                add("CARD", docs.KINDS["CARD"][1], [*base, ("Номер карточки", reg.card_number),
                                                     ("Дата регистрации", reg.registered_on.isoformat()),
                                                     ("Категория", bs.CATEGORY_NAMES_RU[case.category])],
                    ["Потребитель зарегистрирован и поставлен на учет в качестве безработного в электронном виде."])
                assignment = reg.card_number
            elif service.number == 3:
                reg = self.registers.unemployed.status_on(case.applicant_iin, case.applied_date)
                add("CERTIFICATE", docs.KINDS["CERTIFICATE"][1],
                    [*base, ("Зарегистрирован в качестве безработного с", reg.registered_on.isoformat()),
                     ("Карточка персонального учета", reg.card_number)],
                    ["Справка выдана для предъявления по месту требования."])
            else:
                period = self._period(case, service, today)
                amount = decision.get("amount")
                if service.number in (6, 7, 8, 11, 14, 15):
                    title = {8: "Решение о предоставлении социальных услуг", 11: docs.KINDS["CONTRACT"][1]}.get(
                        service.number, "Решение о назначении")
                    kind = {11: "CONTRACT"}.get(service.number, "DECISION")
                    add(kind, title, [*base, ("Услуга", service.name_ru),
                                      *([("Размер", f"{amount} тг"), ("Расчет", decision.get("amountBasis") or "—")]
                                        if amount is not None else []),
                                      *([("Период", f"{period[0]} — {period[1] or 'бессрочно'}")] if period else [])])
                if service.number in (2, 6, 7, 8, 11, 14, 15):
                    a = self.registers.payments.assign(
                        service=service.number, iin=case.applicant_iin, case_number=case.number,
                        starts_on=period[0] if period else today, ends_on=period[1] if period else None,
                        monthly_amount=amount if service.number in (6, 7, 11) else None,
                        detail={"amount": amount, "basis": decision.get("amountBasis"), "subject": case.subject_iin},
                        actor=member.login)
                    assignment = a.number
                add("NOTICE", f"Уведомление: {service.result_ru}",
                    [*base, ("Государственная услуга", service.name_ru),
                     *([("Размер", f"{amount} тг")] if amount is not None and service.number != 8 else []),
                     *([("Назначение", assignment)] if assignment else [])],
                    [f"Уведомляем: {service.result_ru}." + (" Объем: 30 часов в год." if service.number == 8 else "")])
        except RegisterError as exc:
            raise Unprocessable(str(exc), code=exc.code, field=exc.field, status=exc.status) from None
        return made, assignment

    @staticmethod
    def _period(case: Case, service: BalkhashService, today: dt.date) -> tuple[dt.date, dt.date | None] | None:
        applied = case.applied_date
        if service.number in (6, 7, 11):
            start = applied.replace(day=1)
            return start, quarter_bounds(quarter_of(applied))[1]
        if service.number == 14:
            quarter = case.form.get("quarter") or quarter_of(applied)
            return quarter_bounds(quarter)
        if service.number == 15:
            return today, today
        if service.number in (2, 8):
            return today, None
        return None

    # ------------------------------------------------------------------------------------------
    # Side actions: return to the ЦОН, suspend, resume, archive, dispatch

    def return_case(self, member: StaffMember, number: str, body: dict) -> tuple[Case, str]:
        reasons = body.get("reasons")
        if not isinstance(reasons, list) or not reasons or not all(isinstance(r, str) and r.strip() for r in reasons):
            raise BadInput("reasons: give the written justification, one or more texts", field="reasons")
        now = self.clock()
        with self.db.transaction() as tx:
            case = self.find(member, number, tx)
            if case.channel != CON or case.service not in RETURNABLE_SERVICES:
                raise Conflict(f"service {case.service} through {case.channel} has no return to the ЦОН "
                               "(services 2, 6 and 11 §10; in 4 and 5 errors are a refusal ground)",
                               code="NO_RETURN", currentState=case.state)
            steps = self.chain_of(case)
            first_decision = next(i for i, s in enumerate(steps) if s.verb in ("draft", "decide"))
            if case.state != cs.IN_PROGRESS or case.step > first_decision:
                raise Conflict(f"case {number} is past the check of the package ({case.state}, step {case.step})",
                               code="WRONG_STATE", currentState=case.state)
            if not (member.role == RECORDS or (member.role == OFFICER and member.unit == _unit_of(case.service))):
                raise Forbidden("the return is made by the responsible officer or the records office",
                                requiredRole=OFFICER)
            received = _first_history_at(self.store, case.number)
            return_term = bt.term_due(bs.service(case.service), "return", received, self.readings)
            limit = return_term.date
            letter = self._document(tx, case, "RETURN_LETTER", now, member, docs.fields(
                title=docs.KINDS["RETURN_LETTER"][1], office=UO_OFFICE, date=_today(now), rows=[
                    ("Заявление центра", case.con_application), ("Реестр", case.con_registry),
                    ("Заявитель", case.applicant.get("fullName") or case.applicant_iin),
                    *[(f"Причина {i + 1}", r) for i, r in enumerate(reasons)]],
                paragraphs=["Документы возвращаются в центр обслуживания населения в соответствии с пунктом 10 "
                            "Регламента."], signer=member, signed_at=now))
            transfer = self._transfer(tx, [(case, wire.RETURN, "return", "; ".join(reasons), [letter])], member, now)
            updated = self.store.update(tx, case, now, state=cs.RETURNED, outcome="return", reason="; ".join(reasons),
                                        result_documents=[letter], completed_at=_iso(now))
            self._history(tx, updated, None, "return", member, now, case.state, cs.RETURNED, {
                "reasons": reasons, "letter": letter, "registry": transfer, "returnBy": limit.isoformat(),
                "withinTerm": _today(now) <= limit, "term": return_term.allowed})
            return updated, transfer

    def dispatch(self, member: StaffMember, numbers: list[str]) -> tuple[list[Case], str]:
        if not isinstance(numbers, list) or not numbers or len(set(numbers)) != len(numbers):
            raise BadInput("cases: a list of distinct case numbers", field="cases")
        now = self.clock()
        with self.db.transaction() as tx:
            cases, entries = [], []
            for n in numbers:
                case = self.find(member, n, tx)
                step = self._expect(case, "dispatch")
                self._require(member, step, case, case.service)
                cases.append((case, step))
                entries.append((case, wire.RESULT, case.outcome or "", case.reason or "", case.result_documents))
            transfer = self._transfer(tx, entries, member, now)
            out = []
            for case, step in cases:
                updated = self.store.update(tx, case, now, step=case.step + 1, state=cs.COMPLETED,
                                            completed_at=_iso(now))
                due = dt.date.fromisoformat(case.due_on)
                self._history(tx, updated, step, "dispatch", member, now, case.state, cs.COMPLETED, {
                    "registry": transfer, "documents": case.result_documents, "receiptIssueDate": case.due_on,
                    "beforeIssueDate": _today(now) <= due})
                out.append(updated)
            return out, transfer

    def _transfer(self, tx, entries: list, member: StaffMember, now: dt.datetime) -> str:
        """An outgoing реестр to the ЦОН (with its printable REGISTRY document), kept PENDING until sent."""
        year = _today(now).year
        number = f"BLH-REG-{year}-{self.store.next_number(tx, 'transfer', year):06d}"
        items = []
        for case, kind, outcome, reason, numbers in entries:
            attached = []
            for n in numbers:
                d = self.store.document(n)  # the database joins the open transaction: its own writes show
                attached.append(wire.Attached(n, d.kind, d.title, docs.render_html(n, d.fields).encode(), d.signed_xml))
            items.append(wire.Item(application=case.con_application or "", service=case.service, kind=kind,
                                   issue_date=case.due_on, applicant={"iin": case.applicant_iin,
                                                                      "fullName": case.applicant.get("fullName")},
                                   case_number=case.number, outcome=outcome, reason=reason,
                                   attachments=tuple(attached)))
        registry = wire.Registry(number, _iso(now), wire.UO_TO_CON, f"{member.full_name}, {member.position_ru}",
                                 tuple(items))
        payload = etree.tostring(wire.to_xml(registry), encoding="UTF-8")
        self._document(tx, None, "REGISTRY", now, member, docs.fields(
            title=docs.KINDS["REGISTRY"][1], office=UO_OFFICE, date=_today(now), rows=[
                ("Реестр", number), *[(f"{i + 1}. {it.application}", f"{it.case_number}: {it.kind} {it.outcome}")
                                      for i, it in enumerate(items)]], signer=member, signed_at=now))
        self.store.add_transfer(tx, number=number, direction=cs.OUTGOING, status=cs.PENDING,
                                service=entries[0][0].service, items=[it.to_json() for it in items], payload=payload,
                                at=now, by=member.login)
        return number

    def suspend(self, member: StaffMember, number: str, body: dict) -> Case:
        return self._suspension(member, number, body, suspend=True)

    def resume(self, member: StaffMember, number: str, body: dict) -> Case:
        return self._suspension(member, number, body, suspend=False)

    def _suspension(self, member: StaffMember, number: str, body: dict, *, suspend: bool) -> Case:
        now = self.clock()
        with self.db.transaction() as tx:
            case = self.find(member, number, tx)
            service = bs.service(case.service)
            if case.service not in SUSPENDABLE_SERVICES or (case.service == 15 and self.readings.s15_incomplete != "suspension"):
                raise Conflict(f"service {case.service} has no suspension (only 11, and 15 with the reading "
                               "s15_incomplete=suspension)", code="NO_SUSPENSION")
            if member.role != HEAD:
                raise Forbidden("suspension is decided by the head", requiredRole=HEAD)
            if suspend:
                if case.state != cs.IN_PROGRESS:
                    raise Conflict(f"case {number} is {case.state}", code="WRONG_STATE", currentState=case.state)
                ground = body.get("ground")
                codes = [g.code for g in service.grounds_of(bs.GroundKind.SUSPENSION)]
                if ground not in codes:
                    raise Unprocessable(f"ground must be one of {', '.join(codes)}", code="UNKNOWN_GROUND", field="ground")
                reason = _text(body, "reasonText")
                updated = self.store.update(tx, case, now, state=cs.SUSPENDED, suspended_state=cs.IN_PROGRESS)
                self._history(tx, updated, None, "suspend", member, now, case.state, cs.SUSPENDED,
                              {"ground": ground, "reasonText": reason})
            else:
                if case.state != cs.SUSPENDED:
                    raise Conflict(f"case {number} is not suspended", code="WRONG_STATE", currentState=case.state)
                updated = self.store.update(tx, case, now, state=cs.IN_PROGRESS, suspended_state=None)
                self._history(tx, updated, None, "resume", member, now, case.state, cs.IN_PROGRESS,
                              {"note": body.get("note")})
            return updated

    def archive(self, member: StaffMember, number: str) -> Case:
        now = self.clock()
        with self.db.transaction() as tx:
            case = self.find(member, number, tx)
            if case.state not in (cs.COMPLETED, cs.RETURNED, cs.REFUSED_AT_INTAKE):
                raise Conflict(f"only a finished case goes to the archive; {number} is {case.state}",
                               code="WRONG_STATE", currentState=case.state)
            if not (member.role in (RECORDS, AKIM_ROLE) or (member.role == OFFICER and member.unit == _unit_of(case.service))):
                raise Forbidden("the case is archived by its officer or the records office", requiredRole=OFFICER)
            updated = self.store.update(tx, case, now, state=cs.ARCHIVED)
            self._history(tx, updated, None, "archive", member, now, case.state, cs.ARCHIVED, {})
            return updated


# ---------------------------------------------------------------------------------------------
# Input checks


def _service(value: Any, field: str) -> BalkhashService:
    try:
        return bs.service(value)
    except (bs.UnknownService, TypeError):
        raise Unprocessable(f"unknown service {value!r} (1-15 or BLH-S01..BLH-S15)", code="UNKNOWN_SERVICE",
                            field=field) from None


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{name} is required", field=name)
    return value.strip()


def _iin(value: Any, field: str, registers: SocialRegisters):
    if not isinstance(value, str):
        raise BadInput("must be a 12-digit IIN", field=field, code="INVALID_IIN")
    try:
        parse_iin(value)
    except InvalidNumber as exc:
        raise BadInput(str(exc), field=field, code="INVALID_IIN") from None
    person = registers.persons.get(value)
    if person is None:
        raise NotFound(f"{value} is not in ГБД ФЛ", field=field, code="PERSON_NOT_FOUND")
    return person


def _intake(service: BalkhashService, channel: str, body: dict, registers: SocialRegisters) -> dict:
    applicant = body.get("applicant")
    if not isinstance(applicant, dict):
        raise BadInput("applicant is required: {iin, phone?}", field="applicant")
    person = _iin(applicant.get("iin"), "applicant.iin", registers)
    category = body.get("category", bs.CITIZEN)
    if category not in bs.CATEGORIES:
        raise BadInput(f"category must be one of {', '.join(bs.CATEGORIES)}", field="category")
    citizen = person.citizenship == "398"
    if (category == bs.CITIZEN) != citizen:
        raise Unprocessable(f"category {category} contradicts ГБД ФЛ: citizenship {person.citizenship}",
                            code="CATEGORY_MISMATCH", field="category")
    subtype = body.get("subtype")
    if service.subtypes:
        if subtype not in service.subtypes:
            raise BadInput(f"subtype must be one of {', '.join(service.subtypes)}", field="subtype")
    elif subtype is not None:
        raise BadInput(f"service {service.number} has no subtypes", field="subtype")
    flags = body.get("flags", [])
    if not isinstance(flags, list):
        raise BadInput("flags must be a list", field="flags")
    for i, f in enumerate(flags):
        if f not in bs.FLAGS:
            raise BadInput(f"unknown flag {f!r} (known: {', '.join(bs.FLAGS)})", field=f"flags[{i}]")
    presented = body.get("documents", [])
    if not isinstance(presented, list):
        raise BadInput("documents must be a list of document codes", field="documents")
    known = service.known_document_codes()
    for i, d in enumerate(presented):
        if d not in known:
            raise BadInput(f"{d!r} is not a document of service {service.number} ({', '.join(sorted(known))})",
                           field=f"documents[{i}]", code="UNKNOWN_DOCUMENT")
    subject = body.get("subjectIin")
    if subject is not None:
        _iin(subject, "subjectIin", registers)
    form = body.get("form", {})
    if not isinstance(form, dict):
        raise BadInput("form must be an object", field="form")
    _check_form(service, form, flags, subject)
    representative = body.get("representative")
    if representative is not None and not isinstance(representative, dict):
        raise BadInput("representative must be an object {fullName, phone?, poaNumber?}", field="representative")
    address = person.reg_address
    return {
        "iin": person.iin, "category": category, "subtype": subtype, "flags": frozenset(flags),
        "documents": list(dict.fromkeys(presented)), "subject": subject, "form": form,
        "representative": representative,
        "applicant": {"iin": person.iin, "fullName": person.full_name, "phone": applicant.get("phone"),
                      "address": ", ".join(p for p in (address.city, address.street, address.building and
                                                       f"д. {address.building}", address.flat and f"кв. {address.flat}")
                                           if p) if address else None},
    }


def _check_form(service: BalkhashService, form: dict, flags: list, subject) -> None:
    if service.number == 2:
        periods = form.get("residencePeriods")
        if not isinstance(periods, list) or not periods:
            raise BadInput("form.residencePeriods: the years of residence on the test-site territory, "
                           "[{\"from\": 1955, \"to\": 1968}]", field="form.residencePeriods")
        for i, p in enumerate(periods):
            for key in ("from", "to"):
                if not isinstance(p, dict) or not isinstance(p.get(key), int) or not 1900 <= p[key] <= 2100:
                    raise BadInput("a year", field=f"form.residencePeriods[{i}].{key}")
            if p["to"] < p["from"]:
                raise BadInput("is before from", field=f"form.residencePeriods[{i}].to")
    if service.number == 15 and not isinstance(form.get("socialStatus"), str):
        raise BadInput("form.socialStatus: the applicant's social status (Приложение 3)", field="form.socialStatus")
    if "work_injury" in flags and service.number in (4, 5, 9) and not isinstance(form.get("employerTerminated"), bool):
        raise BadInput("form.employerTerminated: true or false (the employer's activity terminated in due form)",
                       field="form.employerTerminated")
    if service.number == 14:
        if subject is None:
            raise BadInput("subjectIin: the disabled child", field="subjectIin")
        if "quarter" in form:
            try:
                quarter_bounds(str(form["quarter"]))
            except RegisterError:
                raise BadInput("must be like 2013Q1", field="form.quarter") from None


def _queue(service: BalkhashService, channel: str, queue: Any, now: dt.datetime) -> dict | None:
    """§9 items 2-3: the wait the seed allows ("15 минут × persons ahead" or a fixed maximum) and
    the wait this applicant had (arrival to acceptance)."""
    if queue is None:
        return None
    if not isinstance(queue, dict):
        raise BadInput("queue must be {arrivedAt, personsAhead}", field="queue")
    try:
        arrived = dt.datetime.fromisoformat(str(queue.get("arrivedAt")))
    except ValueError:
        raise BadInput("an ISO date-time with its offset", field="queue.arrivedAt") from None
    if arrived.tzinfo is None:
        raise BadInput("needs a time-zone offset", field="queue.arrivedAt")
    ahead = queue.get("personsAhead", 0)
    if not isinstance(ahead, int) or ahead < 0:
        raise BadInput("a non-negative integer", field="queue.personsAhead")
    norm = service.queues[channel]
    allowed = norm.allowed_wait(ahead)
    waited = (now - arrived).total_seconds() / 60
    if waited < 0:
        raise BadInput("is after the acceptance", field="queue.arrivedAt")
    return {"personsAhead": ahead, "allowedWaitMinutes": allowed, "waitedMinutes": round(waited, 1),
            "waitExceeded": allowed is not None and waited > allowed, "serviceMinutes": norm.service_minutes}


def _missing_ground(service: BalkhashService) -> str:
    """The ground of a refusal at acceptance for missing documents: the service's own where it has
    one; otherwise MISSING_DOCUMENTS all the same (the талон is given "после сдачи всех
    необходимых документов", §12)."""
    return "INCOMPLETE_OR_UNRELIABLE" if service.ground("INCOMPLETE_OR_UNRELIABLE") else bs.MISSING_DOCUMENTS


def _first_history_at(store: CaseStore, number: str) -> dt.datetime:
    """When the case entered the department (its first act): the return is counted from it."""
    return store.history(number)[0]["at"].astimezone(ALMATY)

