"""Printable paper of seed 001's Balkhash (the department's and the ЦОН's): one A4 layout.

The seed names the papers and some of their fields but prints no layout; the layout is
SYNTHETIC. A paper is its fields — ``title``, ``office`` (name, address, phone), ``date``,
``rows`` (label, value), ``paragraphs``, ``signature`` — rendered here with every value escaped.
"""

from __future__ import annotations

import html

_CSS = """
body { font-family: "Times New Roman", serif; max-width: 190mm; margin: 10mm auto; font-size: 12pt; }
header { text-align: center; font-size: 10pt; border-bottom: 1px solid #000; padding-bottom: 4pt; }
h1 { font-size: 14pt; text-align: center; margin: 12pt 0 4pt; }
p.number { text-align: center; margin: 0 0 10pt; }
table { border-collapse: collapse; width: 100%; }
td { border: 1px solid #000; padding: 3pt 5pt; vertical-align: top; }
td.label { width: 40%; }
.signature { margin-top: 24pt; display: flex; justify-content: space-between; }
footer { margin-top: 18pt; font-size: 8pt; color: #555; }
@media print { footer { display: none; } }
"""


def render_html(number: str, f: dict) -> str:
    """The printable page (A4, print CSS); every value escaped."""
    e = html.escape
    rows = "".join(f"<tr><td class=\"label\">{e(str(label))}</td><td>{e(str(value))}</td></tr>"
                   for label, value in f.get("rows", []))
    paras = "".join(f"<p>{e(p)}</p>" for p in f.get("paragraphs", []))
    sig = f.get("signature")
    signature = (f"<div class=\"signature\"><span>{e(sig['position'])}</span><span>_____________ {e(sig['short'])}</span>"
                 "</div>") if sig else ""
    office = f["office"]
    return ("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"
            f"<title>{e(f['title'])} № {e(number)}</title><style>{_CSS}</style></head><body>"
            f"<header><strong>{e(office['name'])}</strong><br>{e(office['address'])}, {e(office['phone'])}</header>"
            f"<h1>{e(f['title'])}</h1><p class=\"number\">№ {e(number)} от {e(f['date'])}</p>"
            f"<table>{rows}</table>{paras}{signature}"
            "<footer>egov-sim, seed 001: layout SYNTHETIC</footer></body></html>\n")


