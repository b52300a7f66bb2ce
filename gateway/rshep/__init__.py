"""The regional e-government gateway РШЭП (ӨЭҮШ) and the provider's workstation АРМ РШЭП.

``catalogue`` is shared with the portal and the ЦОН workstation; :func:`build_rshep` (in
``instances``) assembles the built-in provider ``builtin:rshep`` and the АРМ's HTTP API.
See docs/rshep.md.
"""
