"""The Balkhash 2012 ЦОН's desk (seed 001) as pages, mounted at ``/web/balkhash/con``: the
electronic queue, acceptance with the расписка (or the receipt of refusal), the hand-over to the
накопительный сектор, the реестры to and from the department, informing and issue against the
расписка. They call :class:`~egov_sim.portal_mock.balkhash.con.centre.Centre` (the JSON API's
operations), never the API's handlers.
"""

from .views import BASE_PATH, CentrePages, routes

__all__ = ["BASE_PATH", "CentrePages", "routes"]
