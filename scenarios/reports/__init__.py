"""Reports of a scenario run: terminal (people watching), JUnit XML (CI), HTML (people reading
afterwards), JSON (machines, and re-rendering the others later).

Every report is made from a :class:`scenarios.results.RunResult` and nothing else, so a run
saved as JSON renders the same HTML and JUnit as the live run did.
"""

from __future__ import annotations

from typing import Any

from .json_report import SCHEMA_VERSION, SchemaError, run_from_dict, run_from_json, run_to_dict, run_to_json, write_json
from .junit import junit_tree, junit_xml, write_junit
from .terminal import ProgressReporter, print_summary, summary_table


def __getattr__(name: str) -> Any:
    """The HTML report needs Jinja2; import it only when asked, so the engine's progress bar,
    JUnit and JSON work in an environment without it."""
    if name in ("render_html", "write_html"):
        from . import html

        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "SCHEMA_VERSION",
    "ProgressReporter",
    "SchemaError",
    "junit_tree",
    "junit_xml",
    "print_summary",
    "render_html",
    "run_from_dict",
    "run_from_json",
    "run_to_dict",
    "run_to_json",
    "summary_table",
    "write_html",
    "write_json",
    "write_junit",
]
