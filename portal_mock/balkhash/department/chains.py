"""The action tables of seed 001 (Приложение, Таблица 1) as the workstation's chains.

Each service and channel is a sequence of steps; a step is one verb of the workstation done by
one role (the СФЕ of the table), with the table's completion form and the row it comes from. A
step names its row's **cell** in the term file (egov_sim/reference/regulations/001.yaml: ``M3``,
``A6``, ``V4``), whose stated term is the step's (reference/balkhash_terms.py): the department's
history, the engine's flows and the due dates read the one definition. A row the workstation
takes in several verbs (service 2's row 3: refer, commission, draft) gives its term to the last.
The workstation lets a case take the next step of its chain only, by the role the step names; the
seed's branches (refusal, return to the ЦОН, suspension) are side actions.

Where the tables are defective the step says so (``note``): the regulation's action is kept in
the СФЕ that the use-case table or the stages name (D07, D22), a missing deadline takes the
nearest stated one (D34), a cumulative cell is a milestone from registration (D18, D23, D35, D37,
D40). Verbs:

- ``accept`` (intake at the УО or the akim, talon), ``receive`` (by the ЦОН's реестр, or the
  akim's file), ``resolve`` (резолюция: the head names the executor), ``refer`` and
  ``commission`` (service 2: to the special commission, its decision), ``order_survey`` and
  ``survey`` and ``accept_conclusion`` (services 6, 7: поручение, акт обследования and
  заключение), ``forward`` (the akim sends the file to the УО), ``check`` (the head of sector
  checks the package), ``draft`` (calculation and the draft result or refusal), ``visa`` (the head
  of sector visas the draft), ``decide`` (the head decides and signs; in services 1 and 3 the
  officer registers), ``notify`` (the result to the applicant), ``dispatch`` (the result to the
  ЦОН by реестр).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from egov_sim.reference import balkhash_terms as bt
from egov_sim.reference.balkhash_services import AKIM, CON, UO, Readings, service

from .staff import AKIM as AKIM_ROLE
from .staff import AKIM_COMMISSION, COMMISSION, HEAD, OFFICER, RECORDS, SECTOR_HEAD, SPECIAL_COMMISSION

VERBS = ("accept", "receive", "resolve", "refer", "commission", "order_survey", "survey", "accept_conclusion",
         "forward", "check", "draft", "visa", "decide", "notify", "dispatch")


@dataclass(frozen=True)
class Step:
    verb: str
    role: str
    label_ru: str
    cell: str
    """The row's cell in the term file (``M3``)."""
    row: str
    form_ru: str = ""
    note: str = ""
    timed: bool = True
    """False for a part of a row whose term the row's last verb carries."""
    norm: str | None = None
    """The row's term as stated (``15 min``, ``<= 10 wd``, ``20 cd from registration``)."""

    @property
    def term(self) -> str | None:
        return self.norm

    def to_json(self) -> dict:
        return {"verb": self.verb, "role": self.role, "labelRu": self.label_ru, "cell": self.cell,
                "term": self.norm, "row": self.row, "formRu": self.form_ru, "note": self.note or None}


def S(verb: str, role: str, label: str, cell: str, row: str, form: str = "", note: str = "",
      timed: bool = True) -> Step:
    return Step(verb, role, label, cell, row, form, note, timed)


_NOTICE = "Уведомление либо мотивированный ответ об отказе"


def _three_sfe(*, decide_label: str = "Процедура подписания уведомления либо мотивированного ответа об "
                                      "отказе") -> tuple[Step, ...]:
    """Services 4, 5 (УО), 8, 9, 10: specialist → head of sector → head → specialist."""
    return (
        S("accept", OFFICER, "Обращение: прием документов, регистрация в журнале, выдача талона", "M1", "1",
          "Регистрация заявления в журнале, выдача потребителю талона"),
        S("draft", OFFICER, "Процедура оформления документов (пакет документов, проект уведомления либо отказа)",
          "M2", "2", "Пакет документов потребителя",
          note="D10: the draft of the notice or refusal is made here (nothing else prepares it before the visa)"),
        S("visa", SECTOR_HEAD, "Процедура проверки документов: проверка полноты и правильности, визирование",
          "M3", "3", "Пакет документов потребителя"),
        S("decide", HEAD, decide_label, "M4", "4", _NOTICE),
        S("notify", OFFICER, "Процедура уведомления потребителя услуги", "M5", "5", _NOTICE),
    )


def _con_disability() -> tuple[Step, ...]:
    """Services 4 and 5 through the ЦОН (Appendix 2, alternative process, rows 4-10)."""
    return (
        S("receive", RECORDS, "Прием документов, представленных центром, по реестру; регистрация в журнале",
          "A4", "4", "Регистрация в журнале"),
        S("resolve", HEAD, "Процедура определения ответственного исполнителя (резолюция)", "A5", "5",
          "Пакет документов потребителя"),
        S("check", SECTOR_HEAD, "Процедура проверки документов: полнота и правильность", "A6", "6", "Пакет документов"),
        S("draft", OFFICER, "Процедура подготовки уведомления либо мотивированного ответа об отказе", "A7", "7", _NOTICE),
        S("visa", SECTOR_HEAD, "Процедура визирования заведующим сектором", "A8", "8",
          "Виза в уведомлении либо мотивированный ответ об отказе"),
        S("decide", HEAD, "Процедура подписания уведомления", "A9", "9",
          "Подпись в уведомлении либо мотивированный ответ об отказе"),
        S("dispatch", RECORDS, "Процедура передачи уведомления либо отказа в центр", "A10", "10", "Реестр"),
    )


def _benefit_tail(cells: tuple[str, str, str], last: Step, rows: tuple[str, ...]) -> tuple[Step, ...]:
    return (
        S("draft", OFFICER, "Процедура расчета и назначения (проект решения о назначении либо об отказе)", cells[0],
          rows[0], "Макет личного дела"),
        S("visa", SECTOR_HEAD, "Процедура проверки документов: проверка, визирование проекта решения", cells[1],
          rows[1], "Завизированный макет личного дела"),
        S("decide", HEAD, "Принятие решения о назначении либо об отказе", cells[2], rows[2],
          "Личное дело с утвержденным решением, подлежащим исполнению"),
        last,
    )


def _survey(intake: Step, order: Step, survey: Step, conclusion: Step, tail: tuple[Step, ...]) -> tuple[Step, ...]:
    return (intake, order, survey, conclusion, *tail)


def _care(channel: str, total: int) -> tuple[Step, ...]:
    """Services 12 and 13 (variant 1 at the УО, variant 2 through the ЦОН)."""
    if channel == UO:
        return (
            S("accept", OFFICER, "Прием документов, регистрация заявления в журнале, выдача талона", "M1", "1.1",
              "Регистрация в журнале, выдача талона"),
            S("resolve", HEAD, "Наложение резолюции, определение ответственного исполнителя", "M2", "2.2",
              "Резолюция"),
            S("draft", OFFICER, "Проверка документов, формирование макета дела, подготовка уведомления либо отказа",
              "M3", "3" if total == 14 else "(3)", "Макет дела",
              note="" if total == 14 else "D34: action 3 is missing from Table 1 of variant 1; its term is variant 2's "
                                          "'в течение 10 рабочих дней' (reading s12_action3_as_variant2)"),
            S("decide", HEAD, "Подписание уведомления либо мотивированного ответа об отказе", "M4", "4", _NOTICE),
            S("notify", OFFICER, "Регистрация уведомления либо отказа в журнале и выдача потребителю", "M5", "5",
              "Выдача уведомления либо мотивированного ответа об отказе"),
        )
    return (
        S("receive", OFFICER, "Прием документов по реестру, регистрация заявления в журнале", "A3", "2.3",
          "Регистрация в журнале"),
        S("resolve", HEAD, "Наложение резолюции, определение ответственного исполнителя", "A4", "3.4",
          "Пакет документов"),
        S("draft", OFFICER, "Проверка документов, формирование макета дела, подготовка уведомления либо отказа", "A5",
          "3.5", _NOTICE),
        S("decide", HEAD, "Подписание уведомления либо мотивированного отказа", "A6", "4.6", _NOTICE),
        S("dispatch", OFFICER, "Регистрация уведомления либо отказа, формирование реестра, передача в накопительный "
          "сектор центра", "A7", "4.7", "Реестр",
          note=f"D35/D37: 'в течение {total} рабочих дней' is the overall milestone from registration"),
    )


def _steps(s: int, c: str, readings: Readings) -> tuple[Step, ...]:
    if s == 1 and c == UO:
        return (
            S("accept", OFFICER, "Прием необходимых документов; сверка данных потребителя по картотеке в системе "
              "центральной базы данных", "M1", "1", "Макет дела"),
            S("decide", OFFICER, "Заполнение карточки персонального учета в компьютерную базу данных", "M2", "2",
              "Регистрация и постановка на учет",
              note="D09: the refusal (§10) has no row; it is decided here, or at acceptance for missing documents"),
        )
    if s == 2 and c == UO:
        return (
            S("accept", OFFICER, "Прием заявления, регистрация в журнале заявлений пострадавших, выдача талона",
              "M1", "1", "Регистрационный талон"),
            S("resolve", HEAD, "Ознакомление с корреспонденцией, наложение резолюции", "M2", "2", "Наложение резолюции"),
            S("refer", OFFICER, "Формирование макета личного дела, передача документов на рассмотрение специальной "
              "комиссии", "M3", "3", "Макет личного дела", note="part of row 3 (14 wd in all)", timed=False),
            S("commission", SPECIAL_COMMISSION, "Рассмотрение специальной комиссией, решение", "M3", "3",
              "Решение специальной комиссии", note="part of row 3; the commission is not an СФЕ of §14", timed=False),
            S("draft", OFFICER, "Оформление уведомления либо мотивированного ответа об отказе, передача руководителю",
              "M3", "3", "Макет личного дела", note="row 3's 14 wd cover refer, commission and draft"),
            S("decide", HEAD, "Подписание уведомления либо мотивированного ответа об отказе", "M4", "4", "Подписание"),
            S("notify", OFFICER, "Вручение уведомления либо мотивированного ответа об отказе", "M5", "5", _NOTICE),
        )
    if s == 2 and c == CON:
        return (
            S("receive", RECORDS, "Прием документов из центра, регистрация, передача руководителю", "A4", "4",
              "Регистрация документов"),
            S("resolve", HEAD, "Ознакомление с корреспонденцией, наложение резолюции", "A5", "5", "Наложение резолюции"),
            S("refer", OFFICER, "Проверка документов, макет личного дела, передача специальной комиссии", "A6", "6",
              "Макет личного дела", note="part of row 6 (13 wd in all)", timed=False),
            S("commission", SPECIAL_COMMISSION, "Рассмотрение специальной комиссией, решение", "A6", "6",
              "Решение специальной комиссии", timed=False),
            S("draft", OFFICER, "Оформление уведомления либо мотивированного ответа об отказе", "A6", "6",
              "Макет личного дела"),
            S("decide", HEAD, "Наложение визы на уведомление либо мотивированный ответ об отказе", "A7", "7",
              "Наложение визы", note="D05: the alternative process has the head's visa where the main one signs"),
            S("dispatch", OFFICER, "Направление уведомления либо отказа в центр", "A8", "8", "Реестр"),
        )
    if s == 3 and c == UO:
        return (
            S("accept", OFFICER, "Прием заявления; оформление справки либо мотивированного ответа об отказе", "M1",
              "1", "Оформление справки либо мотивированного ответа об отказе"),
            S("decide", OFFICER, "Регистрация справки либо мотивированного ответа об отказе и выдача", "M2", "2",
              "Выдача справки либо мотивированного ответа об отказе", note="D06: 2 × 10 min against the stated 10 min"),
        )
    if s == 3 and c == CON:
        return (
            S("receive", OFFICER, "Прием документов от центра", "A4", "4", "Пакет документов",
              note="D07: row 4 is printed under 'СФЕ 2 центр' but is the УО's", timed=False),
            S("decide", OFFICER, "Оформление и регистрация справки либо мотивированного отказа", "A4", "4",
              "Справка либо мотивированный ответ об отказе"),
            S("dispatch", OFFICER, "Передача справки либо отказа в центр", "A5", "5", "Реестр",
              note="row 5: the transfer to the ЦОН and its acceptance there (the ЦОН's 10 minutes)", timed=False),
        )
    if s in (4, 5) and c == UO:
        return _three_sfe()
    if s in (4, 5) and c == CON:
        return _con_disability()
    if s == 6 and c == UO:
        return _survey(
            S("accept", OFFICER, "Прием заявления, регистрация в журнале, выдача отрывного талона, проект "
              "поручения участковой комиссии", "M1", "1", "Регистрация заявления, выдача талона"),
            S("order_survey", HEAD, "Выдача поручения на проведение обследования материального положения семьи",
              "M2", "2", "Поручение на проведение обследования"),
            S("survey", COMMISSION, "Обследование материального положения семьи", "M3", "3",
              "Акт обследования и заключение о нуждаемости"),
            S("accept_conclusion", OFFICER, "Прием документов с актом обследования и заключением участковой комиссии",
              "M4", "4", "Регистрация в журнале"),
            _benefit_tail(("M5", "M6", "M7"), S("notify", OFFICER, "Процедура уведомления потребителя", "M8", "8",
                                                _NOTICE), ("5", "6", "7")))
    if s == 6 and c == AKIM:
        notify = (S("notify", AKIM_ROLE, "Выдача уведомления либо отказа акимом", "V9", "9", _NOTICE,
                    note="D17 reading s6_akim_issuer=akim: §11 stage 7 has the akim issue the result")
                  if readings.s6_akim_issuer == "akim" else
                  S("notify", OFFICER, "Процедура уведомления потребителя", "V9", "9", _NOTICE,
                    note="D17: Table 1 has the УО specialist notify; §11 stage 7 the akim (reading s6_akim_issuer)"))
        return (
            S("accept", AKIM_ROLE, "Прием заявления, регистрация в журнале, выдача отрывного талона", "V1", "1",
              "Регистрация заявления, выдача талона"),
            S("order_survey", AKIM_ROLE, "Выдача поручения на проведение обследования", "V2", "2",
              "Поручение на проведение обследования"),
            S("survey", AKIM_COMMISSION, "Обследование материального положения семьи", "V3", "3",
              "Акт обследования и заключение о нуждаемости"),
            S("forward", AKIM_ROLE, "Передача макета дела специалисту сектора уполномоченного органа", "V4", "4",
              "Регистрация в журнале", note="D18: 'не более 20 календарных дней с момента регистрации' is a milestone"),
            S("receive", OFFICER, "Прием документов от акима", "V5", "5", "Регистрация в журнале"),
            *_benefit_tail(("V6", "V7", "V8"), notify, ("6", "7", "8")),
        )
    if s == 6 and c == CON:
        return _survey(
            S("receive", OFFICER, "Прием и регистрация документов по реестру", "A3", "3",
              "Регистрация заявлений в журнале"),
            S("order_survey", HEAD, "Выдача поручения на проведение обследования", "A4", "4",
              "Поручение на проведение обследования"),
            S("survey", COMMISSION, "Обследование материального положения семьи", "A5", "5",
              "Акт обследования и заключение о нуждаемости"),
            S("accept_conclusion", OFFICER, "Прием документов с актом обследования и заключением участковой комиссии",
              "A6", "6", "Регистрация в журнале"),
            _benefit_tail(("A7", "A8", "A9"), S("dispatch", OFFICER, "Оформление уведомления либо отказа и "
                                                "направление в центр", "A10", "10", _NOTICE), ("7", "8", "9")))
    if s == 7 and c == UO:
        return _survey(
            S("accept", OFFICER, "Прием заявления, регистрация в журнале АСП, выдача отрывного талона, проект "
              "поручения", "M1", "1", "Талон"),
            S("order_survey", HEAD, "Выдача поручения на проведение обследования", "M2", "2", "Письменное поручение"),
            S("survey", COMMISSION, "Проведение обследования материального положения семьи", "M3", "3",
              "Акт обследования и заключение о нуждаемости в назначении АСП",
              note="row 4 (the commission hands the documents over, 15 min) is the commission's act on paper"),
            S("accept_conclusion", OFFICER, "Прием документов из участковой комиссии", "M5", "5",
              "Регистрация в журнале"),
            _benefit_tail(("M6", "M7", "M8"),
                          S("notify", OFFICER, "Процедура уведомления либо мотивированного ответа об отказе", "M9",
                            "9", _NOTICE, note="D22: printed in the commission's column; the specialist's"),
                          ("6", "7", "8")))
    if s == 7 and c == AKIM:
        return (
            S("accept", AKIM_ROLE, "Прием заявления, регистрация в журнале АСП, выдача талона", "A1", "1", "Талон"),
            S("order_survey", AKIM_ROLE, "Выдача поручения на проведение обследования", "A2", "2", "Письменное поручение"),
            S("survey", AKIM_COMMISSION, "Обследование материального положения семьи", "A3", "3",
              "Акт обследования и заключение о нуждаемости"),
            S("forward", AKIM_ROLE, "Передача макета дела специалисту сектора УО", "A4", "4",
              "Регистрация в журнале", note="D23: '15 рабочих дней с момента регистрации' is a milestone"),
            S("receive", OFFICER, "Прием документов от акима поселка", "A5", "5", "Регистрация в журнале"),
            *_benefit_tail(("A6", "A7", "A8"),
                           S("notify", OFFICER, "Уведомление либо мотивированный ответ об отказе", "A9", "9", _NOTICE),
                           ("6", "7", "8")),
        )
    if s == 8 and c == UO:
        return _three_sfe(decide_label="Подписание решения о предоставлении социальных услуг и уведомления либо "
                                       "мотивированного ответа об отказе")
    if s in (9, 10) and c == UO:
        return _three_sfe()
    if s == 11 and c == UO:
        return (
            S("accept", OFFICER, "Прием заявления, регистрация в журнале, выдача талона", "M1", "1",
              "Регистрация, выдача талона"),
            *_benefit_tail(("M2", "M3", "M4"), S("notify", OFFICER, "Уведомление либо мотивированный ответ об отказе",
                                                 "M5", "5", _NOTICE), ("2", "3", "4")),
        )
    if s == 11 and c == CON:
        return (
            S("receive", OFFICER, "Прием и регистрация документов из центра по реестру", "A3", "3",
              "Регистрация в журнале"),
            *_benefit_tail(("A4", "A5", "A6"), S("dispatch", OFFICER, "Процедура передачи уведомлений в центр", "A7",
                                                 "7", _NOTICE), ("4", "5", "6")),
        )
    if s == 12:
        return _care(c, 17)
    if s == 13:
        return _care(c, 14)
    if s == 14 and c == UO:
        return (
            S("accept", OFFICER, "Прием заявления, регистрация в журнале, выдача талона", "M1", "1", "Талон"),
            *_benefit_tail(("M2", "M3", "M4"), S("notify", OFFICER, "Уведомление либо мотивированный ответ об отказе",
                                                 "M5", "5", _NOTICE), ("2", "3", "4")),
        )
    if s == 15 and c == UO:
        return (
            S("accept", OFFICER, "Прием заявления, регистрация в журнале, выдача талона", "M1", "1", "Талон"),
            S("draft", OFFICER, "Процедура оформления документов", "M2", "2",
              "Пакет документов", note="D40: '10 календарных дней с момента регистрации' is a milestone"),
            S("visa", SECTOR_HEAD, "Процедура проверки документов", "M3", "3", "Макет личного дела",
              note="the table names no visa here: the check is recorded as the head of sector's"),
            S("decide", HEAD, "Принятие решения о назначении либо об отказе", "M4", "4", "Личное дело потребителя"),
            S("notify", OFFICER, "Уведомление либо мотивированный ответ об отказе", "M5", "5", _NOTICE),
        )
    raise ValueError(f"service {s} has no channel {c!r}")


def chain(number: int, channel: str, readings: Readings = Readings()) -> tuple[Step, ...]:
    """The steps of service ``number`` through ``channel`` (ValueError for a channel it lacks),
    each with its row's term as the term file states it under ``readings``."""
    steps = _steps(number, channel, readings)
    svc = service(number)
    return tuple(replace(st, norm=bt.norm(svc, st.cell, readings) if st.timed else None) for st in steps)


RETURNABLE_SERVICES = (2, 6, 11)
"""Services 2, 6 and 11 §10: the УО returns an erroneous or incomplete package to the ЦОН "в течение
3 рабочих дней" after receiving it (the term file's ``return``)."""
SUSPENDABLE_SERVICES = (11, 15)
