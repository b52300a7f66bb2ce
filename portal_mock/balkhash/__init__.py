"""Seed 001's Balkhash: the department of employment and social programmes (the УО) and its
settlement akims (``department``), and the 2012 ЦОН that serves it (``con``).

The two exchange their registers of transfer (реестры) through ШЭП (``registry_wire``): in
2012 a реестр was paper carried by hand; here it travels as a message, and what the seed makes
an act of a person — receiving the packages by the реестр — stays an act on the workstation.
"""
