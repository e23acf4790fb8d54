"""Who is asking, for the join/key rate limit (`redesign.store.rate_limit`): a network address and a browser id.

- Address: the WebSocket peer (`st.context.ip_address`). A request through a
  trusted reverse proxy (by default one on this machine, as `deploy/nginx.conf.template`
  runs it) is attributed to the proxy's `X-Real-IP` instead, which that nginx sets
  from the real peer, overwriting what a client sent. From anywhere else the
  header is ignored: a client controls its own headers. Set
  CROSSFLOW_TRUSTED_PROXIES (comma-separated addresses) when the proxy runs elsewhere.
- Browser: a random id in a cookie of this browser (`crossflow_client`, one year).
  The client controls it too (a script can drop or rotate it), which is why the
  address has its own, looser limit.
"""

from __future__ import annotations

import os
import re
import secrets

import streamlit as st

from redesign.store.rate_limit import Client

BROWSER_COOKIE = "crossflow_client"
TRUSTED_ENV = "CROSSFLOW_TRUSTED_PROXIES"
LOOPBACK = "127.0.0.1"  # st.context reports loopback peers as None
_SAFE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def trusted_proxies() -> set[str]:
    listed = os.environ.get(TRUSTED_ENV, "").strip()
    return {p.strip() for p in listed.split(",") if p.strip()} if listed else {LOOPBACK, "::1"}


def client_address(peer: str | None, real_ip_header: str | None, trusted: set[str]) -> str:
    """The address a request is attributed to: the peer, or the proxy's X-Real-IP when the peer is trusted."""
    address = peer or LOOPBACK
    forwarded = (real_ip_header or "").strip()
    if address in trusted and forwarded:
        return forwarded[:100]
    return address


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None  # AppTest's context returns mocks


def current_client() -> Client:
    peer = _text(st.context.ip_address)
    address = client_address(peer, _text(st.context.headers.get("X-Real-IP")), trusted_proxies())
    browser = _text(st.context.cookies.get(BROWSER_COOKIE)) or ""
    return Client(address=address, browser=browser if _SAFE.match(browser) else "")


def ensure_browser_id() -> None:
    """Give this browser its id cookie once (the next request carries it)."""
    if _text(st.context.cookies.get(BROWSER_COOKIE)) or st.session_state.get("browser_id_set"):
        return
    st.session_state["browser_id_set"] = True
    value = secrets.token_urlsafe(18)
    st.html(
        "<script>(function(){var secure = location.protocol === 'https:' ? '; Secure' : '';"
        f"document.cookie = '{BROWSER_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Strict' + secure;"
        "})();</script>",
        unsafe_allow_javascript=True,
    )
