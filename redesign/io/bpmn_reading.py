"""What the BPMN reader's mixins may use of the reader: its state and helpers, as a Protocol.

`SubProcessReading` (`redesign.io.bpmn_subprocesses`) and `FlowAssembly`
(`redesign.io.bpmn_assembly`) are mixed into `redesign.io.bpmn_import._BpmnReader`. Their
methods take `self: BpmnReading`, so the type checker sees every attribute and helper they
touch (a mixin cannot name the reader class as its self-type: the reader is its subclass),
and a method the reader lacks, or one with another signature, is an error at the mixin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from redesign.io.bpmn_import import _Edge, _Node, _State
    from redesign.io.import_report import ImportReport
    from redesign.io.safe_xml import XmlElement as Element
    from redesign.model import Flow, Function, Handoff, Role, Scenario, Step


class BpmnReading(Protocol):
    # ------------------------------------------------------------------ the reader's state
    root: Element
    source: str
    state: _State
    nodes: dict[str, _Node]
    edges: list[_Edge]
    handoffs: list[dict[str, Any]]
    inner_owner: dict[str, str]
    pool_of: dict[str, str]
    exit_of: dict[str, str]
    members: dict[str, list[str]]
    open_containers: list[str]
    event_subprocesses: list[tuple[Element, Element]]
    message_targets: set[str]
    sequence_flows: list[Element]
    cross_pool: list[tuple[str, str, str]]

    # ------------------------------------------------------------------ the reader's helpers
    def ext(self, element: Element, local: str) -> list[Element]: ...

    def skip(
        self, element: Element | None, reason: str, element_id: str | None = None, kind: str | None = None
    ) -> None: ...

    def ref(self, raw: str | None) -> str: ...

    def next_order(self) -> int: ...

    def _pool(self, process: Element) -> tuple[str, str]: ...

    def _scope(self, scope: Element, pool: str, function_for: Any, default: str | None) -> None: ...

    def _flow_node(self, element: Element, tag: str, pool: str, function_for: Any, default: str | None) -> None: ...

    def _data_associations(self, task: Element, step_id: str) -> None: ...

    def _endpoint(self, ref: str | None) -> str | None: ...

    # ------------------------------------------------------------------ the mixins' methods they call on each other
    def _scope_steps(self, scope: Any) -> list[str]: ...

    def _throws(self, scope: Any, own: Any, kind: str, ref: str) -> list[str]: ...

    def _flow_meta(self, processes: list[Element]) -> dict[str, Any]: ...

    def _has_nodes(self, process: Element) -> bool: ...

    def _functions(self) -> list[Function]: ...

    def _finish_step(self, fields: dict[str, Any]) -> Step: ...

    def _scenarios(self, processes: list[Element], steps: list[Step]) -> list[Scenario]: ...

    def _roles(self, processes: list[Element], function_ids: set[str]) -> list[Role]: ...

    def _handoff(self, fields: dict[str, Any]) -> Handoff | None: ...

    def _build(self, processes: list[Element]) -> tuple[Flow, ImportReport]: ...
