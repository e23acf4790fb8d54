"""The sub-process choice reaches the importer from the code, the CLI and the app's upload."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from redesign.io.bpmn_subprocesses import BpmnImportOptions, SubProcesses
from redesign.io.formats import import_file
from redesign.ui.components.uploads import is_bpmn, read_upload

ROOT = Path(__file__).resolve().parents[3]
FILE = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
<process id="p">
  <task id="a" name="Take order" />
  <subProcess id="sp">
    <startEvent id="s" /><task id="x" name="Check stock" /><task id="y" name="Pack goods" />
    <sequenceFlow id="i1" sourceRef="s" targetRef="x" /><sequenceFlow id="i2" sourceRef="x" targetRef="y" />
  </subProcess>
  <sequenceFlow id="f1" sourceRef="a" targetRef="sp" />
</process>
</definitions>
"""


def test_import_file_passes_the_choice() -> None:
    folded, _ = import_file("order.bpmn", FILE)
    expanded, _ = import_file("order.bpmn", FILE, BpmnImportOptions(sub_processes=SubProcesses.ACTIVITIES))
    assert [s.name for s in folded.steps] == ["Take order", "Check stock and Pack goods"]
    assert [s.name for s in expanded.steps] == ["Take order", "Check stock", "Pack goods"]


def test_cli_flag(tmp_path: Path) -> None:
    source = tmp_path / "order.bpmn"
    source.write_bytes(FILE)

    def run(*extra: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "redesign", "import", str(source), "-o", str(tmp_path / "o.json"), *extra],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "2 steps in 1 functions, 1 hand-offs" in run()
    assert "3 steps in 1 functions, 2 hand-offs" in run("--sub-processes", "activities")
    bad = subprocess.run(
        [sys.executable, "-m", "redesign", "import", str(source), "-o", "x.json", "--sub-processes", "all"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert bad.returncode != 0 and "invalid choice: 'all'" in bad.stderr


def test_upload_passes_the_choice() -> None:
    assert is_bpmn("order.bpmn") and is_bpmn("ORDER.XML") and not is_bpmn("order.csv")
    one = read_upload("order.bpmn", FILE)
    many = read_upload("order.bpmn", FILE, SubProcesses.ACTIVITIES)
    assert one.summary == "Read order.bpmn: 2 steps in 1 lanes, 1 hand-offs."
    assert many.summary == "Read order.bpmn: 3 steps in 1 lanes, 2 hand-offs."
