"""The department's staff at its registers: who may enter what, and the lifecycle of assignments.

Writes are data entry by the unit that keeps the register (SYNTHETIC division of labour, after
the services each unit renders): the employment officer keeps the register of unemployed, the
benefits sector the households and incomes, the veterans sector and the care officer the
medical and social data, the veterans sector (service 2's working body) and the special
commission the compensations. Quarterly confirmation (services 6, 7) is the benefits
specialist's; termination, suspension and resumption of an assignment are the head's decisions.
Reading the registers is open to every member of the department and the akims' staff (the
akims' commissions survey the same families).
"""

from __future__ import annotations

import datetime as dt

from egov_sim.adapters.social import Facts, RegisterError, SocialRegisters
from egov_sim.adapters.social.income import per_capita_income, previous_quarter
from egov_sim.adapters.social.payments import quarter_bounds
from egov_sim.core.clock import ALMATY, Clock
from egov_sim.reference import balkhash_services as bs
from egov_sim.reference.balkhash_services import Readings

from .errors import BadInput, Conflict, Forbidden, NotFound, Unprocessable
from .staff import HEAD, OFFICER, SPECIAL_COMMISSION, StaffMember

WRITERS = {
    "unemployed": ({OFFICER}, {"employment"}),
    "households": ({OFFICER}, {"benefits"}),
    "medical": ({OFFICER}, {"veterans", "care"}),
    "compensations": ({OFFICER, SPECIAL_COMMISSION}, {"veterans", "special_commission"}),
    "confirmations": ({OFFICER}, {"benefits"}),
    "decisions": ({HEAD}, {"management"}),
}


class RegisterDesk:
    def __init__(self, registers: SocialRegisters, clock: Clock, readings: Readings):
        self.registers, self.clock, self.readings = registers, clock, readings

    def require(self, member: StaffMember, register: str) -> None:
        roles, units = WRITERS[register]
        if member.role not in roles or member.unit not in units:
            raise Forbidden(f"the {register} register is kept by {' or '.join(sorted(roles))} of "
                            f"{' or '.join(sorted(units))}; {member.login} is {member.role} of {member.unit}",
                            requiredRole=sorted(roles)[0])

    def today(self) -> dt.date:
        return self.clock().astimezone(ALMATY).date()

    # --- unemployed --------------------------------------------------------------------------------

    def register_unemployed(self, member: StaffMember, body: dict):
        self.require(member, "unemployed")
        return self.registers.unemployed.register(body.get("iin"), body.get("registeredOn", self.today()),
                                                  category=body.get("category", "citizen"), actor=member.login)

    def deregister_unemployed(self, member: StaffMember, iin: str, body: dict):
        self.require(member, "unemployed")
        return self.registers.unemployed.deregister(iin, body.get("on", self.today()), reason=body.get("reason"),
                                                    actor=member.login)

    def employment_event(self, member: StaffMember, iin: str, body: dict):
        self.require(member, "unemployed")
        return self.registers.unemployed.add_event(iin, body.get("kind"), body.get("onDate", self.today()),
                                                   note=body.get("note"), actor=member.login)

    # --- households ------------------------------------------------------------------------------

    def create_household(self, member: StaffMember, body: dict):
        self.require(member, "households")
        return self.registers.households.create(body.get("applicantIin"), activity=body.get("activity", "WORKING"),
                                                address=body.get("address"), cares_for=body.get("caresFor"),
                                                activity_since=body.get("activitySince"), actor=member.login)

    def add_member(self, member: StaffMember, household: int, body: dict):
        self.require(member, "households")
        return self.registers.households.add_member(household, body.get("iin"), relation=body.get("relation"),
                                                    activity=body.get("activity"), cares_for=body.get("caresFor"),
                                                    activity_since=body.get("activitySince"), actor=member.login)

    def update_member(self, member: StaffMember, iin: str, body: dict):
        self.require(member, "households")
        return self.registers.households.update_member(iin, activity=body.get("activity"),
                                                       cares_for=body.get("caresFor"),
                                                       activity_since=body.get("activitySince"), actor=member.login)

    def remove_member(self, member: StaffMember, iin: str):
        self.require(member, "households")
        return self.registers.households.remove_member(iin, actor=member.login)

    def set_incomes(self, member: StaffMember, body: dict):
        """Several incomes at once (one transaction each; the first bad one names its index)."""
        self.require(member, "households")
        incomes = body.get("incomes")
        if not isinstance(incomes, list) or not incomes:
            raise BadInput("incomes: a list of {iin, month, kind, amount}", field="incomes")
        out = []
        for i, item in enumerate(incomes):
            if not isinstance(item, dict):
                raise BadInput("an object {iin, month, kind, amount}", field=f"incomes[{i}]")
            try:
                out.append(self.registers.households.set_income(item.get("iin"), item.get("month"), item.get("kind"),
                                                                item.get("amount"), actor=member.login))
            except RegisterError as exc:
                exc.field = f"incomes[{i}].{exc.field}"
                raise
        return out

    def set_expenses(self, member: StaffMember, household: int, body: dict):
        self.require(member, "households")
        expenses = body.get("expenses")
        if not isinstance(expenses, list) or not expenses:
            raise BadInput("expenses: a list of {month, kind, amount}", field="expenses")
        out = []
        for i, item in enumerate(expenses):
            if not isinstance(item, dict):
                raise BadInput("an object {month, kind, amount}", field=f"expenses[{i}]")
            try:
                out.append(self.registers.households.set_expense(household, item.get("month"), item.get("kind"),
                                                                 item.get("amount"), actor=member.login))
            except RegisterError as exc:
                exc.field = f"expenses[{i}].{exc.field}"
                raise
        return out

    # --- medical and social ------------------------------------------------------------------------

    def medical(self, member: StaffMember, iin: str, kind: str, body: dict):
        self.require(member, "medical")
        m = self.registers.medical
        if kind == "disabilities":
            return m.add_disability(iin, group=body.get("group"), cause=body.get("cause"), since=body.get("since"),
                                    until=body.get("until"), certificate_number=body.get("certificateNumber"),
                                    actor=member.login)
        if kind == "iprs":
            return m.add_ipr(iin, number=body.get("number"), issued_on=body.get("issuedOn"),
                             valid_until=body.get("validUntil"), measures=body.get("measures"), actor=member.login)
        if kind == "contraindications":
            return m.add_contraindication(iin, measure=body.get("measure"), since=body.get("since"),
                                          until=body.get("until"), note=body.get("note"), actor=member.login)
        if kind == "statuses":
            return m.add_status(iin, status=body.get("status"), since=body.get("since"), until=body.get("until"),
                                document=body.get("document"), actor=member.login)
        raise NotFound(f"no medical register {kind!r}")

    def compensation(self, member: StaffMember, body: dict):
        self.require(member, "compensations")
        return self.registers.payments.record_compensation(body.get("iin"), paid_on=body.get("paidOn"),
                                                           amount=body.get("amount"), reference=body.get("reference"),
                                                           actor=member.login)

    # --- assignments -------------------------------------------------------------------------------

    def _assignment(self, number: str):
        a = self.registers.payments.get(number)
        if a is None:
            raise NotFound(f"no assignment {number}", code="ASSIGNMENT_NOT_FOUND")
        return a

    def confirm_quarter(self, member: StaffMember, number: str, body: dict):
        """Services 6 and 7 §13: the right "ежеквартально подтверждается представлением документов о
        доходах" — the income of the quarter before ``quarter`` against the threshold in force then."""
        self.require(member, "confirmations")
        a = self._assignment(number)
        if a.service not in (6, 7):
            raise Unprocessable(f"service {a.service} has no quarterly confirmation (services 6 and 7)",
                                code="NO_CONFIRMATION")
        quarter = body.get("quarter")
        if not isinstance(quarter, str):
            raise BadInput("quarter: like 2013Q2", field="quarter")
        first, _ = quarter_bounds(quarter)
        household = self.registers.households.household_of(a.iin)
        if household is None:
            raise Unprocessable("the family's composition and incomes are not in the register", code="NO_HOUSEHOLD")
        t = self.registers.thresholds.for_year(first.year)
        threshold, reading = ((t.food_basket, self.readings.s6_income_equal == "refuse") if a.service == 6
                              else (t.poverty_line, self.readings.s7_income_equal == "refuse"))
        pc = per_capita_income(household, previous_quarter(first))
        cmp = pc.compare(threshold)
        confirmed = cmp < 0 or (cmp == 0 and not reading)
        detail = {**pc.to_json(), "threshold": str(threshold), "confirmed": confirmed}
        return self.registers.payments.confirm_quarter(number, quarter=quarter, confirmed_on=self.today(),
                                                       confirmed=confirmed, detail=detail, actor=member.login)

    def terminate(self, member: StaffMember, number: str, body: dict):
        """Service 6 §10: the grounds that end a benefit; the child's death is read from ГБД ФЛ."""
        self.require(member, "decisions")
        a = self._assignment(number)
        if a.status not in ("ACTIVE", "SUSPENDED"):
            raise Conflict(f"assignment {number} is {a.status}", code="WRONG_STATUS")
        service = bs.service(a.service)
        ground = body.get("ground")
        codes = [g.code for g in service.grounds_of(bs.GroundKind.TERMINATION)]
        if ground not in codes:
            raise Unprocessable(f"ground must be a termination ground of service {a.service}: "
                                f"{', '.join(codes) or 'none'}", code="UNKNOWN_GROUND", field="ground")
        detail = {}
        if ground == "CHILD_DEATH":
            child_iin = body.get("childIin")
            household = self.registers.households.household_of(a.iin)
            if household is None or household.member(child_iin or "") is None:
                raise Unprocessable("childIin: a child of the family", code="NOT_A_CHILD", field="childIin")
            child = self.registers.persons.get(child_iin)
            if child is None or child.alive:
                raise Unprocessable(f"ГБД ФЛ does not record the death of {child_iin}", code="GROUND_NOT_BORNE_OUT",
                                    field="childIin")
            detail = {"childIin": child_iin, "deathDate": child.death_date.isoformat() if child.death_date else None}
        elif ground in ("FULL_STATE_SUPPORT", "PARENTAL_RIGHTS"):
            review = self.registers.assessor.termination_review(a, self.today())
            if ground not in review.refusal_grounds and not body.get("reasonText"):
                raise Unprocessable(f"the registers do not bear out {ground}; give the reasonText of the finding",
                                    code="GROUND_NOT_BORNE_OUT", field="ground", assessment=review.to_json())
            child = next((c.detail.get("childIin") for c in review.failed if c.ground == ground), None)
            detail = {"childIin": child} if child else {}
        elif not body.get("reasonText"):
            raise BadInput("reasonText is required for this ground", field="reasonText")
        return self.registers.payments.terminate(number, on=body.get("on", self.today()), ground=ground,
                                                 actor=member.login, detail={**detail, "reasonText": body.get("reasonText")})

    def review(self, member: StaffMember, number: str):
        """Service 6 §10: whether the registers hold a ground to end the benefit (the head decides)."""
        a = self._assignment(number)
        if a.service != 6:
            raise Unprocessable(f"service {a.service} has no termination grounds to review (service 6)",
                                code="NO_TERMINATION_GROUNDS")
        return self.registers.assessor.termination_review(a, self.today())

    def suspend(self, member: StaffMember, number: str, body: dict):
        self.require(member, "decisions")
        a = self._assignment(number)
        codes = [g.code for g in bs.service(a.service).grounds_of(bs.GroundKind.SUSPENSION)]
        if body.get("ground") not in codes:
            raise Unprocessable(f"ground must be a suspension ground of service {a.service}: {', '.join(codes) or 'none'}",
                                code="UNKNOWN_GROUND", field="ground")
        return self.registers.payments.suspend(number, on=body.get("on", self.today()), ground=body["ground"],
                                               actor=member.login)

    def resume(self, member: StaffMember, number: str, body: dict):
        self.require(member, "decisions")
        self._assignment(number)
        return self.registers.payments.resume(number, on=body.get("on", self.today()), actor=member.login)

    def assess(self, service: int, iin: str, on: dt.date, *, subject: str | None = None, subtype: str | None = None,
               flags=(), form: dict | None = None):
        return self.registers.assessor.assess(Facts(bs.service(service), iin, on, subject_iin=subject,
                                                    subtype=subtype, flags=frozenset(flags), form=form or {}))
