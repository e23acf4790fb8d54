"""Export the redesign: the executive summary (PDF, PPTX, HTML, Markdown) and the data.

The summary says what it is based on (issue 16.5): the room's settled decisions by
default; when the room has settled nothing, the page asks (a prepared scenario or
Crossflow's suggestions) and the file's title says which. Exports run off the page
(`export_jobs`), one at a time per workshop, with a progress bar.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import streamlit as st

from redesign.impact.suggest import suggest
from redesign.impact.task_basis import NOT_MATCHED_YET, TaskBasis, task_basis
from redesign.model import Decision, Flow, Scenario
from redesign.report.access import export_refusal
from redesign.report.basis import SUGGESTIONS, Basis, bases, suggestions_basis
from redesign.report.exports import ExportResult, Progress, export
from redesign.report.record import WorkshopRecord, record_from_workshop
from redesign.store.errors import StoreError
from redesign.store.schemas import WorkshopState
from redesign.ui.components.controls import facilitator_sidebar, phase_header
from redesign.ui.components.timer import timer_bar
from redesign.ui.export_jobs import ExportBusy, ExportJob, export_jobs
from redesign.ui.live import live_watch
from redesign.ui.phase_pages import EXPORT_PAGE, follow_phase
from redesign.ui.resources import service, suggestions_ready
from redesign.ui.session import require_state
from redesign.ui.text import plain

SUMMARY_FORMATS = {"pdf": "📄 PDF", "pptx": "📊 PowerPoint", "html": "🌐 HTML (offline)", "md": "📝 Markdown"}
DATA_FORMATS = {
    "json": "Flow (Crossflow JSON)",
    "xlsx": "Excel workbook",
    "csv": "CSV tables (zip)",
    "bpmn": "BPMN 2.0 XML",
    "mermaid": "Mermaid flowchart",
}
SUGGESTIONS_LABEL = "Crossflow's suggested tags (nobody has decided them)"
JOB = "export_job"


def choose_basis(state: WorkshopState) -> str | None:
    """The basis key the person picked (None: not chosen yet); says what the summary will rest on."""
    options = bases(state.flow, state.decisions)
    labels = {b.key: b.label for b in options} | {SUGGESTIONS: SUGGESTIONS_LABEL}
    keys = list(labels)
    key: str | None  # None until the person picks one, when nothing is preselected
    if state.decisions:
        key = st.radio("The summary is based on", keys, format_func=labels.__getitem__, key="basis")
    else:
        st.warning(
            "**The room has settled no step yet.** What should the summary be based on? "
            "A prepared scenario or Crossflow's suggestions are not the room's decisions, and the summary's "
            "title will say so."
        )
        key = st.radio("Base the summary on", keys, format_func=labels.__getitem__, index=None, key="basis")
    if key == SUGGESTIONS:
        st.caption(
            "Based on the tags Crossflow suggests from each step's rubric and task evidence: nobody has decided "
            "them, and the summary's title says so."
        )
    elif key is not None:
        st.caption(next(b.explanation for b in options if b.key == key))
    return key


def basis_scenario(flow: Flow, decisions: list[Decision], key: str | None) -> Scenario | None:
    """The scenario for `key`; suggestions are worked out here, in the export job (a moment on a big flow)."""
    if key is None:
        return None
    if key == SUGGESTIONS:
        return suggestions_basis((item.step, item.tag) for item in suggest(flow).items).scenario
    chosen: Basis = next(b for b in bases(flow, decisions) if b.key == key)
    return chosen.scenario


def make_work(
    state: WorkshopState, fmt: str, key: str | None, record: WorkshopRecord
) -> Callable[[Progress], ExportResult]:
    """The export as a function of a progress callback, using only plain data (it runs on a worker thread)."""
    flow, decisions = state.flow, list(state.decisions)
    # The O*NET tasks the Impact page reads, once this server has matched the workshop's steps (in the
    # background since the workshop page opened); until then the export reads the words and says so,
    # rather than making the export wait for the sentence model.
    matched = suggestions_ready(state)

    def work(progress: Progress) -> ExportResult:
        if key == SUGGESTIONS:
            progress(0.0, "working out Crossflow's suggestions")
        scenario = basis_scenario(flow, decisions, key)
        ready = matched or key == SUGGESTIONS  # the suggestions just matched every step
        evidence = task_basis(flow) if ready else TaskBasis(tasks=None, text=NOT_MATCHED_YET)
        return export(flow, fmt, scenario=scenario, record=record, progress=progress, basis=evidence)

    return work


@st.fragment(run_every=0.5)
def job_progress() -> None:
    """This person's export in progress: a bar that moves; the whole page reruns when it is done."""
    job: ExportJob | None = st.session_state.get(JOB)
    if job is None:  # collected by a full run of the page since this fragment last ran
        return
    if job.finished:
        st.rerun(scope="app")
    st.progress(job.share, text=f"Preparing the {job.label}: {job.stage} ({job.seconds:.0f} s)")


def export_buttons(state: WorkshopState, formats: dict[str, str], key: str | None, record: WorkshopRecord) -> None:
    """One "prepare" button per format (started in the background), then its download button."""
    running = export_jobs().running(state.workshop_id)
    mine: ExportJob | None = st.session_state.get(JOB)
    cols = st.columns(len(formats))
    for col, (fmt, label) in zip(cols, formats.items(), strict=True):
        refused = export_refusal(fmt, state.phase, state.me.is_facilitator)
        needs_basis = fmt in SUMMARY_FORMATS and key is None
        with col:
            result_key = f"export:{state.workshop_id}:{key}:{fmt}"
            clicked = st.button(
                f"Prepare {label}",
                key=f"prep:{fmt}",
                width="stretch",
                disabled=bool(refused or needs_basis or running),
                help=refused or ("Choose what the summary is based on first." if needs_basis else None),
            )
            if clicked:
                try:
                    job = export_jobs().start(
                        state.workshop_id, label.split(" ", 1)[1], state.me.name, make_work(state, fmt, key, record)
                    )
                except ExportBusy as exc:
                    st.warning(str(exc))
                else:
                    st.session_state[JOB] = job
                    st.session_state["export_for"] = (result_key, state.version)
                    st.rerun()
            made = st.session_state.get(result_key)
            if made is not None:
                version, result = made
                st.download_button(
                    f"⬇ {result.filename}",
                    result.data,
                    file_name=result.filename,
                    mime=result.mime,
                    key=f"dl:{fmt}",
                    width="stretch",
                )
                if version != state.version:
                    st.caption("Made before the latest changes in the room; prepare it again for the newest.")
    if running is not None and running is not mine:
        st.info(
            f"{plain(running.started_by)} is preparing a {running.label} of this workshop "
            f"({running.share:.0%} done). One export runs at a time per workshop."
        )


def collect_finished() -> None:
    """A finished job of this person: keep its file for the download button, or show why it failed."""
    job: ExportJob | None = st.session_state.get(JOB)
    if job is None or not job.finished:
        return
    st.session_state.pop(JOB)
    if job.error:
        st.error(job.error)
    elif job.result is not None:
        result_key, version = st.session_state.pop("export_for")
        st.session_state[result_key] = (version, job.result)
        st.success(f"Your {job.label} is ready ({job.seconds:.0f} s): download it below.")


state = require_state("Export", "Join or start a workshop to export its redesign.")
follow_phase(state, EXPORT_PAGE)  # a phase whose work is elsewhere takes the person there
if state.me.is_facilitator:
    facilitator_sidebar(state)  # the phase, timer and people controls on every page
timer_bar(state)
st.title(f"Export — {state.name}")
phase_header(state)  # the phase and what it asks of the viewer, as on the workshop page
live_watch(state, st.session_state["token"])  # brought up to date when the workshop moves on
record = record_from_workshop(
    state.name, state.goal, state.flow, state.participants, state.proposals, state.decisions, comments=state.comments
)
collect_finished()
if st.session_state.get(JOB) is not None:
    # Only while this person's export runs: the fragment reruns on the server twice a second,
    # and everyone else on the page would pay for that with nothing to show.
    job_progress()

st.subheader("Executive summary")
st.caption(
    "One page of headline numbers, then the redesigned flow, roles, skills, incentives, governance, "
    "pilot waves, open disagreements and the decision log."
)
basis = choose_basis(state)
if not (state.revealed or state.me.is_facilitator):
    st.caption("Proposals are still private, so the summary lists only your own view of the disagreements.")
export_buttons(state, SUMMARY_FORMATS, basis, record)
st.subheader("Data")
st.caption("The flow as data. Excel, CSV and Mermaid mark the tags of the basis chosen above, if any.")
export_buttons(state, DATA_FORMATS, basis, record)

if state.me.is_facilitator:
    st.subheader("Workshop record")
    st.caption(
        "Everything: flow, participants, proposals, comments, decisions and the event log, as JSON "
        "(import it again on another server)."
    )
    try:
        record_json = json.dumps(
            service().export_workshop(st.session_state["token"]), indent=2, default=str, allow_nan=False
        )
        st.download_button(
            "⬇ Workshop record (JSON)", record_json, file_name=f"{state.flow.id}-workshop.json", mime="application/json"
        )
    except StoreError as exc:
        st.error(str(exc))
