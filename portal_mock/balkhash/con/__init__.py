"""The 2012 ЦОН of seed 001 (Balkhash): electronic queue, acceptance with the расписка, the
накопительный сектор and its реестры to and from the department, issue against the расписка.
``build_centre`` assembles it (workstation.py)."""

from .workstation import CentreSystem, build_centre, registration

__all__ = ["CentreSystem", "build_centre", "registration"]
