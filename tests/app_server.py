"""Start the real app (``streamlit run app.py``) on loopback for browser tests and benchmarks.

Importable from tests and bench scripts (the repo root is on sys.path). Output goes
to a log file, not a pipe, so a chatty server can never block on a full pipe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.pg_server import free_port

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CROSSFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class AppServer:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    url: str

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def start_app(
    database_url: str, log_dir: Path, port: int | None = None, env: dict[str, str] | None = None, timeout: float = 90
) -> AppServer:
    """Start the app and wait until its health check answers."""
    port = port or free_port()
    log = log_dir / f"app-{port}.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
    ]
    environment = {**os.environ, "CROSSFLOW_DATABASE_URL": database_url, **(env or {})}
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    server = AppServer(process=process, port=port, log=log, url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{server.log_tail()}")
        if healthy(server.url):
            return server
        time.sleep(0.3)
    server.stop(kill=True)
    raise RuntimeError(f"the app did not become healthy in {timeout:.0f} s:\n{server.log_tail()}")
