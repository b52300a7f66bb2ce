"""Condition 0 / K01: is the package complete, and the receipt of refusal to accept documents.

002 §9.1: "If the recipient has not submitted the complete package of documents required by
item 9 of the Standard, the State Corporation employee refuses to accept the application and
issues a receipt on refusal to accept the documents in the form of Appendix 3 to the Standard."
The application ends there (X2 → END_REFUSED_INTAKE); nothing is looked up or sent.

What "complete" means here: every document the catalogue marks ``required`` for the ``con``
channel is attached, and its file is not empty. The Standard's item 9 is not in the seed
(regulations-kz.md §7 item 14), so the list is the catalogue's SYNTHETIC one. Completeness is
about presence only; whether the documents conform is the provider's condition 2 (§7 item 11).
The receipt's layout is SYNTHETIC, after the Standard's App.3 (title, office, service, the
missing documents, two copies, signatures), in Kazakh and Russian.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from .notices import REFUSAL_RECEIPT, SYNTHETIC_LINE_KZ, SYNTHETIC_LINE_RU, Notice, Parties, local_date

CHANNEL = "con"


@dataclass(frozen=True)
class MissingDocument:
    code: str
    name_ru: str
    name_kz: str
    why: str
    """"absent" (no file of this type) or "empty" (a file of zero bytes)."""

    def to_json(self) -> dict:
        return {"documentTypeCode": self.code, "nameRu": self.name_ru, "nameKz": self.name_kz,
                "why": self.why}


@dataclass(frozen=True)
class Completeness:
    missing: tuple[MissingDocument, ...]
    required: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def check_completeness(service, attached: Iterable[tuple[str, int]]) -> Completeness:
    """K01 for ``service`` (a catalogue StateService) given (documentTypeCode, size) of each file."""
    sizes: dict[str, int] = {}
    for code, size in attached:
        sizes[code] = max(sizes.get(code, 0), size)
    required = [d for d in service.documents_for(CHANNEL) if d.required]
    missing = tuple(
        MissingDocument(d.code, d.name_ru, d.name_kz, "absent" if d.code not in sizes else "empty")
        for d in required if sizes.get(d.code, 0) <= 0)
    return Completeness(missing, tuple(d.code for d in required))


def refusal_receipt(number: str, moment: dt.datetime, p: Parties,
                    missing: tuple[MissingDocument, ...]) -> Notice:
    """X2: the receipt of refusal to accept documents (Standard App.3, SYNTHETIC layout)."""
    ru = [f"{p.office_ru}, {p.office_address}, отказывает в приеме документов на оказание "
          f"государственной услуги «{p.service_ru}» ввиду представления Вами неполного пакета "
          "документов согласно перечню, предусмотренному стандартом государственной услуги, а именно:",
          "Наименование отсутствующих документов:"]
    ru += [f"{i}) {m.name_ru}{' (файл пуст)' if m.why == 'empty' else ''};"
           for i, m in enumerate(missing, 1)]
    ru += ["Настоящая расписка составлена в двух экземплярах, по одному для каждой стороны.",
           f"Услугополучатель: {p.recipient} (ИИН {p.recipient_iin})"
           + (f"; представитель: {p.representative}" if p.representative else ""),
           f"Работник Государственной корпорации: {p.operator_name} ____________ (подпись)",
           f"Получил(а): {p.representative or p.recipient} ____________ (подпись)",
           f"Дата: {local_date(moment)}", SYNTHETIC_LINE_RU]
    kz = [f"{p.office_kz}, {p.office_address}, мемлекеттік көрсетілетін қызмет стандартында "
          "көзделген тізбеге сәйкес құжаттардың толық топтамасын ұсынбауыңызға байланысты "
          f"«{p.service_kz}» мемлекеттік көрсетілетін қызметті көрсетуге құжаттарды қабылдаудан бас "
          "тартады, атап айтқанда:",
          "Жоқ құжаттардың атауы:"]
    kz += [f"{i}) {m.name_kz}{' (файл бос)' if m.why == 'empty' else ''};"
           for i, m in enumerate(missing, 1)]
    kz += ["Осы қолхат әр тарапқа бір-бірден екі данада жасалды.",
           f"Көрсетілетін қызметті алушы: {p.recipient} (ЖСН {p.recipient_iin})"
           + (f"; өкілі: {p.representative}" if p.representative else ""),
           f"Мемлекеттік корпорация қызметкері: {p.operator_name} ____________ (қолы)",
           f"Алдым: {p.representative or p.recipient} ____________ (қолы)",
           f"Күні: {local_date(moment)}", SYNTHETIC_LINE_KZ]
    return Notice(REFUSAL_RECEIPT, f"{number}/REF", moment, "X2", "K01",
                  "Расписка об отказе в приеме документов",
                  "Құжаттарды қабылдаудан бас тарту туралы қолхат", tuple(ru), tuple(kz),
                  {"form": "Standard App.3 (SYNTHETIC layout)",
                   "missing": [m.to_json() for m in missing]})
