"""What happened to the residents: the rarer states (deceased, legally incapable or of limited
capacity, missing, removed), their identity documents by age and status (birth certificate
under 16, ID card renewed every 10 years, passports, foreigners' passports and residence
permits; expired, lost, replaced), and the temporary registrations of the young.
"""

from __future__ import annotations

from datetime import date

from egov_sim.reference import dictionaries as dic
from egov_sim.reference.person import document_number

from .draws import DEATH_BY_AGE, RATES, YEAR, Draws, day_number
from .people import Resident
from .places import Places

DOC_SLOTS = 4  # document numbers per person: n = global index * 4 + slot


class Life:
    """Life events and documents of a household's members, once the household is made."""

    def __init__(self, draws: Draws, places: Places):
        self.draws = draws
        self.places = places
        self.r = draws.r
        self.as_of = draws.as_of
        self.adult_line = draws.adult_line

    def incapable(self, p: Resident, status: str) -> None:
        p.cs = status
        since = max(p.birth + int(18 * YEAR), self.as_of - int(self.r() * 15 * YEAR))
        p.cd = [day_number(since), f"2-{self.draws.between(100, 9999)}/{date.fromordinal(since).year % 100:02d}",
                dic.court_of(p.region)]

    def rare_states(self, members: list[Resident]) -> None:
        adult_line = self.adult_line
        for p in members:
            if p.birth > adult_line or p.carer or p.death is not None or p.cs is not None or p.w:
                continue
            age = (self.as_of - p.birth) / YEAR
            r = self.r()
            for min_age, chance in DEATH_BY_AGE:
                if age >= min_age:
                    if r < chance:
                        latest_child = max((q.birth for q in members if q.iin in p.ch), default=0)
                        lo = max(p.birth + int(18 * YEAR), latest_child + 1, self.as_of - int(25 * YEAR))
                        p.death = lo + int(self.r() * max(1, self.as_of - 1 - lo))
                        p.life = dic.LIFE_DECEASED
                    break
            if p.death is not None:
                continue
            r = self.r()
            if r < RATES["incapable"]:
                self.incapable(p, dic.INCAPABLE)
                carer = next((q for q in members if q is not p and q.birth <= adult_line
                              and q.death is None and q.cs is None and not q.missing), None)
                if carer is not None:
                    p.g.append(carer.iin)
                    carer.w.append(p.iin)
            elif r < RATES["incapable"] + RATES["limited_capacity"]:
                self.incapable(p, dic.LIMITED_CAPACITY)
            elif r < RATES["incapable"] + RATES["limited_capacity"] + RATES["missing"]:
                p.missing = True
                p.life = dic.LIFE_MISSING
                since = self.as_of - 200 - int(self.r() * 8 * YEAR)
                p.md = [day_number(max(since, p.birth + int(18 * YEAR))),
                        f"{self.draws.between(1, 999)}-{date.fromordinal(since).year % 100:02d}",
                        dic.prosecutor_of(p.region)]
            elif r < RATES["incapable"] + RATES["limited_capacity"] + RATES["missing"] + RATES["removed"]:
                p.removed = True

    def documents(self, p: Resident) -> None:
        horizon = p.death if p.death is not None else self.as_of
        age_days = horizon - p.birth
        n = p.idx * DOC_SLOTS
        docs = p.docs
        r = self.r
        if p.foreign:
            issue = horizon - int(r() * 3000)
            docs.append([dic.FOREIGN_PASSPORT, document_number(dic.FOREIGN_PASSPORT, n), None,
                         day_number(issue), day_number(issue + 3651), dic.FOREIGN_ISSUER, dic.DOC_VALID])
            if r() < 0.6:
                issue = horizon - int(r() * 1800)
                docs.append([dic.RESIDENCE_PERMIT, document_number(dic.RESIDENCE_PERMIT, n + 1), None,
                             day_number(issue), day_number(issue + 3651), dic.MVD, dic.DOC_VALID])
            p.eng = 1  # the transliterated names (person_rows.encode_row)
            return
        sixteen = p.birth + int(16 * YEAR) + 1
        if horizon < sixteen:
            issue = min(p.birth + 3 + int(r() * 40), horizon)
            docs.append([dic.BIRTH_CERTIFICATE, document_number(dic.BIRTH_CERTIFICATE, n), None,
                         day_number(issue), None, dic.REGISTRY_OFFICE, dic.DOC_VALID])
            return
        cycle = int((horizon - sixteen) / (10 * YEAR))  # renewals so far: every 10 years
        issue = sixteen + int(cycle * 10 * YEAR) + int(r() * 150)
        if issue > horizon:
            issue = max(sixteen, horizon - int(r() * 30))
        if issue + 3651 < horizon:  # rounding: the current card is always in force
            issue = horizon - 3651 + int(r() * 100)
        status, invalid = dic.DOC_VALID, None
        alive = p.death is None
        x = r()
        if alive and x < RATES["id_expired"]:
            old = horizon - 3652 - 30 - int(r() * 1500)
            if old >= sixteen:
                issue, cycle = old, 0
                status, invalid = dic.DOC_EXPIRED, day_number(issue + 3652)
        elif alive and x < RATES["id_expired"] + RATES["id_lost"]:
            y = r()
            status = dic.DOC_LOST if y < 0.7 else dic.DOC_STOLEN if y < 0.9 else dic.DOC_DAMAGED
            invalid = day_number(issue + int(r() * max(1, min(3600, horizon - issue))))
        if cycle >= 1 and r() < RATES["id_replaced_history"]:
            previous = issue - 3652 - int(r() * 60)
            if previous >= sixteen:
                docs.append([dic.ID_CARD, document_number(dic.ID_CARD, n + 2), None, day_number(previous),
                             day_number(previous + 3651), dic.MVD, dic.DOC_REPLACED, day_number(issue)])
        card = [dic.ID_CARD, document_number(dic.ID_CARD, n), None, day_number(issue), day_number(issue + 3651),
                dic.MVD, status]
        if invalid is not None:
            card.append(invalid)
        docs.append(card)
        if alive and age_days > 18 * YEAR and r() < RATES["passport"]:
            issue = max(p.birth + int(18 * YEAR), horizon - int(r() * 3500))
            end = issue + 3651
            passport = [dic.PASSPORT, document_number(dic.PASSPORT, n + 1), None, day_number(issue),
                        day_number(end), dic.MVD, dic.DOC_VALID]
            if end < horizon:
                passport[6] = dic.DOC_EXPIRED
                passport.append(day_number(end + 1))
            docs.append(passport)
        if not alive:
            for d in docs:
                if d[6] == dic.DOC_VALID:
                    d[6] = dic.DOC_OWNER_DEAD
                    d[7:] = [day_number(p.death)]
        p.eng = 1

    def finish(self, p: Resident) -> None:
        """Dates and addresses that depend on the final state (death, temporary registration)."""
        if p.death is not None and p.ra is not None:
            if p.ra[9] > day_number(p.death):  # moved in after the death: registered there earlier
                p.ra[9] = day_number(max(p.birth + 3, p.death - int(self.r() * 3000)))
            p.ra[10] = day_number(p.death)
            p.ra[11] = dic.ADDRESS_DEREGISTERED
        elif (p.death is None and not p.foreign and self.as_of - int(30 * YEAR) < p.birth < self.as_of - int(18 * YEAR)
              and self.r() < RATES["temporary_address"]):
            region = dic.ASTANA if p.region != dic.ASTANA else dic.ALMATY_CITY
            h = self.places.household(region, self.as_of - int(self.r() * 700))
            end = h.begin + 730  # a two-year registration (e.g. a student)
            p.ad = [[dic.ADDRESS_TEMPORARY, dic.KAZAKHSTAN, region, h.district, h.city, h.street,
                     h.building, h.corpus, h.flat, day_number(h.begin), day_number(end),
                     dic.ADDRESS_REGISTERED if end >= self.as_of else dic.ADDRESS_DEREGISTERED, h.ar]]
        self.documents(p)
