"""The README tells how to configure what the app and its start script read (issue 16.10: the port
was only in scripts/start)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"\bCROSSFLOW_[A-Z_]+\b")


def configuration_table() -> dict[str, tuple[str, str]]:
    """README's Configuration section: variable -> (default, what)."""
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(CROSSFLOW_[A-Z_]+)` \| (.*?) \| (.*) \|$", section, flags=re.MULTILINE)
    return {name: (default.strip("` "), what) for name, default, what in rows}


def read_by(paths: list[Path]) -> set[str]:
    return {name for path in paths for name in VARIABLE.findall(path.read_text(encoding="utf-8"))}


def test_the_port_is_in_the_readme_with_the_default_scripts_start_uses() -> None:
    start = (ROOT / "scripts" / "start").read_text(encoding="utf-8")
    defaults = set(re.findall(r"\$\{CROSSFLOW_PORT:-(\d+)\}", start))
    assert defaults, "scripts/start no longer reads CROSSFLOW_PORT: update the README and this test"
    default, what = configuration_table()["CROSSFLOW_PORT"]
    assert {default} == defaults
    assert "CROSSFLOW_PORT=8600 scripts/start" in what and "localhost:8600" in what


def test_every_variable_the_app_and_its_scripts_read_is_in_the_readme() -> None:
    sources = [ROOT / "app.py", ROOT / "scripts" / "start", ROOT / "scripts" / "setup"]
    sources += [p for p in (ROOT / "redesign").rglob("*.py")]
    documented = set(configuration_table())
    # The replica script's and the CLI's debugging variables are in deploy/README.md's table.
    deploy = set(VARIABLE.findall((ROOT / "deploy" / "README.md").read_text(encoding="utf-8")))
    missing = sorted(read_by(sources) - documented - deploy)
    assert not missing, f"read by the app or scripts/start but documented nowhere: {missing}"
