"""The provider's workstation (АРМ РШЭП) as pages, mounted at ``/web/arm``: the inbox per role,
a request with its documents and signature verdict, each role's actions (register, assign,
review, extend, draft, sign with EDS, issue), and the accounting journal. They call
:class:`~egov_sim.gateway.rshep.arm_actions.ArmActions`, not the АРМ's JSON API.

The templates (``arm/inbox.html``, ``arm/request.html``, ``arm/journal.html``) are built from
blocks so that another provider's workstation can extend them (a ChoiceLoader that looks in its
own templates first, then here).
"""

from .views import BASE_PATH, ArmPages, routes

__all__ = ["ArmPages", "BASE_PATH", "routes"]
