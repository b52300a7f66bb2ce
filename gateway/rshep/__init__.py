"""The regional e-government gateway РШЭП (ӨЭҮШ) and the provider's workstation АРМ РШЭП.

``catalogue`` is shared with the portal and the ЦОН workstation and imports nothing heavy;
:func:`build_rshep` (assembly.py) builds the built-in provider ``builtin:rshep`` and the АРМ's
HTTP API. See docs/rshep.md.
"""


def __getattr__(name: str):
    if name in ("build_rshep", "Rshep"):
        from . import assembly

        return getattr(assembly, name)
    raise AttributeError(name)
