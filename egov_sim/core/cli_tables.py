"""Listings that stay readable at any width, in a terminal, a pipe or a CI log.

A table is shown when every identifier and verdict in it comes out whole at the console's width
(rich otherwise folds or truncates cells to make a table fit). When it would not, each row is
printed as a block instead: a head line with the identifiers and the verdict, then one indented
``label  value`` line per other column, whose values may wrap. Columns wrap or drop detail;
identifiers and verdicts are never split. Outside a terminal rich renders at ``$COLUMNS`` or 80
columns, without colours.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text


@dataclass
class Record:
    """One row as a block: ``head`` (identifiers, verdict) and the other cells by label."""

    head: Text
    fields: Sequence[tuple[str, RenderableType]] = field(default_factory=list)


def renders_whole(console: Console, renderable: RenderableType, words: Iterable[str]) -> bool:
    """Whether every one of ``words`` appears unbroken when ``renderable`` is printed at the
    console's width."""
    probe = Console(file=io.StringIO(), width=console.width, color_system=None,
                    force_terminal=False, legacy_windows=False)
    probe.print(renderable)
    out = probe.file.getvalue()  # type: ignore[attr-defined]
    return all(word in out for word in words if word)


def blocks(records: Iterable[Record], *, title: str | None = None) -> Group:
    """The records one under the other, each value indented under its head."""
    parts: list[RenderableType] = []
    if title:
        parts.append(Text(title, style="italic"))
    for record in records:
        parts.append(record.head)
        if record.fields:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="dim", no_wrap=True)
            grid.add_column(overflow="fold")
            for label, value in record.fields:
                grid.add_row(label, value)
            parts.append(Padding(grid, (0, 0, 0, 2), expand=False))
    return Group(*parts)


def print_listing(console: Console, table: Table, records: Iterable[Record],
                  words: Iterable[str], *, title: str | None = None) -> None:
    """``table`` when the identifiers and verdicts in ``words`` fit whole (and so does every word
    of the column headers: a column squeezed narrower than its name is unreadable), else the
    ``records``."""
    words = [*words, *(w for c in table.columns for w in str(c.header).split())]
    if renders_whole(console, table, words):
        console.print(table)
    else:
        console.print(blocks(records, title=title))
