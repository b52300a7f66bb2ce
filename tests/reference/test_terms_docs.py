"""docs/terms.md: its table of terms is the term files', and its example prints what it says."""

from __future__ import annotations

import contextlib
import io
import re

from egov_sim.reference import terms
from tests.support import ROOT

DOC = (ROOT / "docs" / "terms.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"<!-- terms-example: (?P<name>\S+) -->\s*```\w*\n(?P<body>.*?)```", re.S)
BLOCKS = {m["name"]: m["body"] for m in _BLOCK.finditer(DOC)}


def terms_table() -> str:
    """The generated table of docs/terms.md, from the shipped term files."""
    rows = ["| Regulation | Procedure | Term | Basis | Allowed | Cells | Result on | Receipt on | Source |",
            "|---|---|---|---|---|---|---|---|---|"]
    for reg in terms.regulations().values():
        for p in reg.procedures:
            for t in p.terms:
                channel = next((c for c in p.chains if t.start in p.chains[c]), None)
                if t.duration is not None:
                    allowed = str(t.duration)
                else:
                    allowed = p.span(t, channel).text()
                cells = f"{t.start} → {t.end}" if t.start else "(bound by the flow)"
                if t.end and t.start and not any(t.end in ids for ids in p.chains.values()):
                    cells = f"{t.start} → {t.end}"
                rows.append(f"| {reg.regulation} | {p.id} | `{t.id}` | {t.basis.value} | {allowed} | {cells} | "
                            f"{', '.join(t.result) or '—'} | {', '.join(t.receipt) or '—'} | {t.source} |")
    return "\n".join(rows)


def test_the_table_of_terms_is_the_term_files():
    table = DOC.split("<!-- generated: terms -->\n", 1)[1].split("\n<!-- end -->", 1)[0]
    assert table == terms_table()


def test_the_example_prints_what_the_page_says():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLOCKS["python"], "docs/terms.md", "exec"), {})
    assert out.getvalue() == BLOCKS["output"]
