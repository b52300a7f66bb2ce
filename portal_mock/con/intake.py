"""The State Corporation channel from the counter to АРМ РШЭП: C0 → P1 → P2 → P3 → C1 → P4 | P5.

One call plays 002 §9 for one application, in the seed's order, and leaves the application in
the node it ends at, with a history entry per node (regulations-kz.md 4.3):

- X1/C0: the package is checked for completeness (K01); incomplete → X2, the receipt of refusal
  (Standard App.3); the application ends, nothing is looked up or sent.
- P1: the operator is authorised (the API's session, K02). The seed puts C0 before P1; here the
  operator is signed in for every call, so P1 is recorded after C0, with the session's operator.
- P2: the recipient's data (and the representative's, with a notarised power of attorney).
- P3/C1: ГБД ФЛ and ЕНИС through ШЭП (:mod:`lookups`); a failure → P4, the notice that the data
  cannot be obtained; the application ends.
- P5: the package is committed (status ACCEPTED, with the scanned documents) **before** it is
  signed and sent, so an accepted application survives any failure after acceptance; the signed
  package is kept and sent unchanged; a failed send leaves the application ACCEPTED with the
  reason in its history, and :meth:`Intake.send` tries again.

Input that breaks the form's rules (unknown service or document type, a required form field
missing, a malformed date) is not a regulatory outcome: it is refused as :class:`EntryError`
before any node is played, and no application is created.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, Sequence

from egov_sim.core.claims import Claims, fingerprint
from egov_sim.core.clock import Clock
from egov_sim.core.errors import InputError
from egov_sim.gateway.client import ShepClient, ShepError, ShepFault
from egov_sim.gateway.providers import SUCCESS_CODE
from egov_sim.reference.iin import is_valid_iin
from egov_sim.reference.person import PersonName
from egov_sim.reference.terms import Due, procedure_for
from egov_sim.signing.pki import TestPKI

from . import applications_store as st
from . import notices as nt
from .applications_store import ApplicationStore, HistoryEntry, NewApplication, StoredFile
from .completeness import check_completeness, refusal_receipt
from .lookups import ENIS, GBDFL, Registries, RegistryCheck, condition_one
from .operators import OFFICES, Operator, operator_signer
from .package import Attachment, build_service_request, load_package, package_request, sign_package

CHANNEL = "con"
INTAKE = "con.intake"
SENDING = "con.sending"
"""Claim scopes (egov_sim/core/claims.py): an intake by idempotency key, a package's sending."""
PACKAGE_FILE = "package.xml"
ATTACHMENT_PREFIX = "attachment/"


class Catalogue(Protocol):
    """What the intake needs of egov_sim.reference.catalogue (a stand-in may replace it in tests)."""

    def service(self, code: str) -> Any: ...
    def services_for(self, channel: str) -> list: ...
    def offices_for(self, service: Any, channel: str) -> list: ...
    def provider(self, code: str) -> Any: ...


class EntryError(InputError):
    """The operator's entry breaks the request form's rules; ``details`` lists each problem."""

    code = "ENTRY_INVALID"

    def __init__(self, message: str, *, code: str | None = None, details: list | None = None):
        super().__init__(message, code=code)
        self.details = details or []


@dataclass(frozen=True)
class ApplicantEntry:
    iin: str
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class RepresentativeEntry:
    """A representative acting under a notarised power of attorney (002 §9.3)."""

    iin: str
    poa_number: str
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None


@dataclass(frozen=True)
class ApplicationEntry:
    service_code: str
    applicant: ApplicantEntry
    provider_code: str | None = None
    representative: RepresentativeEntry | None = None
    form: dict[str, str] = field(default_factory=dict)
    documents: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Outcome:
    application: st.Application
    send_error: dict | None = None


def _acknowledgement(reply) -> dict:
    """The fields of РШЭП's ``rs:Acknowledgement`` (SYNTHETIC), if the answer carries one."""
    if reply.data is None:
        return {}
    return {c.tag: (c.text or "").strip() for c in reply.data
            if isinstance(c.tag, str) and not c.tag.startswith("{")}


def _full_name(d: dict | None) -> str | None:
    """The full name of a person kept as JSON (``surname``, ``name``, ``patronymic``)."""
    if not d:
        return None
    return PersonName(d.get("surname") or "", d.get("name") or "", d.get("patronymic")).full or None


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def check_form(service, form: dict[str, str]) -> list[dict]:
    """The form's rules (field types of the catalogue): one problem dict per broken field."""
    problems = []
    fields = {f.name: f for f in service.form}
    for name in form:
        if name not in fields:
            problems.append({"field": name, "problem": "unknown field"})
    for f in service.form:
        value = (form.get(f.name) or "").strip()
        if not value:
            if f.required:
                problems.append({"field": f.name, "problem": "required"})
            continue
        if f.type == "iin" and not is_valid_iin(value):
            problems.append({"field": f.name, "problem": "not a valid IIN"})
        elif f.type == "date":
            try:
                if not _DATE.fullmatch(value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                problems.append({"field": f.name, "problem": "not a date (YYYY-MM-DD)"})
        elif f.type == "number" and not _NUMBER.fullmatch(value):
            problems.append({"field": f.name, "problem": "not a number"})
        elif f.type == "choice" and value not in f.choices:
            problems.append({"field": f.name, "problem": f"must be one of {', '.join(f.choices)}"})
    return problems


class Intake:
    """Plays the State Corporation channel for applications of one ИИС ЦОН."""

    def __init__(self, *, store: ApplicationStore, registries: Registries, shep: ShepClient,
                 catalogue: Catalogue, pki: TestPKI, clock: Clock, term_options: dict | None = None,
                 claims: Claims | None = None):
        self.store, self.registries, self.shep = store, registries, shep
        self.catalogue, self.pki, self.clock = catalogue, pki, clock
        self.term_options = dict(term_options or {})
        """The readings of the regulations' terms, as the АРМ and the engine take them."""
        self.claims = claims or Claims(store.db)
        """One intake per idempotency key, one sender per application (across workers)."""

    # -- the form ---------------------------------------------------------------------------

    def resolve(self, entry: ApplicationEntry):
        """The catalogue's service and provider for ``entry``, or :class:`EntryError`."""
        try:
            service = self.catalogue.service(entry.service_code)
        except InputError as exc:
            raise EntryError(str(exc), code="UNKNOWN_SERVICE") from None
        if CHANNEL not in service.channels:
            raise EntryError(f"service {service.code} is not rendered through the State Corporation",
                             code="SERVICE_NOT_OFFERED")
        offices = self.catalogue.offices_for(service, CHANNEL)
        if entry.provider_code is None:
            if len(offices) != 1:
                raise EntryError(f"service {service.code} has {len(offices)} providers: choose one "
                                 f"(providerCode: {', '.join(o.code for o in offices)})",
                                 code="PROVIDER_REQUIRED")
            provider = offices[0]
        else:
            provider = next((o for o in offices if o.code == entry.provider_code), None)
            if provider is None:
                raise EntryError(f"provider {entry.provider_code!r} does not render {service.code} "
                                 f"(one of: {', '.join(o.code for o in offices)})",
                                 code="UNKNOWN_PROVIDER")
        known = {d.code for d in service.documents_for(CHANNEL)}
        unknown = sorted({a.document_code for a in entry.documents} - known)
        if unknown:
            raise EntryError(f"document type(s) {', '.join(unknown)} are not in the list of "
                             f"{service.code}", code="UNKNOWN_DOCUMENT_TYPE",
                             details=[{"documentTypeCode": c, "problem": "unknown"} for c in unknown])
        problems = check_form(service, entry.form)
        if problems:
            raise EntryError("the request form is not filled as its rules require",
                             code="FORM_INVALID", details=problems)
        return service, provider

    # -- the flow ---------------------------------------------------------------------------

    async def submit(self, operator: Operator, entry: ApplicationEntry, *,
                     idempotency_key: str | None = None) -> Outcome:
        """Play the channel for ``entry``. With an ``idempotency_key`` (the desk's form carries
        one; the API's ``Idempotency-Key`` header does the same one level up) the same entry
        submitted again — twice by a double click, or concurrently — makes one application, and
        every copy gets it; the same key with another entry is refused."""
        if idempotency_key is None:
            return await self._submit(operator, entry)

        async def work() -> str:
            outcome = await self._submit(operator, entry)
            return json.dumps({"number": outcome.application.number, "sendError": outcome.send_error})

        done, _ = await self.claims.once(INTAKE, f"{operator.office}|{operator.login}|{idempotency_key}",
                                         work, fingerprint=fingerprint(repr(entry)))
        kept = json.loads(done)
        return Outcome(await asyncio.to_thread(self.store.get, kept["number"]), kept["sendError"])

    async def _submit(self, operator: Operator, entry: ApplicationEntry) -> Outcome:
        service, provider = self.resolve(entry)
        office = OFFICES[operator.office]
        now = self.clock()
        documents = [{"documentTypeCode": a.document_code, "title": a.title,
                      "fileName": a.file_name, "mediaType": a.media_type, "size": len(a.content),
                      "sha256": hashlib.sha256(a.content).hexdigest()} for a in entry.documents]
        record: dict[str, Any] = {
            "entered": {"applicant": _drop_none(vars(entry.applicant)),
                        "representative": _drop_none(vars(entry.representative))
                        if entry.representative else None,
                        "form": dict(entry.form)},
            "documents": documents,
            "service": {"code": service.code, "nameRu": service.name_ru, "nameKz": service.name_kz,
                        "routeId": service.route_id},
            "provider": {"code": provider.code, "nameRu": provider.name_ru, "nameKz": provider.name_kz,
                         "bin": provider.bin, "regionCode": provider.region_code or None},
            "operator": {"login": operator.login, "iin": operator.iin, "fullName": operator.full_name},
        }
        who = "Представитель услугополучателя" if entry.representative else "Услугополучатель"
        history = [HistoryEntry(now, "X1", "DOCUMENTS_HANDED",
                                f"{who} передал оператору заявление и документы ({len(documents)})",
                                {"documents": [d["documentTypeCode"] for d in documents]})]
        new = NewApplication(operator.office, operator.login, service.code, provider.code,
                             entry.applicant.iin, record)  # ``record`` is filled in as the nodes play

        # C0 / K01
        completeness = check_completeness(service, [(a.document_code, len(a.content))
                                                    for a in entry.documents])
        record["completeness"] = {"required": list(completeness.required),
                                  "missing": [m.to_json() for m in completeness.missing]}
        parties = self._parties(office, operator, service, entry)
        if not completeness.complete:
            names = "; ".join(m.name_ru for m in completeness.missing)
            history += [
                HistoryEntry(now, "C0", "DOCUMENTS_INCOMPLETE",
                             f"Пакет документов неполный (K01): отсутствуют {names}",
                             {"missing": [m.code for m in completeness.missing]}),
                HistoryEntry(now, "X2", "INTAKE_REFUSED",
                             "В приеме документов отказано; выдана расписка об отказе в приеме "
                             "документов (приложение 3 к Стандарту)")]
            app = await asyncio.to_thread(
                self.store.create, new, status=st.REFUSED_AT_INTAKE, history=history,
                notices=lambda n: [refusal_receipt(n, now, parties, completeness.missing).to_record()])
            return Outcome(app)
        history += [
            HistoryEntry(now, "C0", "DOCUMENTS_COMPLETE", "Пакет документов полный (K01)"),
            HistoryEntry(now, "P1", "OPERATOR_AUTHORISED",
                         f"Оператор {operator.full_name} ({operator.login}, {operator.office}) "
                         "авторизован в АРМ ИИС ЦОН (K02)"),
            HistoryEntry(now, "P2", "DATA_ENTERED",
                         f"Выбрана услуга {service.code}; введены данные услугополучателя "
                         f"(ИИН {entry.applicant.iin})" + (
                             f" и представителя (ИИН {entry.representative.iin}, доверенность "
                             f"№ {entry.representative.poa_number})" if entry.representative else ""))]

        # P3 / C1 (K03, K04)
        rep = entry.representative
        c1 = await condition_one(self.registries, applicant_iin=entry.applicant.iin,
                                 representative_iin=rep.iin if rep else None,
                                 poa_number=rep.poa_number if rep else None,
                                 service_code=service.code)
        record["registryChecks"] = [c.to_json() for c in c1.checks]
        history += [self._lookup_entry(c) for c in c1.checks]
        if not c1.passed:
            parties = self._parties(office, operator, service, entry, c1.checks)
            reasons = "; ".join(c.message for c in c1.failures)
            at = self.clock()
            history += [
                HistoryEntry(at, "C1", "DATA_NOT_OBTAINED", f"Условие 1 не выполнено: {reasons}",
                             {"failures": [{"registry": c.registry, "reason": c.reason,
                                            "resultCode": c.result_code} for c in c1.failures]}),
                HistoryEntry(at, "P4", "NOTICE_ISSUED",
                             "Сформировано уведомление о невозможности получения данных")]
            app = await asyncio.to_thread(
                self.store.create, new, status=st.DATA_UNAVAILABLE, history=history,
                notices=lambda n: [nt.data_unavailable(n, at, parties, c1.failures).to_record()])
            return Outcome(app)

        record["applicant"] = self._applicant(entry.applicant, c1.person)
        record["representative"] = self._representative(rep, c1.power_of_attorney) if rep else None
        at = self.clock()
        history.append(HistoryEntry(at, "C1", "DATA_OBTAINED",
                                    "Условие 1 выполнено: сведения получены из ГБД ФЛ"
                                    + (" и ЕНИС" if rep else "")))
        files = [StoredFile(f"{ATTACHMENT_PREFIX}{i:02d}", a.media_type, a.content)
                 for i, a in enumerate(entry.documents, 1)]
        app = await asyncio.to_thread(self.store.create, new, status=st.ACCEPTED, history=history,
                                      files=files)
        return await self.send(operator, app.number)

    async def send(self, operator: Operator, number: str) -> Outcome:
        """P5: sign the package if it is not signed yet, then send it (again) through ШЭП.

        One sender at a time (a claim across workers): a double-clicked "send" sends one
        package; the second click gets the application as the first left it."""
        app = await asyncio.to_thread(self.store.get, number)
        if app is None or app.office != operator.office:
            raise KeyError(number)
        async with self.claims.hold(SENDING, number) as mine:
            if not mine:
                return Outcome(await asyncio.to_thread(self.store.get, number))
            return await self._send(operator, number)

    async def _send(self, operator: Operator, number: str) -> Outcome:
        app = await asyncio.to_thread(self.store.get, number)
        if app.status != st.ACCEPTED:
            raise st.StatusConflict(f"application {number} is {app.status}; only an ACCEPTED "
                                    "application is sent")
        package = await asyncio.to_thread(self.store.file, number, PACKAGE_FILE)
        if package is None:
            app, package = await asyncio.to_thread(self._sign, operator, app)
        service = self.catalogue.service(app.service_code)
        try:
            reply = await self.shep.send(service.code, load_package(package.content),
                                         route_id=service.route_id)
        except (ShepFault, ShepError) as exc:
            error = ({"code": exc.code, "message": exc.message, "subCode": exc.sub_code}
                     if isinstance(exc, ShepFault) else {"code": "SHEP_UNREACHABLE", "message": str(exc)})
            return await self._send_failed(number, "SEND_FAILED", "Пакет не отправлен через ШЭП", error)
        ack = _acknowledgement(reply)
        if reply.status_code != SUCCESS_CODE or ack.get("accepted") == "false":
            error = {"code": ack.get("errorCode") or reply.status_code,
                     "message": ack.get("errorMessage") or reply.status_message,
                     "messageId": reply.request_message_id}
            return await self._send_failed(number, "PACKAGE_REJECTED", "РШЭП не принял пакет", error)
        at = self.clock()
        entry = HistoryEntry(at, "P5", "PACKAGE_SENT",
                             f"Пакет отправлен через ШЭП в АРМ РШЭП ({service.code}, маршрут "
                             f"{service.route_id}); messageId {reply.request_message_id}"
                             + (f"; принят во входящие АРМ № {ack['inboxId']}" if ack.get("inboxId") else ""),
                             _drop_none({"serviceId": service.code, "routeId": service.route_id,
                                         "messageId": reply.request_message_id,
                                         "correlationId": reply.correlation_id,
                                         "status": reply.status_code, "acknowledgement": ack or None}))
        fields: dict[str, Any] = dict(correlation_id=reply.correlation_id,
                                      shep_message_id=reply.request_message_id, sent_at=at)
        try:
            app = await asyncio.to_thread(self.store.update, number, expect=[st.ACCEPTED],
                                          status=st.SENT, history=[entry], **fields)
        except st.StatusConflict:  # the АРМ answered before this update: keep its status
            app = await asyncio.to_thread(self.store.update, number, history=[entry], **fields)
        return Outcome(app)

    async def _send_failed(self, number: str, event: str, what: str, error: dict) -> Outcome:
        """The application stays ACCEPTED (committed, signed); the history says why."""
        error = _drop_none(error)
        await asyncio.to_thread(self.store.add_history, number, [HistoryEntry(
            self.clock(), "P5", event,
            f"{what}: {error.get('code')}: {error.get('message')}; заявка сохранена, отправку "
            "можно повторить (POST …/send)", error)])
        return Outcome(await asyncio.to_thread(self.store.get, number), error)

    def _sign(self, operator: Operator, app: st.Application):
        """K05: build, check and sign the package with the operator's EDS; commit it (blocking)."""
        r = app.record
        attachments = []
        for i, d in enumerate(r["documents"], 1):
            f = self.store.file(app.number, f"{ATTACHMENT_PREFIX}{i:02d}")
            attachments.append(Attachment(d["documentTypeCode"], d["fileName"], d["mediaType"],
                                          f.content if f else b"", d.get("title")))
        service = self.catalogue.service(app.service_code)
        labels = {f.name: f.label_ru for f in service.form}
        form = [(f.name, labels.get(f.name), r["entered"]["form"][f.name]) for f in service.form
                if (r["entered"]["form"].get(f.name) or "").strip()]
        content = package_request(
            request_id=app.number, request_date=app.created_at, service_code=service.code,
            service_name=service.name_ru, provider_bin=r["provider"]["bin"],
            provider_name=r["provider"]["nameRu"], region_code=r["provider"].get("regionCode"),
            applicant=r["applicant"], representative=r.get("representative"), operator=operator,
            office_code=app.office, registry_checks=r.get("registryChecks", []), form=form,
            attachments=attachments)
        signer = operator_signer(self.pki, operator)
        signed = sign_package(build_service_request(content), signer)
        at = self.clock()
        office = OFFICES[app.office]
        parties = nt.Parties(office.name_ru, office.name_kz, office.address, operator.full_name,
                             _full_name(r["applicant"]) or app.applicant_iin, app.applicant_iin,
                             service.name_ru, service.name_kz,
                             _full_name(r.get("representative")))
        docs = {d.code: (d.name_ru, d.name_kz) for d in service.documents}
        receipt = nt.acceptance_receipt(
            app.number, at, parties, [docs.get(d["documentTypeCode"], (d["fileName"], d["fileName"]))
                                      for d in r["documents"]], promised=self.promised(service, app, at))
        package = StoredFile(PACKAGE_FILE, "application/xml", signed)
        entry = HistoryEntry(at, "P5", "PACKAGE_SIGNED",
                             f"Пакет подписан ЭЦП оператора {operator.full_name} (ИИН {operator.iin}, "
                             "K05); выдана расписка о приеме документов",
                             {"signerIin": operator.iin, "certificateSerial": format(
                                 signer.certificate.serial_number, "x")})
        app = self.store.update(app.number, expect=[st.ACCEPTED], files=[package],
                                notices=[receipt.to_record()], history=[entry])
        return app, package

    def promised(self, service, app: st.Application, at: dt.datetime) -> Due:
        """The date the result will be issued, as the regulation's terms give it from this
        acceptance (its receipt term; for a service without one, its result term)."""
        office = self.catalogue.provider(app.provider_code)
        procedure = procedure_for(service.code, office.kind)
        return (procedure.receipt_due(CHANNEL, at, options=self.term_options)
                or procedure.result_due(CHANNEL, at, options=self.term_options))

    # -- helpers ----------------------------------------------------------------------------

    def _lookup_entry(self, c: RegistryCheck) -> HistoryEntry:
        name = "ГБД ФЛ" if c.registry == GBDFL else "ЕНИС"
        if not c.asked:
            return HistoryEntry(c.checked_at, "P3", f"{c.registry}_NOT_ASKED",
                                f"Запрос в {name} не отправлен: {c.message}", {"reason": c.reason})
        verdict = "сведения получены" if c.ok else f"сведения не получены ({c.reason})"
        return HistoryEntry(c.checked_at, "P3", f"{c.registry}_QUERIED",
                            f"Запрос в {name} через ШЭП ({c.service_id}): {c.message}; {verdict}",
                            _drop_none({"messageId": c.message_id, "resultCode": c.result_code,
                                        "reason": c.reason, "signature": c.signature}))

    @staticmethod
    def _applicant(entered: ApplicantEntry, person: RegistryCheck) -> dict:
        p = person.found or {}
        return _drop_none({"iin": entered.iin, "surname": p.get("surname") or entered.surname,
                           "name": p.get("name") or entered.name,
                           "patronymic": p.get("patronymic") or entered.patronymic,
                           "birthDate": p.get("birthDate"), "phone": entered.phone,
                           "email": entered.email})

    @staticmethod
    def _representative(entered: RepresentativeEntry, poa: RegistryCheck | None) -> dict:
        found = (poa.found or {}) if poa else {}
        attorney = found.get("attorney") or {}
        return _drop_none({"iin": entered.iin,
                           "surname": attorney.get("surname") or entered.surname or "—",
                           "name": attorney.get("name") or entered.name or "—",
                           "patronymic": attorney.get("patronymic") or entered.patronymic,
                           "poaNumber": found.get("poaNumber") or entered.poa_number,
                           "poaDate": found.get("registrationDate"),
                           "poaValidTo": found.get("validTo")})

    @staticmethod
    def _parties(office, operator: Operator, service, entry: ApplicationEntry,
                 checks: Sequence[RegistryCheck] = ()) -> nt.Parties:
        person = next((c.found for c in checks if c.registry == GBDFL and c.found), None)
        poa = next((c.found for c in checks if c.registry == ENIS and c.found), None)
        a = entry.applicant
        recipient = _full_name(person) or _full_name(vars(a)) or a.iin
        representative = None
        if entry.representative:
            r = entry.representative
            representative = (_full_name(poa.get("attorney")) if poa else None) or \
                _full_name(vars(r)) or f"ИИН {r.iin}"
        return nt.Parties(office.name_ru, office.name_kz, office.address, operator.full_name,
                          recipient, a.iin, service.name_ru, service.name_kz, representative)
