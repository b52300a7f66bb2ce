"""The JSON report round-trips, keeps its key names, and writes datetimes with their offset."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from egov_sim.scenarios.reports import SchemaError, run_from_json, run_to_dict, run_to_json, write_json
from egov_sim.scenarios.results import RunResult

CAMEL = re.compile(r"[a-z][a-zA-Z0-9]*")


def test_round_trip_gives_an_equal_run(run, tmp_path):
    assert run_from_json(run_to_json(run)) == run
    path = write_json(run, tmp_path / "run.json")
    loaded = run_from_json(path)
    assert loaded == run
    assert run_from_json(str(path)) == run
    assert loaded.scenarios[0].flow is loaded.scenarios[1].flow  # flows are shared, by id
    assert loaded.scenarios[0].name == run.scenarios[0].name


def test_round_trip_with_run_errors_and_remote_target(run):
    run = dataclasses.replace(run, errors=("bad.yaml: boom",), against="http://127.0.0.1:8080")
    assert run_from_json(run_to_json(run)) == run


def test_top_level_shape_and_schema_version(run):
    data = run_to_dict(run)
    assert data["schemaVersion"] == "1.2"
    assert list(data) == ["schemaVersion", "generator", "started", "wallSeconds", "seed", "jobs",
                          "against", "errors", "defects", "passed", "summary", "flows", "scenarios"]
    (defect,) = data["defects"]
    assert defect["term"] == "extended" and defect["total"] == "19 wd 6 h 30 min" and defect["over"] == "30 min"
    assert defect["cells"][2] == {"node": "S3X", "cell": "S3X", "duration": "19 wd", "source": "§5.3"}
    assert defect["options"] == {"hand_in_milestone": False} and defect["scenarios"] == ["documents-insufficient-late"]
    late = data["scenarios"][3]
    assert late["terms"][0]["verdict"] == "missed" and late["defects"][0]["term"] == "extended"
    assert data["summary"] == {"scenarios": 4, "passed": 2, "failed": 2, "runErrors": 0}
    assert data["passed"] is False
    assert list(data["flows"]) == ["002-portal", "000-provider_office"]
    assert [n["id"] for n in data["flows"]["002-portal"]["nodes"]][:4] == ["START", "X1", "P1", "C1"]
    json.dumps(data)  # plain JSON data all the way down


DATA_MAPS = ("args", "laneHours", "options")
"""Objects whose keys are data (node arguments, lane names, reading options), not schema; ``flows``
is keyed by id."""


def _keys(value) -> set[str]:
    """Every schema key of every object in a JSON document."""
    if isinstance(value, dict):
        keys = set(value)
        for key, v in value.items():
            if key == "flows":
                keys |= {k for flow in v.values() for k in _keys(flow)}
            elif key not in DATA_MAPS:
                keys |= _keys(v)
        return keys
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_key_names_are_stable_camel_case(run):
    """Keys may be added (a minor schema version) but never renamed or dropped."""
    data = run_to_dict(run)
    assert all(CAMEL.fullmatch(k) for k in _keys(data)), sorted(k for k in _keys(data) if not CAMEL.fullmatch(k))
    scenario = data["scenarios"][0]
    assert set(scenario) >= {"scenarioId", "file", "title", "flow", "passed", "path", "expectedPath",
                             "failure", "outcome", "signedBy", "deadline", "steps", "messages",
                             "wallSeconds", "name"}
    assert scenario["flow"] == "002-portal"
    assert set(scenario["steps"][0]) >= {"nodeId", "started", "finished", "due", "status", "branch",
                                         "expectedBranch", "detail", "messageIds"}
    assert set(scenario["messages"][0]) >= {"journalId", "serviceId", "senderId", "routeId", "outcome",
                                            "signature", "at", "requestBody", "responseBody", "nodeId"}
    assert set(scenario["deadline"]) >= {"allowed", "due", "finished", "met"}
    flow = data["flows"]["002-portal"]
    assert set(flow) >= {"id", "regulation", "channel", "title", "lanes", "nodes", "total",
                         "workingHours", "readings", "source", "terms", "laneHours"}
    assert set(flow["nodes"][0]) >= {"id", "kind", "lane", "title", "actor", "next", "onTrue", "onFalse",
                                     "duration", "op", "args", "check", "basis", "line"}
    assert set(flow["total"]) >= {"amount", "unit", "within", "text"}
    assert set(flow["readings"][0]) >= {"id", "text", "reason", "option", "default"}
    assert set(flow["terms"][0]) >= {"id", "duration", "start", "end", "when"}
    assert flow["laneHours"] == {"PORTAL": "24/7"}


def test_datetimes_are_iso_8601_with_offset(run):
    data = run_to_dict(run)
    step = data["scenarios"][0]["steps"][0]
    assert step["started"] == "2024-02-05T10:00:00+05:00"
    assert data["started"] == "2024-05-20T12:15:03+05:00"  # written in Kazakhstan time
    assert dt.datetime.fromisoformat(data["started"]) == run.started
    msg = data["scenarios"][0]["messages"][0]
    assert msg["at"] == "2024-02-05T10:12:41+05:00"


def test_cyrillic_is_written_as_is(run):
    text = run_to_json(run)
    assert "Опекун получает пособие" in text and "Жақсылықова" in text


def test_unknown_keys_are_ignored_and_missing_defaults_filled(run):
    data = run_to_dict(run)
    data["futureKey"] = 1
    data["scenarios"][0]["futureKey"] = {"x": 1}
    del data["scenarios"][0]["steps"][0]["detail"]  # has a default
    del data["jobs"]
    loaded = run_from_json(json.dumps(data))
    assert loaded.jobs == 1
    assert loaded.scenarios[0].steps[0].detail == ""


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(schemaVersion="2.0"), "schemaVersion"),
    (lambda d: d["scenarios"][0].update(flow="nope"), "flow 'nope'"),
    (lambda d: d["scenarios"][0].pop("scenarioId"), "missing 'scenarioId'"),
    (lambda d: d["scenarios"][0]["steps"][0].update(started="yesterday"), "ISO 8601"),
])
def test_bad_documents_are_refused_with_a_reason(run, mutate, message):
    data = run_to_dict(run)
    mutate(data)
    with pytest.raises(SchemaError, match=message):
        run_from_json(json.dumps(data))


def test_not_json_is_refused():
    with pytest.raises(SchemaError, match="not JSON"):
        run_from_json("{broken")


def test_empty_run_round_trips():
    run = RunResult(scenarios=(), started=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), wall_seconds=0.0,
                    seed=0)
    assert run_from_json(run_to_json(run)) == run
