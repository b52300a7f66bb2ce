"""The papers the ЦОН operator hands the recipient, in Kazakh and Russian.

- process 4 (002 §9.6, K03/K04): the notice that the data cannot be obtained;
- the receipt on acceptance of documents with the date the result will be issued (App.4 B10,
  message M9 [inferred]);
- the receipt of refusal to accept documents (Standard App.3, K01) is built in
  :mod:`completeness`, next to the check that produces it, on the :class:`Notice` shape here.

The seeds give the names of these papers, not their wording: every text and layout here is
**SYNTHETIC** (each paper says so in its last line). The result itself (decision or reasoned
refusal) is the provider's signed document, not a ЦОН paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from egov_sim.core.clock import ALMATY
from egov_sim.reference.terms import Due

from .applications_store import NoticeRecord
from .lookups import ENIS, GBDFL, INVALID_IIN, RegistryCheck

REFUSAL_RECEIPT = "intake-refusal-receipt"   # X2 / M2, K01
DATA_UNAVAILABLE = "data-unavailable"        # P4 / M7, K03 K04
ACCEPTANCE_RECEIPT = "acceptance-receipt"    # M9 [inferred]
KINDS = (REFUSAL_RECEIPT, DATA_UNAVAILABLE, ACCEPTANCE_RECEIPT)

SYNTHETIC_LINE_RU = "SYNTHETIC: макет egov-sim; текст формы в регламенте не приведён."
SYNTHETIC_LINE_KZ = "SYNTHETIC: egov-sim макеті; нысан мәтіні регламентте келтірілмеген."


@dataclass(frozen=True)
class Notice:
    """One paper: both languages as lines, and the data they were made from."""

    kind: str
    number: str
    issued_at: dt.datetime
    step: str
    check: str | None
    title_ru: str
    title_kz: str
    lines_ru: tuple[str, ...]
    lines_kz: tuple[str, ...]
    details: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"kind": self.kind, "number": self.number,
                "issuedAt": self.issued_at.astimezone(ALMATY).isoformat(timespec="seconds"),
                "step": self.step, "check": self.check,
                "titleRu": self.title_ru, "titleKz": self.title_kz,
                "textRu": "\n".join(self.lines_ru), "textKz": "\n".join(self.lines_kz),
                "details": self.details}

    def to_record(self) -> NoticeRecord:
        return NoticeRecord(self.kind, self.number, self.issued_at, self.to_json())


def render_text(body: dict) -> str:
    """The paper as plain text: Kazakh first, then Russian (the state language leads)."""
    return "\n".join([body["titleKz"], f"№ {body['number']}", "", body["textKz"], "", "-" * 72, "",
                      body["titleRu"], f"№ {body['number']}", "", body["textRu"], ""])


def local_date(moment: dt.datetime) -> str:
    return moment.astimezone(ALMATY).strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Parties:
    """Who the paper is between: the office and operator, the recipient, the service."""

    office_ru: str
    office_kz: str
    office_address: str
    operator_name: str
    recipient: str
    """Full name when known, else the IIN as entered."""
    recipient_iin: str
    service_ru: str
    service_kz: str
    representative: str | None = None


def _signatures_ru(p: Parties, moment: dt.datetime) -> list[str]:
    received = p.representative or p.recipient
    return [f"Работник Государственной корпорации: {p.operator_name} ____________ (подпись)",
            f"Получил(а): {received} ____________ (подпись)",
            f"Дата: {local_date(moment)}"]


def _signatures_kz(p: Parties, moment: dt.datetime) -> list[str]:
    received = p.representative or p.recipient
    return [f"Мемлекеттік корпорация қызметкері: {p.operator_name} ____________ (қолы)",
            f"Алдым: {received} ____________ (қолы)",
            f"Күні: {local_date(moment)}"]


# --- process 4: the data cannot be obtained ------------------------------------------------


def _reason_ru(check: RegistryCheck, p: Parties) -> str:
    if check.registry == GBDFL:
        what = f"сведения об услугополучателе (ИИН {p.recipient_iin}) в ГБД ФЛ"
    else:
        what = "сведения о нотариально удостоверенной доверенности представителя в ЕНИС"
    if check.reason == INVALID_IIN:
        return f"{what} не могут быть получены: ИИН указан неверно"
    code = f" (код ответа {check.result_code}: {check.result_name})" if check.result_code and check.result_name \
        else (f" (код {check.result_code})" if check.result_code else "")
    return f"{what} не получены{code}"


def _reason_kz(check: RegistryCheck, p: Parties) -> str:
    if check.registry == GBDFL:
        what = f"ЖТ МДҚ-дан көрсетілетін қызметті алушы туралы деректер (ЖСН {p.recipient_iin})"
    else:
        what = "БНАЖ-дан өкілдің нотариат куәландырған сенімхаты туралы деректер"
    if check.reason == INVALID_IIN:
        return f"{what} алынбайды: ЖСН қате көрсетілген"
    code = f" (жауап коды {check.result_code})" if check.result_code else ""
    return f"{what} алынбады{code}"


def data_unavailable(number: str, moment: dt.datetime, p: Parties,
                     failures: list[RegistryCheck]) -> Notice:
    """Process 4: the recipient's data are not in ГБД ФЛ and/or the PoA data are not in ЕНИС."""
    ru = [f"{p.office_ru}, {p.office_address}, сообщает, что по обращению за государственной услугой "
          f"«{p.service_ru}» данные, необходимые для её оказания, не могут быть получены:"]
    ru += [f"{i}) {_reason_ru(c, p)};" for i, c in enumerate(failures, 1)]
    ru += ["Запрос услугодателю не направлен. Обращение завершено.",
           f"Услугополучатель: {p.recipient} (ИИН {p.recipient_iin})"
           + (f"; представитель: {p.representative}" if p.representative else "")]
    ru += _signatures_ru(p, moment) + [SYNTHETIC_LINE_RU]
    kz = [f"{p.office_kz}, {p.office_address}, «{p.service_kz}» мемлекеттік көрсетілетін қызметіне "
          "жүгіну бойынша оны көрсету үшін қажетті деректерді алу мүмкін еместігін хабарлайды:"]
    kz += [f"{i}) {_reason_kz(c, p)};" for i, c in enumerate(failures, 1)]
    kz += ["Сұрау көрсетілетін қызметті берушіге жіберілмеді. Жүгіну аяқталды.",
           f"Көрсетілетін қызметті алушы: {p.recipient} (ЖСН {p.recipient_iin})"
           + (f"; өкілі: {p.representative}" if p.representative else "")]
    kz += _signatures_kz(p, moment) + [SYNTHETIC_LINE_KZ]
    return Notice(DATA_UNAVAILABLE, f"{number}/NODATA", moment, "P4", "K03" if all(
        c.registry == GBDFL for c in failures) else ("K04" if all(c.registry == ENIS for c in failures)
                                                      else "K03,K04"),
        "Уведомление о невозможности получения данных",
        "Деректерді алу мүмкін еместігі туралы хабарлама", tuple(ru), tuple(kz),
        {"failures": [{"registry": c.registry, "reason": c.reason, "resultCode": c.result_code,
                       "message": c.message} for c in failures]})


# --- M9: receipt on acceptance of documents -------------------------------------------------


def acceptance_receipt(number: str, moment: dt.datetime, p: Parties, documents: list[tuple[str, str]],
                       *, promised: Due | None) -> Notice:
    """M9 [inferred, App.4 B10]: the documents accepted and the date the result will be issued.

    ``documents``: (name_ru, name_kz) of each accepted document. ``promised`` is the regulation's
    receipt term counted from acceptance (egov_sim/reference/terms.py): 002 App.4 B10 issues the
    result "within the term stated in the receipt", and the scenario engine judges process 8
    against this very date.
    """
    due = promised.date if promised else None
    due_text = due.strftime("%d.%m.%Y") if due else "—"
    ru = [f"{p.office_ru}, {p.office_address}, принял документы на оказание государственной услуги "
          f"«{p.service_ru}» (обращение № {number}):"]
    ru += [f"{i}) {name_ru};" for i, (name_ru, _) in enumerate(documents, 1)]
    ru += [f"Дата выдачи результата: {due_text}.",
           f"Услугополучатель: {p.recipient} (ИИН {p.recipient_iin})"
           + (f"; представитель: {p.representative}" if p.representative else "")]
    ru += _signatures_ru(p, moment) + [SYNTHETIC_LINE_RU]
    kz = [f"{p.office_kz}, {p.office_address}, «{p.service_kz}» мемлекеттік көрсетілетін қызметті "
          f"көрсетуге құжаттарды қабылдады (жүгіну № {number}):"]
    kz += [f"{i}) {name_kz};" for i, (_, name_kz) in enumerate(documents, 1)]
    kz += [f"Нәтижені беру күні: {due_text}.",
           f"Көрсетілетін қызметті алушы: {p.recipient} (ЖСН {p.recipient_iin})"
           + (f"; өкілі: {p.representative}" if p.representative else "")]
    kz += _signatures_kz(p, moment) + [SYNTHETIC_LINE_KZ]
    return Notice(ACCEPTANCE_RECEIPT, f"{number}/ACC", moment, "P5", None,
                  "Расписка о приеме документов", "Құжаттарды қабылдау туралы қолхат",
                  tuple(ru), tuple(kz),
                  {"resultDate": due.isoformat() if due else None,
                   "term": promised.to_json() if promised else None,
                   "documents": [name_ru for name_ru, _ in documents]})
