"""ИИС ЦОН АРМ: the State Corporation operator's workstation (seed 002 §9-§10). See docs/con.md.

``build_con(db, pki, gateway_url=…, http=…, clock=…)`` gives the API's routes (mount at
``/con``), its OpenAPI document and the inbox provider ``builtin:con_inbox``.
"""

from .workstation import BUILTIN_NAME, Con, ConOptions, build_con

__all__ = ["BUILTIN_NAME", "Con", "ConOptions", "build_con"]
