"""The portal's pages for a person (egov.kz as the applicant sees it), mounted at ``/web/portal``:
registration, sign-in, the catalogue, the request form with its e-copies, signing through
NCALayer (or by uploading a document signed elsewhere), and the personal cabinet with each
request's status history and its signed result. They call the portal's services
(:class:`~egov_sim.portal_mock.portal.assembly.Portal`), not its JSON API.
"""

from .views import BASE_PATH, PortalPages, routes

__all__ = ["BASE_PATH", "PortalPages", "routes"]
