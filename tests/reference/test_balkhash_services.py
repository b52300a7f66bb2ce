"""Seed 001's catalogue: documents by category and channel, terms in the 2012-2013 calendar,
schedules, readings."""

from __future__ import annotations

import datetime as dt

import pytest

from egov_sim.core.clock import ALMATY
from egov_sim.core.days_off import kazakhstan
from egov_sim.core.working_time import parse_duration, working_time
from egov_sim.reference import balkhash_terms as bt
from egov_sim.reference.balkhash_services import CON, SERVICES, UO, Readings, service

D = dt.date


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ALMATY)


def issue_date(s, channel, day, readings=Readings()) -> dt.date:
    """The date on the талон or the расписка for a package accepted on ``day`` at 10:00."""
    return bt.result_due(s, channel, _at(day), readings).date


def test_fifteen_services_with_the_seeds_channels_and_terms():
    assert sorted(SERVICES) == list(range(1, 16))
    assert [n for n, s in SERVICES.items() if CON in s.channels] == [2, 3, 4, 5, 6, 11, 12, 13]
    assert [n for n, s in SERVICES.items() if "akim" in s.channels] == [6, 7]
    assert bt.term_text(service(2), CON) == "20 cd (день приема и выдачи не входит в срок)"
    assert bt.result_term(service("BLH-S07"), "akim").duration.amount == 22
    assert service("targeted-social-assistance").number == 7


@pytest.mark.parametrize("day, name", [
    (D(2012, 3, 9), "day off"), (D(2012, 3, 21), "Nowruz"), (D(2012, 12, 18), "observed"),
    (D(2012, 12, 31), "day off"), (D(2013, 5, 7), "Defender"), (D(2013, 5, 10), "day off"),
    (D(2013, 10, 14), "day off"), (D(2013, 3, 25), "observed")])
def test_the_2012_2013_days_off(day, name):
    holiday = kazakhstan().holiday(day)
    assert holiday is not None and name.lower() in holiday.lower()


def test_working_saturdays_of_2012_and_2013_are_working_days():
    for day in (D(2012, 3, 11), D(2012, 4, 28), D(2012, 12, 29), D(2013, 5, 4), D(2013, 10, 12), D(2013, 12, 28)):
        assert not kazakhstan().is_day_off(day), day


@pytest.mark.parametrize("start, term, due", [
    (D(2013, 2, 4), "10 wd", D(2013, 2, 18)),   # the spec's reference date
    (D(2013, 2, 4), "3 wd", D(2013, 2, 7)),
    (D(2012, 12, 7), "10 wd", D(2012, 12, 25)),  # Independence Day 17 December and 18 (observed) off
    (D(2013, 3, 5), "7 wd", D(2013, 3, 15)),    # Friday 8 March off
    (D(2013, 3, 18), "7 wd", D(2013, 4, 1)),    # Nauryz: 21-22 March and 25 March (observed) off
    (D(2012, 4, 26), "2 wd", D(2012, 4, 28)),   # Saturday 28 April 2012 was a working day
])
def test_working_days_in_the_seeds_calendar(start, term, due):
    """Seed 001 counts terms in days from the day after the submission (the term file's
    counting: next_day), on the УО's calendar."""
    from egov_sim.core.working_time import Counting

    uo = working_time("09:00-18:00/13:00-14:00")
    assert uo.due(_at(start), parse_duration(term), counting=Counting.NEXT_DAY).date() == due


def test_the_date_on_the_raspiska_reads_the_term_and_the_centres_days():
    s3, s11 = service(3), service(11)
    assert issue_date(s3, CON, D(2013, 2, 4)) == D(2013, 2, 8)  # 3 wd, the issue day after them
    assert issue_date(s3, CON, D(2013, 2, 4), readings=Readings(issue_day="last_day")) == D(2013, 2, 7)
    # Service 11: 10 cd from Thu 14 March 2013 end on Sun 24; Mon 25 is Nauryz (observed): the term
    # ends on Tue 26 March, and the day of issue, outside it, is Wed 27 (last_day: Tue 26).
    assert issue_date(s11, CON, D(2013, 3, 14), readings=Readings(issue_day="last_day")) == D(2013, 3, 26)
    assert issue_date(s11, CON, D(2013, 3, 14)) == D(2013, 3, 27)
    # Service 11 opens on Saturdays at the ЦОН: 10 cd from Wed 30 Jan → Sat 9 Feb, issued Sat 9 Feb (last_day).
    assert issue_date(s11, CON, D(2013, 1, 30), readings=Readings(issue_day="last_day")) == D(2013, 2, 9)
    # At the УО, a calendar-day term ending on a Sunday is due the next working day.
    assert issue_date(service(2), UO, D(2013, 2, 4)) == D(2013, 2, 25)


def test_schedules():
    uo, con11, con6 = service(6).schedule(UO), service(11).schedule(CON), service(6).schedule(CON)
    at = dt.datetime
    assert uo.is_open_at(at(2013, 2, 4, 9, 0)) and not uo.is_open_at(at(2013, 2, 4, 13, 30))
    assert not uo.is_open_at(at(2013, 2, 4, 18, 0)) and con6.is_open_at(at(2013, 2, 4, 19, 59))
    assert con11.is_open_at(at(2013, 2, 9, 19, 30)) and not con6.is_open_at(at(2013, 2, 9, 10, 0))
    assert not con11.is_open_at(at(2013, 3, 8, 10, 0))  # International Women's Day
    assert con6.is_open_at(at(2013, 5, 4, 10, 0))  # a decree working Saturday


@pytest.mark.parametrize("number, category, channel, flags, subtype, documents, missing", [
    (1, "citizen", UO, (), None, ["PASSPORT", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN", "INCOME_DECLARATION"], []),
    (1, "stateless", UO, (), None, ["RESIDENCE_PERMIT", "STATELESS_ID", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN",
                                    "INCOME_DECLARATION"], []),
    (1, "oralman", UO, (), None, ["ID_CARD"], ["ORALMAN_ID", "LABOUR_DOCUMENTS", "SIK_CERTIFICATE", "RNN",
                                                 "INCOME_DECLARATION"]),
    (4, "citizen", UO, ("minor",), None, ["APPLICATION", "IPR_EXTRACT"], ["BIRTH_CERTIFICATE", "PARENT_ID"]),
    (4, "citizen", CON, ("vov_participant",), None, ["APPLICATION", "IDENTITY_DOCUMENT", "IPR_EXTRACT",
                                                     "VOV_CERTIFICATE"], ["MEDICAL_CONCLUSION"]),
    (5, "citizen", UO, (), "hygiene", ["APPLICATION", "IPR_EXTRACT", "IDENTITY_DOCUMENT"], ["DISABILITY_CERTIFICATE"]),
    (5, "citizen", UO, ("disability_group",), "surdo", ["APPLICATION", "IPR_EXTRACT", "IDENTITY_DOCUMENT"],
     ["PENSION_CERTIFICATE"]),
    (11, "citizen", CON, ("has_telephone",), None, ["IDENTITY_DATA", "TITLE_DEED", "HOUSEHOLD_BOOK", "FAMILY_INCOME",
                                                    "MAINTENANCE_BILLS", "UTILITY_BILLS"], ["TELECOM_BILL"]),
    (11, "citizen", UO, (), None, ["IDENTITY_DOCUMENT", "TITLE_DEED", "FAMILY_INCOME", "MAINTENANCE_BILLS",
                                   "UTILITY_BILLS"], ["HOUSEHOLD_BOOK"]),
    (13, "citizen", UO, ("elderly",), None, ["APPLICATION", "ID_CARD", "ADDRESS_CERTIFICATE", "MEDICAL_CARD"], []),
    (13, "citizen", UO, (), None, ["APPLICATION", "ID_CARD", "ADDRESS_CERTIFICATE", "MEDICAL_CARD"],
     ["DISABILITY_CERTIFICATE", "IPR_EXTRACT"]),
    (2, "citizen", UO, ("no_archive_documents",), None, ["APPLICATION", "ID_CARD", "ADDRESS_CERTIFICATE",
                                                         "SAVINGS_BOOK"], ["COURT_DECISION"]),
])
def test_documents_by_category_channel_and_flags(number, category, channel, flags, subtype, documents, missing):
    found = service(number).missing_documents(documents, category=category, channel=channel, flags=flags,
                                              subtype=subtype)
    assert [d.code for d in found] == missing


def test_a_reading_must_be_one_of_its_choices():
    with pytest.raises(ValueError, match="issue_day must be one of after_term, last_day"):
        Readings(issue_day="tomorrow")
    with pytest.raises(ValueError, match="no services"):
        Readings(electronic_results=frozenset({16}))
