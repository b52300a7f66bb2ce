"""Reports name the transport signature's algorithm (RSA or GOST) beside the verdict."""

import dataclasses

from egov_sim.scenarios.messages import records
from egov_sim.scenarios.reports import render_html, run_from_json, run_to_json


def test_journal_entries_carry_the_algorithm_into_message_records():
    entry = {"id": 7, "serviceId": "SIM_ECHO", "requestSignature": "valid", "receivedAt": None,
             "signatureDetails": {"algorithm": "GOST 34.310-2004", "codes": []}}
    (record,) = records([entry], {})
    assert record.signature == "valid" and record.signature_algorithm == "GOST 34.310-2004"
    (unsigned,) = records([{"id": 8, "requestSignature": "absent", "receivedAt": None}], {})
    assert unsigned.signature_algorithm is None


def test_html_report_shows_the_algorithm(run):
    scenario = run.scenarios[0]
    gost = dataclasses.replace(scenario, messages=tuple(
        dataclasses.replace(m, signature_algorithm="GOST 34.10-2015-512") for m in scenario.messages))
    gost_run = dataclasses.replace(run, scenarios=(gost, *run.scenarios[1:]))
    assert "(GOST 34.10-2015-512)" in render_html(gost_run)
    assert "(GOST 34.10-2015-512)" not in render_html(run)
    again = run_from_json(run_to_json(gost_run))
    assert again.scenarios[0].messages[0].signature_algorithm == "GOST 34.10-2015-512"
