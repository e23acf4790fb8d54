"""The deployment under test: nginx in front of app replicas, on loopback, started by the tests.

`start_nginx()` renders deploy/nginx.conf.template with deploy/render_nginx.py (what
operators run) and runs nginx in the foreground with every path under a temp dir, so
no root-owned path is needed. Its access log records, per request, the replica that
served it and the route key, which is how the tests see stickiness.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from deploy.render_nginx import COOKIE, Settings, render
from tests.pg_server import free_port

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/bin/nginx")
LINE = re.compile(
    r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ upstream=(?P<upstream>\S.*?) route=(?P<route>\S*)'
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> NoReturn:
    """Skip here; fail in CI, where the suite must really run (scripts/setup --dev installs it all)."""
    if in_ci():
        pytest.fail(f"CI must run the deployment tests, but {reason}", pytrace=False)
    pytest.skip(reason)


def find_nginx() -> str | None:
    """Env CROSSFLOW_NGINX names the only binary to use (lets a run simulate a machine without nginx)."""
    override = os.environ.get("CROSSFLOW_NGINX", "").strip()
    if override:
        return override if os.access(override, os.X_OK) else None
    return shutil.which("nginx") or next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)


@dataclass(frozen=True)
class Served:
    """One line of the access log."""

    method: str
    path: str
    status: int
    upstream: str  # the replica's address; "a, b" when nginx retried on another
    route: str  # the route cookie, or the client address when there was none


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    port: int
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def served(self) -> list[Served]:
        text = self.access_log.read_text(errors="replace") if self.access_log.exists() else ""
        out = []
        for line in text.splitlines():
            m = LINE.search(line)
            if m:
                out.append(Served(m["method"], m["path"], int(m["status"]), m["upstream"], m["route"]))
        return out

    def error_tail(self) -> str:
        log = self.prefix / "error.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # fast: a graceful stop would wait for open websockets
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_nginx(binary: str, replica_ports: list[int], prefix: Path) -> Nginx:
    """nginx in the foreground on a free loopback port, in front of the replicas on 127.0.0.1."""
    (prefix / "temp").mkdir(parents=True, exist_ok=True)
    port = free_port()
    settings = Settings(
        listen=f"127.0.0.1:{port}",
        # As root nginx would run its workers as `nobody`, who cannot enter the
        # pytest temp dir (0700) to buffer large responses; run them as ourselves.
        user="root" if os.geteuid() == 0 else None,
        worker_processes="1",
        worker_connections=512,
        fail_timeout_s=5,
        temp_dir=str(prefix / "temp"),
        pid_file=str(prefix / "nginx.pid"),
        error_log=str(prefix / "error.log"),
        access_log=str(prefix / "access.log"),
    )
    conf = prefix / "nginx.conf"
    conf.write_text(render(replica_ports, settings), encoding="utf-8")
    command = [binary, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log"), "-g", "daemon off;"]
    check = subprocess.run([*command[:-2], "-t"], capture_output=True, text=True, timeout=30, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t refused the rendered configuration:\n{check.stderr}")
    with (prefix / "nginx.out").open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    nginx = Nginx(process=process, port=port, prefix=prefix)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with {process.returncode}:\n{nginx.error_tail()}")
        try:
            with urllib.request.urlopen(f"{nginx.url}/nginx-health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return nginx
        except OSError:
            time.sleep(0.2)
    nginx.stop()
    raise RuntimeError(f"nginx did not answer in 20 s:\n{nginx.error_tail()}")


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def replica_of(nginx: Nginx, cookie: str) -> str:
    """Which replica nginx sends this route cookie to (read back from its access log)."""
    marker = f"/_stcore/health?probe={cookie}"
    get(nginx.url + marker, cookie)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the log line is written just after the response
        for line in reversed(nginx.served()):
            if line.path == marker:
                return line.upstream
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {marker}")


def cookie_routed_to(nginx: Nginx, port: int, tries: int = 64) -> str:
    """A route cookie value nginx hashes onto the replica on `port`."""
    for i in range(tries):
        value = f"probe{i:04d}"
        if replica_of(nginx, value) == f"127.0.0.1:{port}":
            return value
    raise AssertionError(f"none of {tries} route cookies maps to port {port}: the hash does not spread")
