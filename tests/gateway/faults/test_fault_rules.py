"""Checking rules: every bad field is named as the user spelled it (config key, JSON key)."""

from __future__ import annotations

import pytest

from egov_sim.core.errors import InputError
from egov_sim.gateway.config import parse_config
from egov_sim.gateway.fault_injection import (
    API_NAMES,
    FaultRule,
    FaultRuleError,
    check_rule,
    rule_from_mapping,
    rules_from_config,
)


def config_rule(**values) -> FaultRule:
    return rule_from_mapping(values, source="config")


def test_a_valid_rule_is_normalised():
    rule = config_rule(service_id="SIM_ECHO", latency_ms=200, probability=1, times=3)
    assert rule.latency_ms == 200.0 and isinstance(rule.latency_ms, float)
    assert rule.probability == 1.0 and rule.times == 3 and rule.source == "config"
    assert rule.describe() == "latency 200 ms"


def test_none_is_the_same_as_absent():
    assert config_rule(timeout=True, sender_id=None).sender_id is None


@pytest.mark.parametrize("values, field, words", [
    ({}, None, "needs an effect"),
    ({"service_id": "X"}, None, "needs an effect"),
    ({"latency_ms": -1}, "latency_ms", "≥ 0"),
    ({"latency_ms": "200"}, "latency_ms", "number"),
    ({"latency_ms": True}, "latency_ms", "number"),
    ({"latency_ms": float("inf")}, "latency_ms", "number"),
    ({"latency_ms": 1, "latency_ms_min": 1, "latency_ms_max": 2}, "latency_ms", "excludes"),
    ({"latency_ms_min": 10}, "latency_ms_max", "required"),
    ({"latency_ms_max": 10}, "latency_ms_min", "required"),
    ({"latency_ms_min": 20, "latency_ms_max": 10}, "latency_ms_min", "above"),
    ({"fault_code": "SCE909", "timeout": True}, "timeout", "excludes 'fault_code'"),
    ({"fault_code": "SCE909", "malformed": "empty"}, "malformed", "excludes"),
    ({"timeout": True, "latency_ms": 5}, "timeout", "latency"),
    ({"fault_message": "x", "latency_ms": 1}, "fault_message", "needs 'fault_code'"),
    ({"fault_data": "x", "latency_ms": 1}, "fault_data", "needs 'fault_code'"),
    ({"fault_code": "SCE 909"}, "fault_code", "without spaces"),
    ({"fault_code": ""}, "fault_code", "without spaces"),
    ({"fault_code": 909}, "fault_code", "string"),
    ({"malformed": "garbled"}, "malformed", "truncated, not-xml, empty, wrong-envelope"),
    ({"timeout": "yes"}, "timeout", "true or false"),
    ({"timeout": True, "probability": 1.5}, "probability", "0 to 1"),
    ({"timeout": True, "probability": "half"}, "probability", "0 to 1"),
    ({"timeout": True, "times": 0}, "times", "≥ 1"),
    ({"timeout": True, "times": 1.5}, "times", "whole number"),
    ({"timeout": True, "service_id": " "}, "service_id", "empty"),
    ({"timeout": True, "serviceId": "X"}, "serviceId", "unknown key"),
])
def test_bad_rules_name_the_field(values, field, words):
    with pytest.raises(FaultRuleError) as caught:
        config_rule(**values)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert caught.value.code == "BAD_FAULT_RULE" and isinstance(caught.value, InputError)


def test_api_names_are_camel_case():
    rule = rule_from_mapping({"serviceId": "S", "latencyMsMin": 1, "latencyMsMax": 2},
                             source="api", names=API_NAMES)
    assert (rule.service_id, rule.latency_ms_min, rule.latency_ms_max) == ("S", 1.0, 2.0)
    with pytest.raises(FaultRuleError) as caught:
        rule_from_mapping({"latencyMsMin": 5}, source="api", names=API_NAMES)
    assert caught.value.field == "latencyMsMax"
    assert str(caught.value) == "'latencyMsMax' is required with 'latencyMsMin'"


def test_check_rule_rejects_a_bad_source():
    with pytest.raises(FaultRuleError, match="source"):
        check_rule(FaultRule(timeout=True, source="web"))


def test_config_errors_name_the_table_index():
    with pytest.raises(FaultRuleError) as caught:
        rules_from_config([{"timeout": True}, {"fault_code": "X", "timeout": True}],
                          where="gateway.toml")
    assert str(caught.value).startswith("gateway.toml: faults[1]: 'timeout' excludes")
    assert caught.value.field == "timeout"
    with pytest.raises(FaultRuleError, match=r"config: faults\[0\]: a fault rule must be a table"):
        rules_from_config(["latency_ms = 5"])


def test_the_toml_form_of_gateway_config():
    config = parse_config("""
[[faults]]
service_id = "SIM_ECHO"
latency_ms = 200

[[faults]]
service_id = "GBDFL_UniversalServiceSync"
sender_id = "EGOV_SIM_IIS_CON"
fault_code = "SCE909"
fault_message = "Внутренняя ошибка"
probability = 0.25
times = 10
""")
    rules = rules_from_config(config.fault_rules)
    assert [r.describe() for r in rules] == ["latency 200 ms", "fault SCE909 'Внутренняя ошибка'"]
    assert rules[1].probability == 0.25 and rules[1].times == 10


def test_describe_and_to_dict():
    rule = FaultRule(sender_id="S", latency_ms_min=10.0, latency_ms_max=20.5, fault_code="E1",
                     id=4, times=2, remaining=1)
    assert rule.describe() == "latency 10–20.5 ms, then fault E1"
    d = rule.to_dict()
    assert list(d)[0] == "id"
    assert d["senderId"] == "S" and d["latencyMsMin"] == 10 and d["latencyMsMax"] == 20.5
    assert d["remaining"] == 1 and d["serviceId"] is None and d["createdAt"] is None
    assert FaultRule(timeout=True).describe() == "timeout"
    assert FaultRule(malformed="empty").describe() == "malformed response (empty)"
