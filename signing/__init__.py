"""ЭЦП toolkit: the НУЦ-style test PKI, IIN/BIN, and XML-DSig in the NCALayer/Kalkan layouts."""

import warnings

warnings.filterwarnings("ignore", message=r"Attribute's length must be >= 1 and <= 64", category=UserWarning)
"""NCA's real certificates carry names longer than X.520's 64-character upper bound (the GOST
ҰКО's common name has 71); cryptography warns on every comparison of such names. The names are
NCA's, not a fault of the input, so the warning would only clutter `egov-sim verify`."""
