"""Constants shared by the ГБД ФЛ tests (a uniquely named module: every test package has a conftest).

Generated data uses a fixed "as of" day, so the tests do not depend on the date they run on; the
registries' clock is fixed a little later in the same year.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

from egov_sim.core.clock import fixed_clock

AS_OF = date(2026, 1, 1)
CLOCK = fixed_clock(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC))
SHARED_COUNT = 12_000
