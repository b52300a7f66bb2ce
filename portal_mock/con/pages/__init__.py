"""The ЦОН operator's desk (АРМ ИИС ЦОН) as pages, mounted at ``/web/con``: sign-in, the
applicant and the representative, the completeness checklist (K01), the ГБД ФЛ / ЕНИС lookups'
results (condition 1), the receipts and notices printable as papers, sending the package and
handing the result over (process 8). They call the desk's services, not its JSON API."""

from .views import BASE_PATH, ConPages, routes

__all__ = ["BASE_PATH", "ConPages", "routes"]
