"""A separate process for the fault injection tests (not collected by pytest), as a server worker.

Each mode opens the database, prints ``ready``, then:

* ``consume URL``: waits for a line on stdin (so workers start together), matches serviceId
  SVC from sender S until no rule applies, prints how many actions it got. It pauses a
  millisecond between requests, as a worker serving other requests would: SQLite's busy
  handler is not fair, and without the pause one worker could take every use;
* ``match URL``: for each stdin line ``SERVICE SENDER`` prints the matched rule's id or
  ``none`` (so it keeps its cache between requests, as a worker does); stops at EOF;
* ``add URL``: adds a rule for serviceId FROM_WORKER with fault code SCE909, prints its id.
"""

from __future__ import annotations

import sys
import time

from egov_sim.core.database import Database
from egov_sim.gateway.fault_injection import FaultInjector, FaultRule


def main(mode: str, url: str) -> None:
    with Database.open(url) as db:
        injector = FaultInjector(db)
        print("ready", flush=True)
        if mode == "consume":
            sys.stdin.readline()
            used = 0
            while injector.match("SVC", "S") is not None:
                used += 1
                time.sleep(0.001)
            print(used, flush=True)
        elif mode == "match":
            for line in sys.stdin:
                service_id, sender_id = line.split()
                action = injector.match(service_id, sender_id)
                print("none" if action is None else action.rule.id, flush=True)
        elif mode == "add":
            rule = injector.add(FaultRule(service_id="FROM_WORKER", fault_code="SCE909", source="cli"))
            print(rule.id, flush=True)
        else:
            raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(*sys.argv[1:])
