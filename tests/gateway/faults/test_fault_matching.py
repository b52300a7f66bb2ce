"""Storing and matching rules: precedence, probability, uses, visibility across handles."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from egov_sim.core.clock import fixed_clock
from egov_sim.core.database import Database
from egov_sim.gateway.fault_injection import FaultInjector, FaultRule, FaultRuleError

T0 = dt.datetime(2024, 2, 5, 5, 15, tzinfo=dt.UTC)


def matched(injector, service_id="SVC", sender_id="S"):
    action = injector.match(service_id, sender_id)
    return None if action is None else action.rule.fault_code


def test_add_stores_a_checked_rule(db):
    injector = FaultInjector(db, clock=fixed_clock(T0))
    rule = injector.add(FaultRule(service_id="SVC", fault_code="E1", times=2, source="cli"))
    assert rule.id is not None and rule.remaining == 2 and rule.created_at == T0
    assert injector.list() == [rule] and injector.get(rule.id) == rule
    with pytest.raises(FaultRuleError):
        injector.add(FaultRule(service_id="SVC"))


def test_most_specific_rule_wins(injector):
    injector.add(FaultRule(fault_code="any"))
    injector.add(FaultRule(sender_id="S", fault_code="sender"))
    injector.add(FaultRule(service_id="SVC", fault_code="service"))
    injector.add(FaultRule(service_id="SVC", sender_id="S", fault_code="both"))
    assert matched(injector, "SVC", "S") == "both"
    assert matched(injector, "SVC", "OTHER") == "service"
    assert matched(injector, "OTHER", "S") == "sender"
    assert matched(injector, "OTHER", "OTHER") == "any"


def test_newest_wins_among_equally_specific(injector):
    injector.add(FaultRule(service_id="SVC", fault_code="old"))
    newer = injector.add(FaultRule(service_id="SVC", fault_code="new"))
    assert matched(injector) == "new"
    injector.remove(newer.id)
    assert matched(injector) == "old"


def test_no_rule_no_action(injector):
    injector.add(FaultRule(service_id="OTHER", fault_code="E1"))
    assert injector.match("SVC", "S") is None


def test_probability_with_a_seeded_rng(db):
    injector = FaultInjector(db, rng=random.Random(42))
    injector.add(FaultRule(fault_code="rare", probability=0.3))
    hits = [matched(injector) == "rare" for _ in range(1000)]
    draws = random.Random(42)
    assert hits == [draws.random() < 0.3 for _ in range(1000)]
    assert 250 < sum(hits) < 350


def test_a_failed_draw_falls_through_to_the_next_rule(db):
    injector = FaultInjector(db, rng=random.Random(1))
    injector.add(FaultRule(fault_code="general"))
    injector.add(FaultRule(service_id="SVC", fault_code="never", probability=0.0))
    assert {matched(injector) for _ in range(20)} == {"general"}


def test_random_latency_is_drawn_in_the_range(db):
    injector = FaultInjector(db, rng=random.Random(3))
    injector.add(FaultRule(latency_ms_min=100, latency_ms_max=300))
    latencies = [injector.match("SVC", "S").latency for _ in range(200)]
    assert all(0.1 <= x <= 0.3 for x in latencies)
    assert max(latencies) - min(latencies) > 0.1
    draws = random.Random(3)
    assert latencies[:3] == [draws.uniform(100, 300) / 1000 for _ in range(3)]


def test_times_expire_and_stay_listed(injector):
    rule = injector.add(FaultRule(service_id="SVC", fault_code="twice", times=2))
    injector.add(FaultRule(fault_code="fallback"))
    assert [matched(injector) for _ in range(4)] == ["twice", "twice", "fallback", "fallback"]
    stored = injector.get(rule.id)
    assert stored.remaining == 0 and stored.expired and stored.times == 2


def test_a_draw_that_fails_does_not_use_up_times(db):
    injector = FaultInjector(db, rng=random.Random(5))
    rule = injector.add(FaultRule(fault_code="E", probability=0.5, times=3))
    results = [matched(injector) for _ in range(40)]
    assert results.count("E") == 3
    assert injector.get(rule.id).remaining == 0


def test_remove_and_reset(injector):
    a = injector.add(FaultRule(fault_code="A"))
    injector.add(FaultRule(fault_code="B", service_id="X"))
    assert injector.remove(a.id) is True
    assert injector.remove(a.id) is False
    assert [r.fault_code for r in injector.list()] == ["B"]
    assert injector.reset() == 1
    assert injector.list() == [] and injector.match("X", "S") is None
    assert injector.reset() == 0
    assert injector.add(FaultRule(timeout=True)).id > a.id  # ids are never reused


def test_a_rule_added_through_another_handle_applies_at_once(db_url, injector):
    assert matched(injector) is None  # cached: no rules
    with Database.open(db_url) as other_db:
        other = FaultInjector(other_db)
        rule = other.add(FaultRule(service_id="SVC", fault_code="E1"))
        assert matched(injector) == "E1"
        other.remove(rule.id)
        assert matched(injector) is None


def test_uses_are_shared_between_handles(db_url, injector):
    injector.add(FaultRule(fault_code="E", times=3))
    with Database.open(db_url) as other_db:
        other = FaultInjector(other_db)
        assert matched(other) == "E"  # both have cached the rule now
        assert matched(injector) == "E"
        assert matched(other) == "E"
        assert matched(injector) is None and matched(other) is None


def test_match_reads_the_generation_only_while_nothing_changes(db, injector, monkeypatch):
    """PostgreSQL: one generation SELECT a request. SQLite: none, a stat of the change marker."""
    injector.add(FaultRule(service_id="SVC", fault_code="E1"))
    assert matched(injector) == "E1" and matched(injector) == "E1"
    statements = []
    real_query = db.query
    monkeypatch.setattr(db, "query",
                        lambda sql, params=None: statements.append(sql) or real_query(sql, params))
    for _ in range(5):
        assert matched(injector) == "E1"
    if db.sidecar_path("probe") is None:
        assert len(statements) == 5 and all("fault_rules_generation" in s for s in statements)
    else:
        assert statements == []
    other = FaultInjector(db)  # another worker changes the rules: seen at once
    other.add(FaultRule(service_id="SVC", sender_id="S", fault_code="E2"))
    assert matched(injector, sender_id="S") == "E2"


def test_load_config_replaces_only_config_rules(injector):
    api_rule = injector.add(FaultRule(service_id="SVC", fault_code="api"))
    first = injector.load_config([{"latency_ms": 5}, {"sender_id": "S", "timeout": True}])
    assert [r.source for r in first] == ["config", "config"]
    second = injector.load_config([{"fault_code": "E2"}])
    assert [(r.source, r.fault_code) for r in injector.list()] == [("api", "api"), ("config", "E2")]
    assert second[0].id not in {r.id for r in first}
    assert injector.get(api_rule.id) == api_rule


def test_load_config_again_with_the_same_rules_keeps_them(injector):
    tables = [{"service_id": "SVC", "fault_code": "E", "times": 3}]
    [rule] = injector.load_config(tables)
    assert matched(injector) == "E"
    again = injector.load_config(tables)  # another worker starting with the same file
    assert again[0].id == rule.id and again[0].remaining == 2


def test_load_config_error_changes_nothing(injector):
    injector.load_config([{"fault_code": "E"}])
    before = injector.list()
    with pytest.raises(FaultRuleError, match=r"faults\[1\]: 'times'"):
        injector.load_config([{"timeout": True}, {"fault_code": "E", "times": -1}])
    assert injector.list() == before
