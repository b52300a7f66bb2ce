"""The notices the portal forms, in Kazakh and Russian, each tied to the step that forms it.

The regulations prescribe three notices for the portal channel of seed 002 (§11): refusal of
authorization (process 2, after condition 1), refusal because the recipient's EDS is not
confirmed (process 4, after condition 2) and the provider's refusal because of violations in the
recipient's documents (process 6, after condition 3). Seed 000 §8.2 adds the status "request
accepted". Everything else here is marked ``basis="inferred"``: the seeds prescribe nothing
at that step (registration, form completeness, portal eligibility, delivery over ШЭП), so the
simulator forms a notice of its own and says so. docs/portal.md has the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping


@dataclass(frozen=True)
class Notice:
    code: str
    step: str
    """Node of the portal flow (regulations-kz.md 4.4) that forms the notice."""
    checks: tuple[str, ...]
    """Checks K01–K19 whose failure (or success) leads here."""
    source: str
    """Where the regulation says so."""
    basis: str
    """"text" (the regulation prescribes it) or "inferred" (egov-sim's own, documented)."""
    text_kk: str
    text_ru: str

    def to_json(self) -> dict:
        return {"code": self.code, "step": self.step, "checks": list(self.checks),
                "source": self.source, "basis": self.basis, "kk": self.text_kk, "ru": self.text_ru}


AUTH_REFUSED = Notice(
    "AUTH_REFUSED", "P2", ("K07",), "002 §11.3–11.4 (condition 1 → process 2)", "text",
    "Көрсетілетін қызметті алушының деректеріндегі бұзушылықтарға байланысты порталда "
    "авторизациядан бас тарту туралы хабарлама: ЖСН немесе құпиясөз қате.",
    "Уведомление об отказе в авторизации на портале в связи с нарушениями в данных "
    "услугополучателя: неверный ИИН или пароль.")

EDS_NOT_CONFIRMED = Notice(
    "EDS_NOT_CONFIRMED", "P4", ("K08", "K09", "K10", "K17"), "002 §11.6–11.7 (condition 2 → process 4)",
    "text",
    "Көрсетілетін қызметті алушының ЭЦҚ расталмауына байланысты сұратылып отырған мемлекеттік "
    "көрсетілетін қызметтен бас тарту туралы хабарлама.",
    "Уведомление об отказе в запрашиваемой государственной услуге в связи с неподтверждением "
    "ЭЦП услугополучателя.")

DOCUMENTS_REFUSED = Notice(
    "DOCUMENTS_REFUSED", "P6", ("K06",), "002 §11.9–11.10 (condition 3 → process 6)", "text",
    "Көрсетілетін қызметті алушының құжаттарындағы бұзушылықтарға байланысты сұратылып отырған "
    "мемлекеттік көрсетілетін қызметтен бас тарту туралы хабарлама.",
    "Уведомление об отказе в запрашиваемой государственной услуге в связи с нарушениями в "
    "документах услугополучателя.")

RESULT_READY = Notice(
    "RESULT_READY", "P7", ("K13", "K19"), "002 §11.11 and its last sentence; 000 §3", "text",
    "Мемлекеттік көрсетілетін қызметтің нәтижесі көрсетілетін қызметті берушінің уәкілетті "
    "адамының ЭЦҚ-мен куәландырылған электрондық құжат нысанында «жеке кабинетке» жіберілді.",
    "Результат оказания государственной услуги направлен в «личный кабинет» в форме "
    "электронного документа, удостоверенного ЭЦП уполномоченного лица услугодателя.")

REQUEST_ACCEPTED = Notice(
    "REQUEST_ACCEPTED", "P5", ("K18",), "000 §8.2 (status in the personal cabinet)", "text",
    "Мемлекеттік қызмет көрсетуге сұрау салу қабылданды.",
    "Запрос на оказание государственной услуги принят.")

REGISTRATION_REFUSED = Notice(
    "REGISTRATION_REFUSED", "X1", (), "002 §11.1 (registration; no notice prescribed)", "inferred",
    "Порталда тіркеуден бас тартылды: ЖСН қате немесе жеке тұлғалар мемлекеттік деректер "
    "қорында (ЖТ МДҚ) табылмады.",
    "Отказ в регистрации на портале: ИИН указан неверно или не найден в государственной базе "
    "данных «Физические лица» (ГБД ФЛ).")

FORM_INCOMPLETE = Notice(
    "FORM_INCOMPLETE", "P3", ("K11",), "002 §11.5 (form requirements; no notice prescribed)", "inferred",
    "Сұрау салу нысаны талаптарға сай толтырылмаған: міндетті жолдар толтырылмаған немесе "
    "қажетті құжаттардың электрондық көшірмелері тіркелмеген.",
    "Форма запроса заполнена с нарушением требований: не заполнены обязательные поля или не "
    "приложены электронные копии необходимых документов.")

NOT_ELIGIBLE = Notice(
    "NOT_ELIGIBLE", "START", ("K16",), "000 §1.3 (portal only for persons with disabilities "
    "and socially significant diseases; no notice prescribed)", "inferred",
    "Портал арқылы бұл мемлекеттік қызмет тек мүгедектер мен әлеуметтік маңызы бар аурулары бар "
    "адамдарға көрсетіледі. Көрсетілетін қызметті берушіге немесе ауылдық округ әкіміне жүгініңіз.",
    "Через портал эта государственная услуга оказывается только лицам с инвалидностью и лицам "
    "с социально значимыми заболеваниями. Обратитесь к услугодателю или акиму сельского округа.")

NOT_DELIVERED = Notice(
    "NOT_DELIVERED", "P5", (), "002 §11.8 (sending via ШЭП; a failure is not described)", "inferred",
    "Сұрау салу электрондық үкімет шлюзі арқылы көрсетілетін қызметті берушіге жеткізілмеді. "
    "Сұрау салу сақталды, оны қайта жіберуге болады.",
    "Запрос не доставлен услугодателю через шлюз «электронного правительства». Запрос "
    "сохранён, его можно отправить повторно.")

NOTICES: Mapping[str, Notice] = MappingProxyType({n.code: n for n in (
    AUTH_REFUSED, REGISTRATION_REFUSED, NOT_ELIGIBLE, FORM_INCOMPLETE, EDS_NOT_CONFIRMED,
    REQUEST_ACCEPTED, NOT_DELIVERED, DOCUMENTS_REFUSED, RESULT_READY)})


def notice(code: str | None) -> Notice | None:
    return NOTICES.get(code) if code else None
