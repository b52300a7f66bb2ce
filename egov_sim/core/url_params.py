"""Integers in URL paths are ids of database rows: at most 18 digits.

Starlette's ``{id:int}`` matches any run of digits; a 25-digit id then reached SQLite, which
cannot hold it (``OverflowError``: a 500). Every id the simulator hands out fits a signed 64-bit
integer, so an ``int`` path parameter is bounded to 18 digits: a longer one matches no route
and gets the 404 of an unknown path (JSON for the APIs, a page for the pages). Registered once,
when the foundation is imported, before any route is built.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor


class DatabaseInteger(IntegerConvertor):
    regex = "[0-9]{1,18}"


register_url_convertor("int", DatabaseInteger())
