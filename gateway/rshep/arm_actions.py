"""The staff actions of the provider's internal chain (chain.py), with their rules: who may act
(the role, the provider, the assigned executor), in which state, and what each action records,
signs and queues for the request's origin.

Checks run in a fixed order so the answer is predictable: a request of another provider is not
found (404), then the role (403), then the state (409), then the body (400). Every action writes
one history entry with the actor and the time of the injected clock, in the same transaction as
the change and the outbox messages it produces.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from egov_sim.core.auth import Account, Accounts
from egov_sim.core.clock import ALMATY, Clock, system_clock
from egov_sim.core.database import Transaction
from egov_sim.core.json_api import ApiError
from egov_sim.reference.catalogue import PROVIDERS, SERVICES, ProviderOffice, StateService
from egov_sim.reference.terms import Due, Procedure, procedure_for
from egov_sim.wsdl import rshep_replies as replies

from . import chain, wire
from .arm_store import ArmRequest, ArmStore
from .delivery import ORIGIN_INBOXES
from .staff import STAFF, Signers, StaffMember, ensure_account

OFFICE_CHANNELS = {"akimat": "OFFICE", "rural_akim": "AKIM"}
TERM_CHANNELS = {"OFFICE": "office", "AKIM": "akim", "CON": "con", "PORTAL": "portal"}
"""The request's channel (as the АРМ records it) → the term model's channel."""
HANDED_IN_WINDOW = dt.timedelta(days=10)
"""How long before now an office clerk may say the package was handed in (``handedInAt``): the
registration follows within 30 working minutes, which a long holiday may stretch over days."""


class ArmError(ApiError):
    """An action that cannot be done; ``status`` is the HTTP status the API answers with, the
    keyword arguments are members of the error body (``requiredRole``, ``currentState``…)."""

    status = 422
    code = "INVALID_INPUT"

    def __init__(self, message: str, **extra: Any):
        super().__init__(type(self).status, type(self).code, message, **extra)


class NotFound(ArmError):
    status, code = 404, "NOT_FOUND"


class Forbidden(ArmError):
    status, code = 403, "WRONG_ROLE"


class Conflict(ArmError):
    status, code = 409, "WRONG_STATE"


class BadInput(ArmError):
    """Well-formed input a rule refuses (a document that is not the service's, an executor of
    another office); ``field`` names it."""

    status, code = 422, "INVALID_INPUT"


class DocumentsMissing(ArmError):
    """A decision drafted on a package the АРМ recorded as lacking documents."""

    status, code = 409, "DOCUMENTS_MISSING"


@dataclass(frozen=True)
class ArmOptions:
    refusal_via_head: bool = True
    """regulations-kz §7 item 9: the seeds do not say whether a reasoned refusal passes through
    the head's signature (A4). True: the head signs refusals like decisions. False: the
    executor's own EDS signs the refusal and it goes straight to registration and issue (A5)."""
    origin_inboxes: dict[str, str] = field(default_factory=lambda: dict(ORIGIN_INBOXES))
    term_options: dict[str, bool] = field(default_factory=dict)
    """The readings of the regulations' terms (egov_sim/reference/terms.py): the same switches
    the ЦОН and the scenario engine take (``hand_in_milestone``, ``app4_hand_offs``)."""


def short_code(provider: str) -> str:
    return provider.replace("_", "-")


def _year(at: dt.datetime) -> int:
    return at.astimezone(ALMATY).year


def signing_office(office: ProviderOffice) -> str:
    """Whose head signs: the office's own, or for a rural akim the district akimat's (000 §5.4)."""
    return office.parent or office.code


class ArmActions:
    def __init__(self, store: ArmStore, accounts: Accounts, signers: Signers, *,
                 options: ArmOptions = ArmOptions(), clock: Clock = system_clock):
        self.store, self.accounts, self.signers = store, accounts, signers
        self.options, self.clock = options, clock

    # --- access ------------------------------------------------------------------------------

    def visible_providers(self, account: Account) -> list[str]:
        """The inboxes an account sees: its office's, and a head's also the rural akims' under it
        (their results come to this head for signature, 000 §5.4)."""
        codes = [account.owner] if account.owner in PROVIDERS else []
        if "head" in account.roles:
            codes += [o.code for o in PROVIDERS.values() if o.parent == account.owner]
        return codes

    def find(self, account: Account, request_id: int) -> ArmRequest:
        req = self.store.get(request_id)
        if req is None or req.provider not in self.visible_providers(account):
            raise NotFound(f"request {request_id} is not in your inbox")
        return req

    def _authorize(self, account: Account, req: ArmRequest, action: str) -> chain.Step:
        step = chain.STEPS[action]
        office = PROVIDERS[req.provider]
        where = signing_office(office) if action == "sign" else office.code
        if step.role not in account.roles or account.owner != where:
            raise Forbidden(f"'{action}' is done by the {step.role} of {where}",
                            requiredRole=step.role, requiredProvider=where, action=action)
        if step.role == "executor" and req.executor is not None and account.login != req.executor:
            raise Forbidden(f"'{action}' is done by the assigned executor {req.executor}",
                            requiredRole="executor", requiredExecutor=req.executor, action=action)
        if req.state not in step.from_states:
            raise Conflict(f"'{action}' needs the request in state {' or '.join(step.from_states)};"
                           f" it is {req.state}", expectedState=list(step.from_states),
                           currentState=req.state, action=action)
        return step

    def available(self, account: Account, req: ArmRequest) -> list[str]:
        """The actions ``account`` may take on ``req`` now (what the workstation offers), by the
        same rules :meth:`_authorize` enforces; ``extend`` only where a longer term exists."""
        out = []
        extensible = any(c.when == "extended" for c in self.procedure(req).cells)
        for action in chain.STEPS:
            if action == "extend" and (req.term_extended or not extensible):
                continue
            try:
                self._authorize(account, req, action)
            except ArmError:
                continue
            out.append(action)
        return out

    def executors_of(self, provider: str) -> list[StaffMember]:
        """Whom the head may appoint: the office's executors."""
        return [m for m in STAFF.values() if m.role == "executor" and m.provider == provider]

    # --- helpers -------------------------------------------------------------------------------

    def _record(self, tx: Transaction, req: ArmRequest, account: Account, action: str, to_state: str,
                at: dt.datetime, detail: dict) -> None:
        role = chain.STEPS[action].role if action in chain.STEPS else account.roles[0]
        self.store.add_history(tx, req.id, action=action, actor=account.login, role=role, at=at,
                               from_state=req.state, to_state=to_state, detail=detail)

    def _move(self, tx: Transaction, req: ArmRequest, to_state: str, **fields) -> None:
        if not self.store.update(tx, req.id, req.state, state=to_state, **fields):
            raise Conflict(f"request {req.id} changed meanwhile; reload it", currentState=req.state)

    def _notify(self, tx: Transaction, req: ArmRequest, element: etree._Element, *, kind: str,
                status: str) -> None:
        """Queue a message for the request's origin (none for requests taken at the office)."""
        if req.origin_sender is None:
            return
        self.store.enqueue(tx, req.id, kind=kind, status=status,
                           service_id=self.options.origin_inboxes.get(req.origin_sender),
                           correlation_id=req.shep_message_id,
                           payload=etree.tostring(element, encoding="UTF-8"))

    @staticmethod
    def _service(req: ArmRequest) -> StateService:
        return SERVICES[req.service_code]

    # --- A1 / S1: the office registers --------------------------------------------------------

    def register(self, account: Account, request_id: int) -> ArmRequest:
        req = self.find(account, request_id)
        self._authorize(account, req, "register")
        with self.store.db.transaction() as tx:
            self._register(tx, req, account)
        return self.store.get(req.id)

    # --- the terms ----------------------------------------------------------------------------

    def procedure(self, req: ArmRequest) -> Procedure:
        return procedure_for(req.service_code, PROVIDERS[req.provider].kind)

    def term_channel(self, req: ArmRequest) -> str:
        return TERM_CHANNELS.get(req.channel, "office")

    def dues(self, req: ArmRequest, *, extended: bool | None = None) -> tuple[Due, list[Due]]:
        """The result's due and every term's, counted from the moment the package reached the
        provider (handed in at the office, or arrived in the inbox through ШЭП)."""
        procedure, channel = self.procedure(req), self.term_channel(req)
        extended = req.term_extended if extended is None else extended
        options = self.options.term_options
        result = procedure.result_due(channel, req.received_at, extended=extended, options=options)
        every = procedure.dues(channel, req.received_at, extended=extended, options=options)
        return result, every

    def _register(self, tx: Transaction, req: ArmRequest, account: Account) -> None:
        now = self.clock()
        n = self.store.next_number(tx, req.provider, "registration", _year(now))
        number = f"{short_code(req.provider)}-{_year(now)}-{n:06d}"
        result, every = self.dues(req)
        self._move(tx, req, chain.REGISTERED, registration_number=number, registered_at=now,
                   due_date=result.date, due_at=result.due, terms=_terms_json(result, every))
        self._record(tx, req, account, "register", chain.REGISTERED, now,
                     {"registrationNumber": number, "dueDate": result.date.isoformat(),
                      "dueAt": _iso(result.due), "term": result.term.id})
        self._notify(tx, req, _notification(req.request_id, "REGISTERED", now,
                                                  registration=replies.Registration(number, replies.xml_datetime(now)),
                                                  due=result.date),
                     kind="NOTIFICATION", status="REGISTERED")

    def intake(self, account: Account, body: dict) -> ArmRequest:
        """An application handed in at the provider's (or rural akim's) office: accepted and
        registered at once by the clerk (002 §4, §5.1; 000 §1.1-1.2, §5.1)."""
        if "clerk" not in account.roles or account.owner not in PROVIDERS:
            raise Forbidden("applications at the office are accepted by a clerk", requiredRole="clerk",
                            action="intake")
        office = PROVIDERS[account.owner]
        channel = "akim" if office.kind == "rural_akim" else "office"
        svc = SERVICES.get(body["serviceCode"])
        if svc is None or office.code not in svc.providers or channel not in svc.channels:
            raise BadInput(f"{office.code} does not accept {body['serviceCode']!r} through the {channel}"
                           f" channel", field="serviceCode")
        known = {d.code for d in svc.documents}
        presented = list(body.get("documents", []))
        for i, code in enumerate(presented):
            if code not in known:
                raise BadInput(f"{code!r} is not a document of {svc.code}", field=f"documents[{i}]")
        missing = [d.code for d in svc.documents_for(channel) if d.required and d.code not in presented]
        applicant = body["applicant"]
        name = " ".join(p for p in (applicant["surname"], applicant["name"], applicant.get("patronymic")) if p)
        now = self.clock()
        handed_in = _handed_in(body.get("handedInAt"), now)
        with self.store.db.transaction() as tx:
            n = self.store.next_number(tx, office.code, "office-intake", _year(now))
            new_id, _ = self.store.receive(
                provider=office.code, service_code=svc.code, channel=OFFICE_CHANNELS[office.kind],
                origin_sender=None, route_id=None, shep_message_id=None,
                request_id=f"{short_code(office.code)}-IN-{_year(now)}-{n:06d}",
                applicant_iin=applicant["iin"], applicant_name=name,
                checks={"documentsPresented": presented, "missingDocuments": missing,
                        "form": body.get("form", {})},
                payload=None, actor=account.login, role="clerk", action="accept",
                detail={"channel": channel, "documents": presented, "handedInAt": _iso(handed_in)},
                received_at=handed_in)
            self._register(tx, self.store.get(new_id, tx), account)
        return self.store.get(new_id)

    # --- A2 / S2: the head appoints the executor ----------------------------------------------

    def assign(self, account: Account, request_id: int, executor: str) -> ArmRequest:
        req = self.find(account, request_id)
        self._authorize(account, req, "assign")
        target = ensure_account(self.accounts, executor)
        if target is None or "executor" not in target.roles or target.owner != req.provider:
            raise BadInput(f"{executor!r} is not an executor of {req.provider}", field="executor")
        now = self.clock()
        with self.store.db.transaction() as tx:
            self._move(tx, req, chain.EXECUTOR_ASSIGNED, executor=executor)
            self._record(tx, req, account, "assign", chain.EXECUTOR_ASSIGNED, now, {"executor": executor})
            self._notify(tx, req, _notification(req.request_id, "EXECUTOR_ASSIGNED", now,
                                                           due=req.due_date),
                         kind="NOTIFICATION", status="EXECUTOR_ASSIGNED")
        return self.store.get(req.id)

    # --- A3 / S3: the executor reviews, may extend the term, drafts ----------------------------

    def review(self, account: Account, request_id: int) -> ArmRequest:
        req = self.find(account, request_id)
        self._authorize(account, req, "review")
        now = self.clock()
        with self.store.db.transaction() as tx:
            self._move(tx, req, chain.UNDER_REVIEW)
            self._record(tx, req, account, "review", chain.UNDER_REVIEW, now, {})
            self._notify(tx, req, _notification(req.request_id, "UNDER_REVIEW", now, due=req.due_date),
                         kind="NOTIFICATION", status="UNDER_REVIEW")
        return self.store.get(req.id)

    def can_extend(self, req: ArmRequest) -> bool:
        """The regulation has a longer term for this request's chain (000 §5.3)."""
        procedure = self.procedure(req)
        return any(c.when == "extended" for c in procedure.cells) and not req.term_extended

    def extend(self, account: Account, request_id: int, reason: str,
               missing_documents: list[str] | None = None) -> ArmRequest:
        """000 §5.3 (K15): documents insufficient, damaged or lost — the term becomes 19 wd
        (16 wd at a rural akim) instead of a refusal."""
        req = self.find(account, request_id)
        self._authorize(account, req, "extend")
        svc = self._service(req)
        if not any(c.when == "extended" for c in self.procedure(req).cells):
            raise Conflict(f"{svc.code} has no extended term (only seed 000 §5.3 defines one)",
                           action="extend", currentState=req.state)
        if req.term_extended:
            raise Conflict("the term is already extended", action="extend", currentState=req.state)
        known = {d.code for d in svc.documents}
        for i, code in enumerate(missing_documents or []):
            if code not in known:
                raise BadInput(f"{code!r} is not a document of {svc.code}", field=f"missingDocuments[{i}]")
        now = self.clock()
        result, every = self.dues(req, extended=True)
        with self.store.db.transaction() as tx:
            if not self.store.update(tx, req.id, req.state, term_extended=True, due_date=result.date,
                                     due_at=result.due, terms=_terms_json(result, every)):
                raise Conflict(f"request {req.id} changed meanwhile; reload it", currentState=req.state)
            self._record(tx, req, account, "extend", req.state, now,
                         {"reason": reason, "missingDocuments": missing_documents or [],
                          "terms": _terms_json(result, every),
                          "previousDueDate": req.due_date.isoformat() if req.due_date else None,
                          "dueDate": result.date.isoformat(), "dueAt": _iso(result.due)})
            self._notify(tx, req, _notification(req.request_id, "TERM_EXTENDED", now,
                                                           due=result.date, comment=reason),
                         kind="NOTIFICATION", status="TERM_EXTENDED")
        return self.store.get(req.id)

    def draft(self, account: Account, request_id: int, body: dict) -> ArmRequest:
        """Condition K06 ("documents conform and grounds exist?") decides the outcome: a
        decision when true, a reasoned refusal (002 §10.3 P7 / §11.10 P6) when false."""
        req = self.find(account, request_id)
        self._authorize(account, req, "draft")
        svc = self._service(req)
        conform = bool(body["documentsConform"])
        missing = list((req.checks or {}).get("missingDocuments") or [])
        if conform and missing:
            self._check_documents(req, missing)
        if conform:
            draft = {"outcome": "decision", "documentsConform": True,
                     "text": body.get("decisionText") or f"Назначить: {svc.name_ru}",
                     "amount": body.get("amount")}
        else:
            known = {d.code for d in svc.documents}
            violations = []
            for i, v in enumerate(body.get("violations", [])):
                code = v.get("documentTypeCode")
                if code is not None and code not in known:
                    raise BadInput(f"{code!r} is not a document of {svc.code}",
                                   field=f"violations[{i}].documentTypeCode")
                violations.append({"documentTypeCode": code, "description": v["description"]})
            draft = {"outcome": "refusal", "documentsConform": False,
                     "reasonCode": body.get("reasonCode") or "DOCUMENT_VIOLATIONS",
                     "reasonText": body["reasonText"], "violations": violations}
        via_head = conform or self.options.refusal_via_head
        draft["refusalViaHead"] = None if conform else via_head
        now = self.clock()
        if via_head:
            with self.store.db.transaction() as tx:
                self._move(tx, req, chain.AWAITING_SIGNATURE, draft=draft)
                self._record(tx, req, account, "draft", chain.AWAITING_SIGNATURE, now, draft)
                self._notify(tx, req, _notification(req.request_id, "AWAITING_SIGNATURE", now,
                                                               due=req.due_date),
                             kind="NOTIFICATION", status="AWAITING_SIGNATURE")
        else:  # the refusal skips the head: the executor's own EDS certifies it
            self._sign(req, account, draft, action="draft")
        return self.store.get(req.id)

    def _check_documents(self, req: ArmRequest, missing: list[str]) -> None:
        """The executor's document check reads what was handed over: a decision on a package
        the АРМ recorded as lacking documents is refused. Where the regulation extends the term
        instead (000 §5.3, K15) the decision may follow the extension; otherwise only a reasoned
        refusal may (002 §10.2-10.3, §11.9-11.10, K06; at the office K12)."""
        names = ", ".join(missing)
        if any(c.when == "extended" for c in self.procedure(req).cells):
            if not req.term_extended:
                raise DocumentsMissing(f"documents not handed over: {names}. The term is extended first "
                                       "(POST …/extend, 000 §5.3, K15)",
                                   missingDocuments=missing, action="draft", currentState=req.state)
            return
        raise DocumentsMissing(f"documents not handed over: {names}. The documents do not conform (K06, K12): "
                               "draft a reasoned refusal (documentsConform: false)",
                               missingDocuments=missing, action="draft", currentState=req.state)

    # --- A4 / S5: the head signs ----------------------------------------------------------------

    def sign(self, account: Account, request_id: int) -> ArmRequest:
        req = self.find(account, request_id)
        self._authorize(account, req, "sign")
        self._sign(req, account, req.draft, action="sign")
        return self.store.get(req.id)

    def _sign(self, req: ArmRequest, account: Account, draft: dict, *, action: str) -> None:
        """Build the ServiceResult, sign it with the actor's legal-entity EDS (K13) and keep it.

        The accounting-journal number is reserved here: the contract puts ``journal`` inside
        the signed ServiceResult, so it must be known before the signature (docs/rshep.md)."""
        member = STAFF.get(account.login)
        if member is None:
            raise Conflict(f"{account.login} has no signing certificate in the simulator", action=action)
        signer = self.signers(member)  # issued before the transaction: the PKI writes files
        now = self.clock()
        year = _year(now)
        short = short_code(req.provider)
        with self.store.db.transaction() as tx:
            outcome: replies.Decision | replies.Refusal
            if draft["outcome"] == "decision":
                n = self.store.next_number(tx, req.provider, "decision", year)
                outcome = replies.Decision(f"D-{short}-{year}-{n:04d}",
                                           now.astimezone(ALMATY).date().isoformat(),
                                           draft["text"], _amount(draft.get("amount")))
            else:
                outcome = replies.Refusal(draft["reasonCode"], draft["reasonText"],
                                          tuple(replies.Violation(v["documentTypeCode"], v["description"])
                                                for v in draft["violations"]))
            j = self.store.next_number(tx, req.provider, "journal", year)
            journal = replies.Registration(f"J-{short}-{year}-{j:04d}", replies.xml_datetime(now))
            data = replies.write_result(replies.ServiceResult(
                req.request_id, replies.Registration(req.registration_number, replies.xml_datetime(req.registered_at)),
                outcome, journal, _signer(member), replies.xml_datetime(now)))
            signed = wire.sign_result(data, signer.key, signer.certificate)
            _check_result(signed)
            self._move(tx, req, chain.SIGNED, draft=draft, journal_number=journal.number,
                       result_xml=signed, signed_by=account.login)
            detail = {"outcome": draft["outcome"], "signer": member.full_name, "signerIin": member.iin,
                      "journalNumber": journal.number}
            if isinstance(outcome, replies.Decision):
                detail["decisionNumber"] = outcome.number
            if action == "draft":
                detail.update(draft)
            self._record(tx, req, account, action, chain.SIGNED, now, detail)

    # --- A5 / S6: the executor registers in the journal and issues ----------------------------

    def issue(self, account: Account, request_id: int) -> ArmRequest:
        req = self.find(account, request_id)
        self._authorize(account, req, "issue")
        now = self.clock()
        with self.store.db.transaction() as tx:
            self._move(tx, req, chain.COMPLETED, journal_at=now, completed_at=now)
            to = ORIGIN_NAMES.get(req.origin_sender, req.origin_sender) if req.origin_sender else "recipient in person"
            self._record(tx, req, account, "issue", chain.COMPLETED, now,
                         {"journalNumber": req.journal_number, "outcome": (req.draft or {}).get("outcome"),
                          "issuedTo": to})
            if req.origin_sender is not None:
                self.store.enqueue(tx, req.id, kind="RESPONSE", status="RESULT",
                                   service_id=self.options.origin_inboxes.get(req.origin_sender),
                                   correlation_id=req.shep_message_id, payload=req.result_xml)
        return self.store.get(req.id)


ORIGIN_NAMES = {"EGOV_SIM_PORTAL": "portal (EGOV_SIM_PORTAL)", "EGOV_SIM_IIS_CON": "State Corporation (EGOV_SIM_IIS_CON)"}


def _terms_json(result: Due, every: list[Due]) -> list[dict]:
    """Every term's due, the result's marked ``result: true`` (the one ``dueDate`` is)."""
    return [{**d.to_json(), "result": d.term.id == result.term.id} for d in every]


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(ALMATY).isoformat()


def _handed_in(value, now: dt.datetime) -> dt.datetime | None:
    """The office's ``handedInAt``: an ISO moment with its offset, not after now and not earlier
    than :data:`HANDED_IN_WINDOW` before (the registration follows the hand-in, §5.1)."""
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadInput(f"handedInAt {value!r} is not an ISO date-time with its offset",
                       field="handedInAt") from None
    if moment.tzinfo is None:
        raise BadInput("handedInAt needs its offset (+05:00)", field="handedInAt")
    if moment > now or moment < now - HANDED_IN_WINDOW:
        raise BadInput(f"handedInAt {value} is not within {HANDED_IN_WINDOW.days} days before now "
                       f"({now.isoformat()})",
                       field="handedInAt")
    return moment


def _amount(value) -> str | None:
    return None if value is None else f"{float(value):.2f}"


def _notification(request_id: str, status: str, now: dt.datetime, *,
                  registration: replies.Registration | None = None, due: dt.date | None = None,
                  comment: str | None = None) -> etree._Element:
    """A StatusNotification of the АРМ's step, dated by its clock."""
    return replies.write_notification(replies.StatusNotification(
        request_id, status, replies.xml_datetime(now), registration,
        due.isoformat() if due is not None else None, comment))


def _signer(member: StaffMember) -> replies.Signer:
    return replies.Signer(member.iin, member.full_name, member.position_ru)


def _check_result(signed: bytes) -> None:
    """A ServiceResult that breaks the contract is a bug here, not a message to send."""
    from egov_sim.core.safe_xml import parse

    error = replies.schema_error(replies.RESULT, parse(signed).getroot())
    if error is not None:
        raise RuntimeError(f"ServiceResult does not match the contract: {error}")
