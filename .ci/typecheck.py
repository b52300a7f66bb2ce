"""mypy on the installed import package ``egov_sim``, from the repository's folders.

setup.py maps folders onto subpackages (``gateway/`` is ``egov_sim.gateway``), and mypy cannot
follow that through an editable install. This script lays the package out as it is installed,
with symbolic links in a temporary directory, runs mypy there with pyproject.toml's settings
([tool.mypy]), and prints the findings with the repository's own paths. Exit code: mypy's.

    python .ci/typecheck.py
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def folders() -> dict[str, str]:
    """setup.py's FOLDERS (import package → folder), read without running setup.py."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FOLDERS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("setup.py has no FOLDERS")


def lay_out(into: Path) -> dict[str, str]:
    """The package under ``into`` as links; returns farm path prefix → repository prefix."""
    mapping = folders()
    package = into / "egov_sim"
    package.mkdir()
    subpackages = {name.split(".", 1)[1]: folder for name, folder in mapping.items() if "." in name}
    for entry in (ROOT / mapping["egov_sim"]).iterdir():
        if entry.name not in subpackages and entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in subpackages.items():
        (package / name).symlink_to(ROOT / folder)
    prefixes = {f"egov_sim/{name}/": f"{folder}/" for name, folder in subpackages.items()}
    prefixes["egov_sim/"] = f"{mapping['egov_sim']}/"
    return prefixes


def main() -> int:
    from mypy import api

    with tempfile.TemporaryDirectory(prefix="egov-sim-typecheck-") as tmp:
        prefixes = lay_out(Path(tmp))
        os.environ["MYPYPATH"] = tmp
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                        "--cache-dir", str(ROOT / ".mypy_cache"), "-p", "egov_sim"])
        finally:
            os.chdir(cwd)
    pattern = re.compile("^(" + "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True)) + ")",
                         re.M)
    sys.stdout.write(pattern.sub(lambda m: prefixes[m.group(1)], out))
    sys.stderr.write(err)
    return status


if __name__ == "__main__":
    sys.exit(main())
