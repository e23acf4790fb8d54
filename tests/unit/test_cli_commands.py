"""The engine, export, import and database commands of the CLI, run as subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SALES = str(ROOT / "sample_processes" / "sales_forecasting.json")
RECRUITING = str(ROOT / "sample_processes" / "recruiting_hiring.json")
INTEROP = ROOT.parent / "shared" / "interop" / "bpmn-miwg" / "reference"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redesign", *args], capture_output=True, text=True, cwd=ROOT, timeout=300, env=env
    )


def test_impact_json_has_the_roles_shared_metrics_and_reasons() -> None:
    result = run("impact", SALES, "--format", "json")
    assert result.returncode == 0, result.stderr
    impact = json.loads(result.stdout)
    roles = {r["role"]: r for r in impact["roles"]}
    for role in ("sales_rep", "sales_manager", "revops_analyst", "fpa_analyst", "comp_analyst"):
        assert {"before_hours", "after_hours"} <= roles[role].keys()
    assert roles["sales_rep"]["after_hours"] < roles["sales_rep"]["before_hours"]
    shared = [i for i in impact["incentives"] if {"sales", "finance"} <= set(i["shared_by"])]
    assert shared, "a metric shared by Sales and Finance"
    for section in ("roles", "skills", "incentives", "governance", "new_steps", "reskilling"):
        for item in impact[section]:
            assert item["reason"]["rule"] and item["reason"]["text"], (section, item)
            assert isinstance(item["reason"]["steps"], list)
    # Assessed with the O*NET tasks matched to each step, as the Impact page, and the notes say so.
    assert impact["notes"][-1]["kind"] == "task_evidence"  # a sample is small enough to match
    assert impact["notes"][-1]["reason"]["rule"] == "note_task_evidence"
    assert all(i["reason"]["steps"] for i in impact["incentives"] if i["steps"])


def test_automating_screening_is_blocked_by_annex_iii_4a() -> None:
    result = run("impact", RECRUITING, "--scenario", "Aggressive", "--format", "json")
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)["governance"]
    blocks = [f for f in flags if f["severity"] == "BLOCK" and f["step"] == "screening"]
    assert any("Annex III point 4(a)" in f["message"] and f["remedy"] for f in blocks)


def test_suggest_and_compare_print_text_and_json() -> None:
    text = run("suggest", SALES)
    assert text.returncode == 0 and "Tag suggestions for Sales forecasting" in text.stdout
    data = json.loads(run("suggest", SALES, "--format", "json").stdout)
    assert len(data["items"]) == 22
    compared = json.loads(run("compare", SALES, "--format", "json").stdout)
    assert [s["name"] for s in compared["scenarios"]] == ["Cautious", "Ambitious"]
    assert compared["evidence"].startswith("Regulated uses and governance flags read each step's words and the O*NET")


def test_an_unknown_scenario_is_named(tmp_path: Path) -> None:
    result = run("impact", SALES, "--scenario", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == 'unknown scenario "nope" (this flow has: "Cautious", "Ambitious")'


@pytest.mark.parametrize("fmt", ["md", "json", "bpmn", "mermaid", "csv", "xlsx"])
def test_export_writes_the_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"out.{fmt}"
    result = run("export", SALES, "--to", fmt, "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 100


def test_import_bpmn_writes_a_valid_flow(tmp_path: Path) -> None:
    source = INTEROP / "C.4.0.bpmn"
    if not source.exists():
        pytest.skip("the interop corpus is not beside the repo")
    out = tmp_path / "c4.json"
    result = run("import", str(source), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "24 steps in 5 functions, 26 hand-offs" in result.stdout
    assert run("validate", str(out)).returncode == 0


def test_import_of_broken_xml_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bpmn"
    bad.write_text('<?xml version="1.0"?>\n<definitions>\n  <process>\n</definitions>\n')
    result = run("import", str(bad), "-o", str(tmp_path / "x.json"))
    assert result.returncode == 1
    assert "line 4" in result.stderr and "Traceback" not in result.stderr


def test_migrate_backup_and_restore_round_trip(tmp_path: Path) -> None:
    import os

    from redesign.store.service import WorkshopService

    source = f"sqlite:///{tmp_path / 'a.db'}"
    target = f"sqlite:///{tmp_path / 'b.db'}"
    env = {**os.environ, "CROSSFLOW_DATABASE_URL": source}
    assert run("migrate", env=env).returncode == 0
    svc = WorkshopService.from_url(source)
    created = svc.create_from_sample("sales_forecasting", "Fran")
    svc.dispose()
    backup = tmp_path / "backup.json"
    result = run("backup", str(backup), env=env)
    assert result.returncode == 0 and "1 workshops" in result.stdout
    result = run("restore", str(backup), "--database", target)
    assert result.returncode == 0, result.stderr
    assert "restored 1 workshops" in result.stdout
    restored = WorkshopService.from_url(target)
    assert restored.preview(created.join_code).name == "Sales forecasting"
    restored.dispose()


def test_restore_of_a_broken_backup_is_one_clear_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = run("restore", str(bad), "--database", f"sqlite:///{tmp_path / 'c.db'}")
    assert result.returncode == 1
    assert "is not valid JSON" in result.stderr and "Traceback" not in result.stderr
