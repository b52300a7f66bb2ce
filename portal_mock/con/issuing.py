"""Process 8 (002 §10.4, App.4 B10): the operator hands the provider's result to the recipient or
to the representative, and the application ends (ISSUED). A domain service, so the JSON API and
the desk's pages do the same thing."""

from __future__ import annotations

from egov_sim.core.clock import Clock
from egov_sim.core.errors import InputError

from . import applications_store as st
from .applications_store import ApplicationStore, HistoryEntry
from .operators import Operator

RECEIVERS = ("applicant", "representative")


class NoRepresentative(InputError):
    code = "NO_REPRESENTATIVE"


def issue_result(store: ApplicationStore, operator: Operator, app: st.Application, *, received_by: str,
                 note: str | None, clock: Clock) -> st.Application:
    """Record the hand-over of ``app``'s result (blocking). StatusConflict unless RESULT_READY."""
    if app.status != st.RESULT_READY:
        raise st.StatusConflict(f"application {app.number} is {app.status}; only a result "
                                "that has arrived (RESULT_READY) is issued")
    if received_by not in RECEIVERS:
        raise InputError(f"receivedBy must be one of {', '.join(RECEIVERS)}", code="BAD_PARAMETER")
    rep = app.record.get("representative")
    if received_by == "representative" and not rep:
        raise NoRepresentative("the application has no representative")
    who = rep if received_by == "representative" else app.record.get("applicant", {})
    name = " ".join(p for p in (who.get("surname"), who.get("name"), who.get("patronymic")) if p)
    now = clock()
    issued = {"at": st.iso(now), "operator": operator.login, "operatorName": operator.full_name,
              "receivedBy": received_by, "receiverIin": who.get("iin"), "receiverName": name,
              "note": note}
    result = app.result or {}
    what = (f"решение № {result['decision']['number']}" if app.outcome == "decision"
            else "мотивированный ответ об отказе")
    entry = HistoryEntry(now, "P8", "RESULT_ISSUED",
                         f"Результат ({what}) выдан "
                         f"{'представителю' if received_by == 'representative' else 'услугополучателю'} "
                         f"{name} (ИИН {who.get('iin')}) оператором {operator.full_name}",
                         {k: v for k, v in issued.items() if v is not None})
    return store.update(app.number, expect=[st.RESULT_READY], status=st.ISSUED, issued=issued,
                        history=[entry])
