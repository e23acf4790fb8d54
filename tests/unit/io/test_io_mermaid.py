"""Mermaid flowchart export: structure, tag classes, and labels that stay text."""

from __future__ import annotations

import re

from bpmn_corpus import built_flow

from redesign.io.mermaid import escape_label, to_mermaid
from redesign.model import Flow, Function, Handoff, Step


def _label_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if '"' in line]


def test_script_tags_quotes_and_brackets_are_escaped() -> None:
    nasty = 'Say "hi" <script>alert(1)</script> [x] {y} #1 & a|b; `code`'
    flow = Flow(
        id="f",
        name="F",
        functions=[Function(id="it", name='IT "core" <b>')],
        steps=[Step(id="a", name=nasty, function="it"), Step(id="end", name="end", function="it")],
        handoffs=[Handoff(id="h", source="a", target="end", condition='ok? "yes" <img src=x onerror=alert(1)>')],
    )
    text = to_mermaid(flow)
    assert "<" not in text and ">" not in text.replace("-->", "")
    assert "#60;script#62;alert#40;1#41;#60;/script#62;" in text
    assert "#34;hi#34;" in text
    for line in _label_lines(text):
        assert line.count('"') == 2, line  # only the label's own delimiters
    assert 'subgraph f1["IT #34;core#34; #60;b#62;"]' in text
    assert '-->|"ok? #34;yes#34; #60;img src=x onerror=alert#40;1#41;#62;"| s2' in text
    assert '    s2["end"]' in text  # a step called "end" gets a safe node id


def test_escape_label_flattens_lines_and_keeps_plain_text() -> None:
    assert escape_label("Review\nand  approve") == "Review and approve"
    assert escape_label("Prüfung – 5 €") == "Prüfung – 5 €"
    assert escape_label("a#b") == "a#35;b"


def test_structure_shapes_and_tags() -> None:
    flow = built_flow()
    text = to_mermaid(flow, flow.scenario("ambitious"))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    subgraphs = [line.strip() for line in lines if line.strip().startswith("subgraph")]
    assert subgraphs == ['subgraph f1["Ops"]', 'subgraph f2["Finance"]', 'subgraph f3["IT"]']  # HR has no steps
    assert sum(1 for line in lines if line.strip() == "end") == 3
    assert '    s3{"Three-way match?"}' in lines  # a decision is a rhombus
    assert '    s4(["Approve exception"])' in lines  # a review is a stadium
    assert '    s5["Pay #40;run#41; #91;weekly#93;"]' in lines
    arrows = [line.strip() for line in lines if "-->" in line or "-.->" in line]
    assert len(arrows) == len(flow.handoffs)
    assert '  s4 -.->|"rejected: ask supplier"| s1' in lines  # rework is dotted
    assert "  style f2 fill:#d6272814,stroke:#d62728" in lines
    assert "  class s2,s3,s5 automate" in lines
    assert not any(re.match(r"\s*class .* (human|augment)$", line) for line in lines)
    plain = to_mermaid(flow)
    assert "classDef" not in plain
