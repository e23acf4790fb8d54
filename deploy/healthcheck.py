"""Wait until Crossflow answers its health check: `python deploy/healthcheck.py URL [--wait SECONDS]`.

URL is a replica (http://127.0.0.1:8501) or nginx in front of them. Exit 0 when
`URL/_stcore/health` says "ok" within the wait (default: ask once), 1 otherwise, with
one line saying what was seen. Standard library only: for systemd's ExecStartPost,
container HEALTHCHECKs and monitors.
"""

from __future__ import annotations

import argparse
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence


def probe(url: str, timeout: float = 3.0) -> str | None:
    """None when healthy, else what went wrong (one line)."""
    target = url.rstrip("/") + "/_stcore/health"
    try:
        with urllib.request.urlopen(target, timeout=timeout) as response:
            body = response.read(64).strip()
    except urllib.error.HTTPError as exc:
        return f"{target}: HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return f"{target}: {getattr(exc, 'reason', exc)}"
    return None if body == b"ok" else f"{target}: unexpected answer {body[:40]!r}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="healthcheck.py", description=__doc__.splitlines()[0])
    parser.add_argument("url", help="http://host:port of a replica or of nginx")
    parser.add_argument("--wait", type=float, default=0.0, help="keep asking for this many seconds")
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.wait
    while True:
        problem = probe(args.url)
        if problem is None:
            return 0
        if time.monotonic() >= deadline:
            sys.stderr.write(f"unhealthy: {problem}\n")
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
