"""The installed package, not the checkout: build the wheel, install it into a fresh venv
outside the repository (dependencies from the hash-locked requirements.txt), and use it
the way a person who ran `pip install crossflow` would: the CLI on a shipped sample, and
`crossflow serve` showing the samples on its start page in a real browser.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.app_server import ROOT, healthy
from tests.pg_server import free_port

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, dict[str, str]]]:
    """(venv bin dir, a working directory outside the checkout, environment without the checkout)."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)], cwd=base)
    (wheel,) = dist.glob("crossflow-*.whl")
    venv = base / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(venv)], cwd=base)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "-q", "--disable-pip-version-check"]
    _run([*pip, "install", "--no-compile", "--require-hashes", "-r", str(ROOT / "requirements.txt")], cwd=base)
    _run([*pip, "install", "--no-compile", "--no-deps", str(wheel)], cwd=base)
    _run([*pip, "check"], cwd=base)
    workdir = base / "run"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["CROSSFLOW_DATABASE_URL"] = f"sqlite:///{base / 'crossflow.db'}"
    yield venv / "bin", workdir, env


def test_the_installed_cli_runs_a_shipped_sample(installed: tuple[Path, Path, dict[str, str]]) -> None:
    bin_dir, workdir, env = installed
    where = _run([str(bin_dir / "python"), "-c", "import redesign; print(redesign.__file__)"], cwd=workdir, env=env)
    assert str(ROOT) not in where, f"the checkout was imported instead of the wheel: {where}"
    report = _run([str(bin_dir / "crossflow"), "impact", "sales_forecasting"], cwd=workdir, env=env)
    assert "Sales forecasting" in report
    assert "h/week" in report or "hours" in report.lower()
    check = _run([str(bin_dir / "crossflow"), "validate", "sales_forecasting"], cwd=workdir, env=env)
    assert "ok (" in check


def test_crossflow_serve_shows_the_samples(installed: tuple[Path, Path, dict[str, str]], browser: Browser) -> None:
    bin_dir, workdir, env = installed
    port = free_port()
    log = workdir / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(bin_dir / "crossflow"), "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not healthy(url):
            assert server.poll() is None, f"crossflow serve exited:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, f"no health check in 90 s:\n{log.read_text(errors='replace')}"
            time.sleep(0.5)
        page = browser.new_page()
        page.goto(url)
        expect(page.get_by_text("Sales forecasting").first).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Start workshop").first).to_be_visible()
        page.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
