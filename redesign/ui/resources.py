"""Process-wide resources shared by every session: the store service and cached loads.

The service (one engine, one connection pool) is created once per process. Heavy
reads are cached per (workshop, version): every session on this server that looks at
the same version shares one computation, and a new version is a new cache key, so
nothing is ever stale. Cached objects are shared, so callers must not mutate them.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import plotly.graph_objects as go
import streamlit as st

from redesign.diagram import DiagramOptions, swimlane_figure
from redesign.impact.assess import Impact, assess
from redesign.impact.regulated import matched_tasks
from redesign.impact.suggest import TagSuggestion, suggest
from redesign.metrics import FlowMetrics, analyze
from redesign.model import Flow, Scenario
from redesign.store.database import resolve_database_url
from redesign.store.errors import StoreError
from redesign.store.schemas import Contribution, EventOut, WorkshopState
from redesign.store.service import WorkshopService
from redesign.workshop import settled_scenario


def _poll_seconds(raw: str | None) -> float:
    """CROSSFLOW_POLL_SECONDS, or 2 s with a warning in the log when it is not a positive number."""
    try:
        value = float(raw or "2")
    except ValueError:
        value = -1.0
    if not value > 0:  # NaN and negatives too
        logging.getLogger(__name__).warning("CROSSFLOW_POLL_SECONDS must be a positive number, not %r; using 2.", raw)
        return 2.0
    return value


POLL_SECONDS = _poll_seconds(os.environ.get("CROSSFLOW_POLL_SECONDS"))
"""How often an open page asks the store whether anything changed, when it polls (see LIVE_MODE)."""
LIVE_MODE = "poll" if os.environ.get("CROSSFLOW_LIVE", "push").strip().lower() == "poll" else "push"
"""How open pages learn of changes (redesign/ui/live.py): "push" (default; the server announces new
versions and a page polls only while its push channel is down) or "poll" (every page asks every
POLL_SECONDS, the behaviour before push; kept for comparison in the benchmarks)."""


@st.cache_resource(show_spinner="Opening the workshop database...")
def _service(url: str) -> WorkshopService:
    return WorkshopService.from_url(url)


def service() -> WorkshopService:
    """The process's store service; a database setting or server the operator must fix stops the page with its name."""
    try:
        return _service(resolve_database_url())
    except StoreError as exc:  # InvalidInput (a bad URL or pool size), StoreUnavailable (no server): no stack trace
        st.error(f"Crossflow cannot open its workshop database: {exc}", icon="🛑")
        st.stop()


@st.cache_resource(max_entries=512, show_spinner=False)
def _state(token: str, version: int) -> WorkshopState:
    return service().state(token)


def workshop_state(token: str, version: int) -> WorkshopState:
    """The viewer's state at `version` (reveal rules differ per viewer, so the token is in the key)."""
    return _state(token, version)


@st.cache_resource(max_entries=128, show_spinner=False)
def _metrics(workshop_id: str, version: int, _flow: Flow) -> FlowMetrics:
    return analyze(_flow)


def flow_metrics(state: WorkshopState) -> FlowMetrics:
    """Value-stream metrics of the workshop's flow, shared by all sessions at this version."""
    return _metrics(state.workshop_id, state.version, state.flow)


@st.cache_resource(max_entries=64, show_spinner="Matching steps to O*NET tasks...")
def _suggestions(workshop_id: str, version: int, _flow: Flow) -> dict[str, TagSuggestion]:
    return {item.step: item for item in suggest(_flow).items}


def step_suggestion(state: WorkshopState, step_id: str) -> TagSuggestion:
    """The tag suggestion for one step (all steps are computed once per version)."""
    return _suggestions(state.workshop_id, state.version, state.flow)[step_id]


_WARMER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossflow-suggest-warm")
_WARMING: dict[str, Future[object]] = {}
_WARMING_LOCK = threading.Lock()


def warm_suggestions(state: WorkshopState) -> None:
    """Match this workshop's steps to O*NET tasks in the background, once per workshop and process.

    The first match of a flow encodes every step's words with the sentence model (seconds, tens
    of seconds on a busy 2-core server); afterwards the encodings are cached by text and a new
    version costs a fraction of a second. Started when the workshop page opens, so nobody's
    step panel waits for it (a step panel drew the suggestion even with its expander closed)."""
    with _WARMING_LOCK:
        if state.workshop_id not in _WARMING:
            _WARMING[state.workshop_id] = _WARMER.submit(suggest, state.flow)


def suggestions_ready(state: WorkshopState) -> bool:
    """Whether asking for a suggestion now answers at once (the workshop's first match is done)."""
    warm_suggestions(state)
    with _WARMING_LOCK:
        return _WARMING[state.workshop_id].done()


def scenarios_of(state: WorkshopState) -> list[Scenario]:
    """The room's settled decisions first, then the scenarios the flow came with."""
    return [settled_scenario(state), *state.flow.scenarios]


@st.cache_resource(max_entries=64, show_spinner="Working out the impact...")
def _impact(workshop_id: str, version: int, scenario_id: str, _flow: Flow, _scenario: Scenario) -> Impact:
    # The O*NET tasks matched to each step (the suggestions of this version, shared with the step
    # panels and the regulated-use detections): the governance flags read the same evidence as the
    # detections on the same page, so both say the same.
    tasks = matched_tasks(_suggestions(workshop_id, version, _flow).values())
    return assess(_flow, _scenario, tasks)


def scenario_impact(state: WorkshopState, scenario: Scenario) -> Impact:
    return _impact(state.workshop_id, state.version, scenario.id, state.flow, scenario)


@st.cache_resource(max_entries=64, show_spinner=False)
def _contribution(token: str, version: int) -> Contribution:
    return service().contribution(token)


def contribution_at(state: WorkshopState, token: str) -> Contribution:
    """Who has been heard, per person and function (facilitator only), once per version."""
    return _contribution(token, state.version)


@st.cache_resource(max_entries=256, show_spinner=False)
def _map_figure(
    workshop_id: str, version: int, look: tuple[object, ...], _flow: Flow, _options: DiagramOptions
) -> go.Figure:
    return swimlane_figure(_flow, _options)


def map_figure(state: WorkshopState, options: DiagramOptions) -> go.Figure:
    """The swimlane map, built once per version and look (tags shown, comment counts, selection, focus).

    Building a figure of 60 steps costs more than the rest of the page (plotly validates
    every shape); viewers who see the same thing share one. Streamlit serialises the
    figure without changing it, so sharing is safe.
    """
    look = (
        tuple(sorted((step, tag.value if tag else None) for step, tag in options.tags.items())),
        tuple(sorted(options.comment_counts.items())),
        options.selected,
        options.focus,
        options.height_per_row,
        options.max_label,
    )
    return _map_figure(state.workshop_id, state.version, look, state.flow, options)


@st.cache_resource(max_entries=128, show_spinner=False)
def _history(token: str, version: int, limit: int) -> list[EventOut]:
    return service().history(token, limit=limit)


def history_at(state: WorkshopState, token: str, limit: int = 200) -> list[EventOut]:
    """The event log as this viewer may see it, newest first, read once per version."""
    return _history(token, state.version, limit)
