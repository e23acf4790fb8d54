"""The flow as a Mermaid ``flowchart LR``: one subgraph per function, tags as classes.

Labels are user text, so every character Mermaid could read as syntax or HTML
is written as a Mermaid entity code (``#60;`` for "<", ``#34;`` for a double
quote, ...) inside a quoted label: ``<script>`` shows as text, never runs, and
brackets or quotes in a step name cannot end the label early. Node ids are
generated ("s1", "s2", ...) because step ids may contain characters Mermaid
reads as arrows or keywords ("end").
"""

from __future__ import annotations

from redesign.model import Flow, Scenario, StepKind, Tag

# Characters with a meaning in Mermaid or HTML -> Mermaid entity codes (decimal).
_ESCAPES = {ch: f"#{ord(ch)};" for ch in '"#&<>|`;[]{}()\\'}
_TRANSLATION = str.maketrans(_ESCAPES)  # one C pass per label instead of a dict look-up per character
TAG_STYLES: dict[Tag, str] = {
    Tag.HUMAN: "fill:#dbeafe,stroke:#1d4ed8,color:#0f172a",
    Tag.AUGMENT: "fill:#fef3c7,stroke:#b45309,color:#0f172a",
    Tag.AUTOMATE: "fill:#dcfce7,stroke:#15803d,color:#0f172a",
}


def escape_label(text: str) -> str:
    """Text for inside a quoted Mermaid label: entity codes, one line."""
    return " ".join(text.split()).translate(_TRANSLATION)


def _node(node_id: str, label: str, kind: StepKind) -> str:
    text = f'"{escape_label(label)}"'
    if kind == StepKind.DECISION:
        return f"{node_id}{{{text}}}"
    if kind == StepKind.REVIEW:
        return f"{node_id}([{text}])"
    return f"{node_id}[{text}]"


def to_mermaid(flow: Flow, scenario: Scenario | None = None) -> str:
    """Mermaid source text; with a scenario, each step carries its tag's class."""
    node_ids = {step.id: f"s{i + 1}" for i, step in enumerate(flow.steps)}
    lines = ["flowchart LR"]
    known_functions = {f.id for f in flow.functions}
    groups = [(f.id, f.name, f.colour) for f in flow.functions]
    groups += [
        (fid, fid, "#7f7f7f") for fid in dict.fromkeys(s.function for s in flow.steps) if fid not in known_functions
    ]
    for index, (function_id, name, colour) in enumerate(groups):
        members = [s for s in flow.steps if s.function == function_id]
        if not members:
            continue
        group_id = f"f{index + 1}"
        lines.append(f'  subgraph {group_id}["{escape_label(name)}"]')
        lines.extend(f"    {_node(node_ids[s.id], s.name, s.kind)}" for s in members)
        lines.append("  end")
        lines.append(f"  style {group_id} fill:{colour}14,stroke:{colour}")
    for handoff in flow.handoffs:
        source, target = node_ids.get(handoff.source), node_ids.get(handoff.target)
        if source is None or target is None:
            continue
        arrow = "-.->" if handoff.rework else "-->"
        label = f'|"{escape_label(handoff.condition)}"|' if handoff.condition else ""
        lines.append(f"  {source} {arrow}{label} {target}")
    if scenario is not None:
        tagged: dict[Tag, list[str]] = {tag: [] for tag in Tag}
        for decision in scenario.decisions:
            if decision.step in node_ids:
                tagged[decision.tag].append(node_ids[decision.step])
        for tag in Tag:
            if tagged[tag]:
                lines.append(f"  classDef {tag.value} {TAG_STYLES[tag]}")
                lines.append(f"  class {','.join(tagged[tag])} {tag.value}")
    return "\n".join(lines) + "\n"
