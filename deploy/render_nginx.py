"""Render deploy/nginx.conf.template for a set of Streamlit replicas.

    python deploy/render_nginx.py --replica 8501 --replica 8502 --listen 80 -o /etc/crossflow/nginx.conf
    python deploy/render_nginx.py --replica 10.0.0.5:8501 --replica 10.0.0.6:8501 --site \\
        > /etc/nginx/conf.d/crossflow.conf

A replica is a port on 127.0.0.1 or host:port. Pure Python (standard library only),
so operators can run it with any python3; the tests import `render()`.
Exit codes: 0 ok, 2 bad arguments (one line saying which).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx.conf.template"
STREAMLIT_CONFIG = HERE.parent / ".streamlit" / "config.toml"
STREAMLIT_DEFAULT_UPLOAD_MB = 200  # Streamlit's own default for server.maxUploadSize
COOKIE = "crossflow_route"
SITE = re.compile(r"^[ \t]*# BEGIN site\n(.*?)^[ \t]*# END site\n", re.S | re.M)
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class RenderError(ValueError):
    """A setting that cannot make a working configuration; the message says which."""


@dataclass(frozen=True)
class Settings:
    """Everything the template needs besides the replicas. Defaults suit a Debian host."""

    listen: str = "80"
    server_name: str = "_"
    cookie: str = COOKIE
    secure_cookie: bool = False  # True behind HTTPS, so the route cookie never travels in clear
    max_upload_mb: int | None = None  # None: read from .streamlit/config.toml
    max_fails: int = 1
    fail_timeout_s: int = 10
    worker_processes: str = "auto"
    worker_connections: int = 4096
    user: str | None = None  # the `user` directive; None leaves nginx's default
    temp_dir: str = "/var/lib/nginx"
    pid_file: str = "/run/nginx.pid"
    error_log: str = "/var/log/nginx/error.log"
    access_log: str = "/var/log/nginx/crossflow.access.log"


def upload_limit_mb(config: Path = STREAMLIT_CONFIG) -> int:
    """Streamlit's server.maxUploadSize as configured for the app (its default when not set)."""
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return STREAMLIT_DEFAULT_UPLOAD_MB
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RenderError(f"cannot read {config}: {exc}") from None
    value = data.get("server", {}).get("maxUploadSize", STREAMLIT_DEFAULT_UPLOAD_MB)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RenderError(f"{config}: server.maxUploadSize must be a positive number of MB, not {value!r}")
    return value


def replica_address(replica: int | str) -> str:
    """`8501` -> `127.0.0.1:8501`; `host:port` is kept; anything else is refused."""
    text = str(replica).strip()
    host, _, port = text.rpartition(":")
    host = host or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise RenderError(f"replica {text!r}: expected a port (8501) or host:port (10.0.0.5:8501)")
    if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]", host):
        raise RenderError(f"replica {text!r}: {host!r} is not a host name or address")
    return f"{host}:{int(port)}"


def _check(settings: Settings) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_]+", settings.cookie):
        raise RenderError(f"cookie name {settings.cookie!r}: use letters, digits and _ only")
    if not re.fullmatch(r"[A-Za-z0-9.:\[\]_\- ]+", settings.listen):
        raise RenderError(f"listen {settings.listen!r}: expected a port or address:port")
    if not re.fullmatch(r"[A-Za-z0-9.*_\- ]+", settings.server_name):
        raise RenderError(f"server name {settings.server_name!r}: expected host names separated by spaces")
    if settings.max_fails < 1 or settings.fail_timeout_s < 1:
        raise RenderError("max_fails and fail_timeout must be at least 1")
    for name in ("temp_dir", "pid_file", "error_log", "access_log"):
        value = getattr(settings, name)
        if not value or any(c in value for c in ";{}\n\"'") or " " in value:
            raise RenderError(f"{name} {value!r}: expected a path without spaces, quotes, braces or ';'")


def render(replicas: Sequence[int | str], settings: Settings = Settings(), template: Path = TEMPLATE) -> str:
    """The full nginx.conf for these replicas."""
    addresses = [replica_address(r) for r in replicas]
    if not addresses:
        raise RenderError("no replicas: name at least one (--replica 8501)")
    duplicates = sorted({a for a in addresses if addresses.count(a) > 1})
    if duplicates:
        raise RenderError(f"replica listed twice: {', '.join(duplicates)}")
    _check(settings)
    upload = settings.max_upload_mb if settings.max_upload_mb is not None else upload_limit_mb()
    servers = "\n".join(
        f"        server {a} max_fails={settings.max_fails} fail_timeout={settings.fail_timeout_s}s;" for a in addresses
    )
    values = {
        "user_directive": f"user {settings.user};" if settings.user else "# user: nginx's default",
        "worker_processes": settings.worker_processes,
        "worker_connections": str(settings.worker_connections),
        "pid_file": settings.pid_file,
        "error_log": settings.error_log,
        "temp_dir": settings.temp_dir.rstrip("/") or "/",
        "cookie": settings.cookie,
        "cookie_secure": "; Secure" if settings.secure_cookie else "",
        "max_fails": str(settings.max_fails),
        "fail_timeout": f"{settings.fail_timeout_s} s",
        "upstream_servers": servers,
        "listen": settings.listen,
        "server_name": settings.server_name,
        "access_log": settings.access_log,
        "max_upload_mb": str(upload),
        "client_max_body_mb": str(upload + 1),
    }
    text = template.read_text(encoding="utf-8")
    missing = sorted(set(PLACEHOLDER.findall(text)) - values.keys())
    if missing:
        raise RenderError(f"{template}: no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def site_part(conf: str) -> str:
    """Only the http-level part (maps, upstream, server): what goes into /etc/nginx/conf.d/."""
    match = SITE.search(conf)
    if match is None:
        raise RenderError("the template has no '# BEGIN site' ... '# END site' part")
    return "\n".join(line.removeprefix("    ") for line in match.group(1).splitlines()) + "\n"


def build_parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(prog="render_nginx.py", description="Render nginx.conf for Crossflow replicas.")
    p.add_argument("--replica", action="append", required=True, help="port on 127.0.0.1, or host:port; repeat")
    p.add_argument("--listen", default=d.listen, help="port or address:port nginx listens on (default 80)")
    p.add_argument("--server-name", default=d.server_name)
    p.add_argument("--secure-cookie", action="store_true", help="mark the route cookie Secure (behind HTTPS)")
    p.add_argument("--max-upload-mb", type=int, help="default: server.maxUploadSize of .streamlit/config.toml")
    p.add_argument("--fail-timeout", type=int, default=d.fail_timeout_s, help="seconds a failed replica is skipped")
    p.add_argument("--user", help="nginx `user` directive (default: nginx's own)")
    p.add_argument("--prefix", help="put temp files, pid and logs under this directory (no root-owned paths)")
    p.add_argument("--temp-dir", help=f"nginx's temp files (default {d.temp_dir})")
    p.add_argument("--pid-file", help=f"default {d.pid_file}")
    p.add_argument("--error-log", help=f"default {d.error_log}")
    p.add_argument("--access-log", help=f"default {d.access_log}")
    p.add_argument("--site", action="store_true", help="print only the part for /etc/nginx/conf.d/")
    p.add_argument("-o", "--output", help="write here instead of standard output")
    return p


def settings_from(args: argparse.Namespace) -> Settings:
    paths: dict[str, str] = {}
    if args.prefix:
        root = str(Path(args.prefix).resolve())
        Path(root, "temp").mkdir(parents=True, exist_ok=True)  # nginx creates only the last level
        paths = {
            "temp_dir": f"{root}/temp",
            "pid_file": f"{root}/nginx.pid",
            "error_log": f"{root}/error.log",
            "access_log": f"{root}/access.log",
        }
    for name in ("temp_dir", "pid_file", "error_log", "access_log"):  # single paths win over --prefix
        if getattr(args, name):
            paths[name] = getattr(args, name)
    return Settings(
        listen=args.listen,
        server_name=args.server_name,
        secure_cookie=args.secure_cookie,
        max_upload_mb=args.max_upload_mb,
        fail_timeout_s=args.fail_timeout,
        user=args.user,
        **paths,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        conf = render(args.replica, settings_from(args))
        text = site_part(conf) if args.site else conf
    except RenderError as exc:
        sys.stderr.write(f"render_nginx.py: {exc}\n")
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
