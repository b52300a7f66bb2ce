"""The Balkhash department's workstation (seed 001) as pages, mounted at ``/web/balkhash/uo``:
sign-in per staff role, the inbox per role, a case with its documents, history and deadlines,
each role's step of the action table as a form, the side actions (return to the ЦОН, suspend,
resume, archive), intake at the УО or the akim, the реестры of the ЦОН and the registration
journal. They call :class:`~egov_sim.portal_mock.balkhash.department.actions.Department` (the
same operations as the JSON API), never the API's handlers.
"""

from .views import BASE_PATH, DepartmentPages, routes

__all__ = ["BASE_PATH", "DepartmentPages", "routes"]
