"""Fixtures of the ЕНИС tests: the live gateway of tests/gbd_fl_provider/registries_support.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "gbd_fl_provider"))

from registries_support import registries, registries_pki  # noqa: E402,F401  (fixtures)
