"""The Balkhash department of employment and social programmes (seed 001) and its settlement
akims as a workstation: cases along the action tables, the registers, the реестры with the ЦОН.
``build_department`` assembles it (workstation.py)."""

from .workstation import DepartmentSystem, build_department, registration

__all__ = ["DepartmentSystem", "build_department", "registration"]
