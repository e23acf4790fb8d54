"""Exports run off the request thread, one at a time per workshop, with progress a page can show.

A 10,000-step PowerPoint takes a while; rendering it inside a page run would hold
that person's page (and, on a busy server, everyone's) until it finished. A page
starts a job here and polls it; the job runs on a small shared pool of worker
threads (at most `WORKERS` exports at once on this server, whatever the number of
workshops), and a second export of the same workshop is refused while one runs,
naming who started it, so one room cannot queue the server full.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import streamlit as st

from redesign.report.exports import ExportResult, Progress

WORKERS = 2
log = logging.getLogger(__name__)


@dataclass
class ExportJob:
    workshop_id: str
    label: str  # e.g. "PowerPoint"
    started_by: str
    started_at: float = field(default_factory=time.monotonic)
    share: float = 0.0
    stage: str = "waiting for a free worker"
    result: ExportResult | None = None
    error: str | None = None
    finished: bool = False

    def report(self, share: float, stage: str) -> None:
        self.share, self.stage = max(self.share, min(1.0, share)), stage

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started_at


class ExportBusy(Exception):
    def __init__(self, running: ExportJob) -> None:
        super().__init__(
            f"{running.started_by} is preparing a {running.label} of this workshop ({running.share:.0%} done); "
            "one export runs at a time per workshop, so yours can start when it is finished."
        )
        self.running = running


class ExportJobs:
    def __init__(self, workers: int = WORKERS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crossflow-export")
        self._lock = threading.Lock()
        self._running: dict[str, ExportJob] = {}

    def running(self, workshop_id: str) -> ExportJob | None:
        with self._lock:
            return self._running.get(workshop_id)

    def start(
        self, workshop_id: str, label: str, started_by: str, work: Callable[[Progress], ExportResult]
    ) -> ExportJob:
        """Start `work` (given a progress callback) unless this workshop already has an export running."""
        with self._lock:
            running = self._running.get(workshop_id)
            if running is not None:
                raise ExportBusy(running)
            job = ExportJob(workshop_id, label, started_by)
            self._running[workshop_id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: ExportJob, work: Callable[[Progress], ExportResult]) -> None:
        try:
            job.report(0.0, "starting")
            job.result = work(job.report)
        except ValueError as exc:  # the exporters' plain-message refusals
            job.error = str(exc)
        except Exception as exc:  # a page shows it as one line; the log has the rest
            log.exception("export of workshop %s failed", job.workshop_id)
            job.error = f"The export failed ({type(exc).__name__}: {exc})."
        finally:
            job.finished = True
            with self._lock:
                self._running.pop(job.workshop_id, None)


@st.cache_resource
def export_jobs() -> ExportJobs:
    """One job registry per server process, shared by every session."""
    return ExportJobs()
