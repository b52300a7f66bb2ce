"""Rules are shared by worker processes: uses are taken atomically, changes are seen at once."""

from __future__ import annotations

from egov_sim.gateway.fault_injection import FaultRule


def _ready(proc) -> None:
    line = proc.stdout.readline()
    assert line.strip() == "ready", line + proc.stderr.read()


def _finish(proc) -> tuple[str, str]:
    """The rest of what the worker printed, and its errors, once it exited. Read through the
    text buffer ``_ready`` read from: ``communicate()`` reads the pipe underneath and would lose
    a line the buffer already holds (the rule id printed right after "ready")."""
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.wait(timeout=60)
    return out, err


def test_two_processes_never_take_the_same_use(db_url, injector, run_worker):
    times = 200
    injector.add(FaultRule(service_id="SVC", fault_code="E", times=times))
    workers = [run_worker("consume", db_url) for _ in range(2)]
    for w in workers:
        _ready(w)
    for w in workers:  # start together
        w.stdin.write("go\n")
        w.stdin.flush()
    used = []
    for w in workers:
        out, err = _finish(w)
        assert w.returncode == 0, err
        used.append(int(out.strip()))
    assert sum(used) == times
    assert all(n > 0 for n in used), used  # the workers did interleave
    assert injector.list()[0].remaining == 0


def test_a_running_worker_sees_rules_added_and_removed_elsewhere(db_url, injector, run_worker):
    worker = run_worker("match", db_url)
    _ready(worker)

    def ask(service_id: str) -> str:
        worker.stdin.write(f"{service_id} S\n")
        worker.stdin.flush()
        return worker.stdout.readline().strip()

    assert ask("SVC") == "none"
    rule = injector.add(FaultRule(service_id="SVC", fault_code="E"))
    assert ask("SVC") == str(rule.id)
    injector.reset()
    assert ask("SVC") == "none"
    worker.stdin.close()
    assert worker.wait(timeout=30) == 0


def test_a_rule_added_by_another_process_applies_here(db_url, injector, run_worker):
    assert injector.match("FROM_WORKER", "S") is None
    worker = run_worker("add", db_url)
    _ready(worker)
    out, err = _finish(worker)
    assert worker.returncode == 0, err
    action = injector.match("FROM_WORKER", "S")
    assert action is not None and action.rule.id == int(out) and action.rule.source == "cli"
