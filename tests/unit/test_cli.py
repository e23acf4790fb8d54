"""The command line, run as a user would: a subprocess with exit codes and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from redesign.io.flow_json import dumps
from redesign.schema import flow_json_schema
from tests.unit.flows import doc, three_step_flow

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redesign", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.json"
    path.write_text(dumps(three_step_flow()))
    return path


def test_validate_a_good_file_exits_0(good: Path) -> None:
    result = run("validate", str(good))
    assert result.returncode == 0
    assert result.stdout.strip() == f"{good}: ok (3 steps, 3 hand-offs)"


def test_three_mistakes_give_three_lines_and_exit_1(tmp_path: Path) -> None:
    document = doc()
    document["steps"][0]["touch_minutes"] = -5
    document["handoffs"][0]["target"] = "S99"
    document["roles"][1]["function"] = "legal"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    result = run("validate", str(path))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3
    assert f'{path}: handoffs[0].target: unknown step "S99"' in lines
    assert "Traceback" not in result.stdout + result.stderr


def test_any_invalid_file_makes_validate_exit_1(good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json at all")
    result = run("validate", str(good), str(bad))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].endswith("ok (3 steps, 3 hand-offs)")
    assert result.stdout.splitlines()[1] == f"{bad}: line 1, column 1: not valid JSON: Expecting value"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"[1, 2, 3]",
        b'{"schema_version": 1, "id": 5, "steps": "x"}',
        b"{" * 50_000,
    ],
)
def test_broken_input_never_prints_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    for command in (("validate", str(path)), ("analyze", str(path))):
        result = run(*command)
        assert result.returncode == 1
        assert "Traceback" not in result.stdout + result.stderr
        assert (result.stdout + result.stderr).strip()


def test_usage_errors_exit_2(good: Path) -> None:
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("analyze", str(good), "--format", "yaml").returncode == 2


def test_analyze_json_prints_the_metrics(good: Path) -> None:
    result = run("analyze", str(good), "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["lead_time_minutes"] == 113
    assert data["touch_hours"] == 8
    assert data["rolled_pca"] == pytest.approx(63)
    assert data["cross_function_handoffs"] == 2
    assert data["break_points"][0]["reach"] == ["b"]


def test_analyze_text_is_for_people(good: Path) -> None:
    result = run("analyze", str(good))
    assert result.returncode == 0
    assert "lead time (critical path): 1.9 h per case" in result.stdout
    assert "rolled %C&A:               63.0%" in result.stdout


def test_schema_prints_the_shipped_schema() -> None:
    result = run("schema")
    assert result.returncode == 0
    assert json.loads(result.stdout) == flow_json_schema()
