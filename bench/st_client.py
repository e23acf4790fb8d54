"""A headless Streamlit client: one websocket session that behaves like an idle browser tab.

What a browser tab does, and what this client copies (read from Streamlit 1.67's
frontend, `static/js/index.*.js`):

- it opens `ws://host/_stcore/stream` with the subprotocols `streamlit` and an auth
  placeholder (`PLACEHOLDER_AUTH_TOKEN` when there is no XSRF cookie);
- it sends one `BackMsg.rerun_script` (`ClientState`) naming the page by its URL path
  (`page_name`, e.g. "workshop") with the page's query string (`t=<token>`);
- after the server's `new_session` and `navigation` messages it sends the running page's
  script hash (from `navigation`, when the app uses `st.navigation`) instead of its name,
  and it lists the hashes of the cacheable messages it holds
  (`cached_message_hashes`); the server then sends `ref_hash` stubs for those;
- on `ForwardMsg.auto_rerun` (fragment id, interval) it starts a `setInterval` that
  sends `rerun_script` with that `fragment_id` and `is_auto_rerun=True` every interval,
  whatever the server is doing; `stop_auto_rerun` clears it;
- it sends its current widget states with every rerun. This client sends the widget
  states it last sent (none by default): an idle viewer changes no widget, and
  `bench/ui.py --check-browser` compares the server's CPU per tick against a real
  Chromium tab to show the difference does not matter.

- in push mode (the default since issue 11), the page holds the listener component
  (redesign/ui/live.py); like its script (redesign/ui/assets/live_listener.js) this client
  then opens the push route (`/crossflow/events?w=...`, with the seat cookie) and, on a
  `version` event newer than the page shows, asks for a rerun of the listener's fragment
  (the browser sends the component's trigger value with it; the fragment does not read it).
  On a participant's board (the listener's data names a view route and a map look) it first
  GETs the view route, as the script does: an unchanged map look means the page shows the
  new version from the pushed board data, with no rerun.

The client also times requests (`rerun()` returns the time to `script_finished`) and
counts what the server ran, so benchmarks can check every tick really ran.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import select
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = ForwardMsg.ScriptFinishedStatus
AUTH_PLACEHOLDER = "PLACEHOLDER_AUTH_TOKEN"


LISTENER = "crossflow_live"  # the listener component's name (redesign/ui/live.py)
_LIVE_VERSION = re.compile(r"live · version (\d+)")


class ClientError(RuntimeError):
    """The server closed the session, reported an error, or did not answer in time."""


@dataclass
class Counts:
    full_runs: int = 0  # script_finished FINISHED_SUCCESSFULLY
    fragment_runs: int = 0  # script_finished FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    early: int = 0  # FINISHED_EARLY_FOR_RERUN (a run cut short by a newer request)
    ticks_sent: int = 0  # fragment reruns this client asked for
    messages: int = 0
    bytes_in: int = 0
    exceptions: list[str] = field(default_factory=list)
    full_run_times: list[float] = field(default_factory=list)  # time.monotonic() of each finished full run
    # (time.monotonic(), N) when a run finished that drew the live indicator "live · version N": the page
    # then shows version N (a full run drew it; a fragment run confirmed nothing the viewer sees changed)
    versions_shown: list[tuple[float, int]] = field(default_factory=list)


class Session:
    """One browser tab on `page` (the URL path, "" for the default page) with `query`."""

    def __init__(
        self,
        base_url: str,
        page: str = "",
        query: dict[str, str] | None = None,
        poll: bool = True,
        timeout: float = 60,
        push: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page = page
        self.query_string = urlencode(query or {})
        self.poll = poll  # False: the poll timer does not fire (a paused tab); see start_polling()
        self.timeout = timeout
        self.counts = Counts()
        self.session_id = ""
        self.page_script_hash = ""
        self.auto_reruns: dict[str, float] = {}  # fragment id -> interval (s)
        self.widget_states: list[object] = []
        # hash of a cacheable message -> (run count when last used, fragment id of its delta)
        self._cache: dict[str, tuple[int, str]] = {}
        self._max_age = 2
        self._run_count = 0
        self._ws: websocket.WebSocket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._next_tick: dict[str, float] = {}
        self._send_lock = threading.Lock()
        self.last_finished_at = 0.0
        self.connected_at = 0.0
        self._live_version: int | None = None  # drawn by the run in progress
        self.push = push  # follow the push route when the page holds the listener component
        self.token = (query or {}).get("t", "")
        self.listener_fragment = ""  # the fragment that holds the listener component
        self.shown_version = 0  # what the page shows (the listener's data)
        self._asked: tuple[int, float] = (0, 0.0)  # (version asked for, when)
        self._push_thread: threading.Thread | None = None
        self._push_conn: http.client.HTTPConnection | None = None
        self.push_events = 0
        self.view_path = ""  # the listener's view route (participants' boards), "" when the page gives none
        self.map_look = ""  # the page's map look fingerprint (redesign.views.looks)
        self.view_fetches = 0  # versions shown from the view route, without a rerun

    # ------------------------------------------------------------------ lifecycle

    def open(self) -> Session:
        """Connect, ask for the first run, and keep receiving in a thread."""
        parts = urlsplit(self.base_url)
        ws_url = f"ws://{parts.netloc}{parts.path}/_stcore/stream"
        self._ws = websocket.create_connection(
            ws_url,
            subprotocols=["streamlit", AUTH_PLACEHOLDER],
            origin=f"{parts.scheme}://{parts.netloc}",
            timeout=self.timeout,
            enable_multithread=True,
        )
        self.connected_at = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name=f"st-session-{self.page}", daemon=True)
        self._thread.start()
        self._send_rerun(fragment_id="", auto=False)
        return self

    def close(self) -> None:
        """Drop the connection, as a closed tab does (the server keeps the session for a while)."""
        self._stop.set()
        if self._push_conn is not None and self._push_conn.sock is not None:
            with contextlib.suppress(OSError):
                self._push_conn.sock.shutdown(socket.SHUT_RDWR)
        if self._ws is not None and self._ws.sock is not None:
            with contextlib.suppress(OSError):
                self._ws.sock.shutdown(socket.SHUT_RDWR)  # wakes the receiving thread at once
        if self._thread is not None:
            self._thread.join(5)
        if self._ws is not None:
            with contextlib.suppress(OSError, websocket.WebSocketException):
                self._ws.close(timeout=1)

    def __enter__(self) -> Session:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ requests

    def wait_for_runs(self, full: int = 0, fragment: int = 0, timeout: float | None = None) -> None:
        """Block until the server has finished at least `full` full runs and `fragment` fragment runs."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._changed:
            while self.counts.full_runs < full or self.counts.fragment_runs < fragment:
                if self._stop.is_set():
                    raise ClientError(f"the session is closed: {self.counts.exceptions[-1:]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ClientError(
                        f"timed out waiting for runs (full {self.counts.full_runs}/{full}, "
                        f"fragment {self.counts.fragment_runs}/{fragment})"
                    )
                self._changed.wait(left)
        if self.counts.exceptions:
            raise ClientError(f"the page raised: {self.counts.exceptions[-1]}")

    def rerun(self, fragment_id: str = "") -> float:
        """Ask for a rerun (of the page, or of one fragment) and return seconds until it finished."""
        full, frag = self.counts.full_runs, self.counts.fragment_runs
        start = time.perf_counter()
        self._send_rerun(fragment_id=fragment_id, auto=bool(fragment_id))
        if fragment_id:
            self.wait_for_runs(fragment=frag + 1)
        else:
            self.wait_for_runs(full=full + 1)
        return time.perf_counter() - start

    def _send_rerun(self, fragment_id: str, auto: bool) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        if self.page_script_hash:
            state.page_script_hash = self.page_script_hash
        else:
            state.page_name = self.page
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        state.widget_states.widgets.extend(self.widget_states)  # type: ignore[arg-type]
        state.cached_message_hashes.extend(self._cache)
        info = state.context_info
        info.timezone = "UTC"
        info.timezone_offset = 0
        info.locale = "en-US"
        info.url = f"{self.base_url}/{self.page}" + (f"?{self.query_string}" if self.query_string else "")
        info.is_embedded = False
        info.color_scheme = "light"
        self._send(msg)

    def _send(self, msg: BackMsg) -> None:
        assert self._ws is not None
        with self._send_lock:
            self._ws.send_binary(msg.SerializeToString())

    # ------------------------------------------------------------------ receiving and the timer

    def _loop(self) -> None:
        """Receive and dispatch messages; fire the poll timer between them.

        The socket is polled with select() and a frame is read only once bytes are
        there, so a timeout never cuts a frame in half (websocket-client would lose
        its place in the stream). Control frames return too (pings are answered by
        websocket-client), so a ping never blocks the timer until the next message.
        """
        assert self._ws is not None
        ws = self._ws
        try:
            while not self._stop.is_set():
                wait = max(0.0, min(self._due_in(), 1.0))
                readable, _, _ = select.select([ws.sock], [], [], wait)
                if readable:
                    opcode, frame = ws.recv_data_frame(control_frame=True)
                    if opcode == websocket.ABNF.OPCODE_CLOSE:
                        raise websocket.WebSocketConnectionClosedException("closed by the server")
                    if opcode == websocket.ABNF.OPCODE_BINARY:
                        self._handle(frame.data)
                self._fire_due_ticks()
        except Exception as exc:  # a benchmark must see why a session died, whatever it was
            if not self._stop.is_set():
                self.counts.exceptions.append(f"session ended: {type(exc).__name__}: {exc}")
        finally:
            self._stop.set()
            with self._changed:
                self._changed.notify_all()

    def _due_in(self) -> float:
        if not self._next_tick:
            return 1.0
        return min(self._next_tick.values()) - time.monotonic()

    def _fire_due_ticks(self) -> None:
        now = time.monotonic()
        for fragment_id, due in list(self._next_tick.items()):
            if now >= due:
                # setInterval keeps its cadence: the next tick is one interval after this one was due
                self._next_tick[fragment_id] = due + self.auto_reruns[fragment_id]
                self.counts.ticks_sent += 1
                self._send_rerun(fragment_id=fragment_id, auto=True)

    def _handle(self, data: bytes) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        self.counts.messages += 1
        self.counts.bytes_in += len(data)
        kind = msg.WhichOneof("type")
        if kind != "ref_hash" and msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (self._run_count, msg.delta.fragment_id if kind == "delta" else "")
        elif kind == "ref_hash" and msg.ref_hash in self._cache:
            self._cache[msg.ref_hash] = (self._run_count, self._cache[msg.ref_hash][1])
        if kind == "new_session":
            self._on_new_session(msg)
        elif kind == "delta":
            self._on_delta(msg)
        elif kind == "auto_rerun":
            self._on_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
                self._next_tick.pop(fragment_id, None)
        elif kind == "navigation":
            # with st.navigation the running page's hash arrives here (new_session names the main script's)
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            self._on_finished(msg.script_finished)
        elif kind == "page_not_found":
            self.counts.exceptions.append(f"page not found: {msg.page_not_found.page_name}")

    def _on_new_session(self, msg: ForwardMsg) -> None:
        new = msg.new_session
        self.page_script_hash = new.page_script_hash
        self._max_age = new.config.max_cached_message_age or 2
        if new.initialize.session_id:
            self.session_id = new.initialize.session_id

    def _on_delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        if element.WhichOneof("type") == "exception":
            self.counts.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif element.WhichOneof("type") == "markdown":
            shown = _LIVE_VERSION.search(element.markdown.body)
            if shown:
                self._live_version = int(shown.group(1))
        elif (
            element.WhichOneof("type") == "bidi_component" and element.bidi_component.component_name == "crossflow_live"
        ):
            data = json.loads(element.bidi_component.json or "{}")
            if data.get("kick"):
                return  # the page-level helper the listener reruns the whole page with; not the listener
            self._live_version = int(data["version"])
            self.listener_fragment = delta.fragment_id
            self.view_path = str(data.get("view") or "")
            self.map_look = str(data.get("mapLook") or "")
            if self.push and self._push_thread is None:
                self._push_thread = threading.Thread(
                    target=self._follow_push, args=(str(data["events"]),), name="st-push", daemon=True
                )
                self._push_thread.start()

    # ------------------------------------------------------------------ push

    def _follow_push(self, path: str) -> None:
        """Read the push route; a newer version asks for a rerun of the listener's fragment, as the browser does."""
        parts = urlsplit(self.base_url)
        workshop_id = path.rsplit("w=", 1)[-1]
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=None)
            self._push_conn = conn
            conn.request("GET", path, headers={"Cookie": f"crossflow_seat_{workshop_id}={self.token}"})
            response = conn.getresponse()
            if response.status != 200:
                raise ClientError(f"push route answered {response.status}")
            event = ""
            while not self._stop.is_set():
                line = response.fp.readline().decode()
                if not line:
                    break
                line = line.rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "version":
                    self.push_events += 1
                    self._on_version(int(json.loads(line[6:])["version"]), workshop_id)
        except Exception as exc:
            if not self._stop.is_set():
                self.counts.exceptions.append(f"push ended: {type(exc).__name__}: {exc}")

    def _on_version(self, version: int, workshop_id: str) -> None:
        """As live_listener.js: a participant's board first asks the view route; an unchanged map look
        means the page shows the change once the new board arrives, with no rerun."""
        if version <= self.shown_version:
            return
        if not (self.map_look and self.view_path):
            self._ask(version)
            return
        parts = urlsplit(self.base_url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            conn.request("GET", self.view_path, headers={"Cookie": f"crossflow_seat_{workshop_id}={self.token}"})
            response = conn.getresponse()
            body = json.loads(response.read()) if response.status == 200 else None
        finally:
            conn.close()
        if body is None:
            self._ask(version)
            return
        if body["mapLook"] != self.map_look:
            self._ask(int(body["version"]))
            return
        with self._changed:
            self.view_fetches += 1
            self.counts.versions_shown.append((time.monotonic(), int(body["version"])))
            self.shown_version = max(self.shown_version, int(body["version"]))
            self._changed.notify_all()

    def _ask(self, version: int) -> None:
        asked, when = self._asked
        if version <= self.shown_version or not self.listener_fragment:
            return
        if asked >= version and time.monotonic() - when < 3:
            return  # a rerun is on its way (live_listener.js does the same)
        self._asked = (version, time.monotonic())
        self._send_rerun(fragment_id=self.listener_fragment, auto=False)

    def _on_auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id or self.auto_reruns.get(fragment_id) == interval:
            return  # the browser ignores a repeat announcement with the same interval
        self.auto_reruns[fragment_id] = interval
        if self.poll:
            self._next_tick[fragment_id] = time.monotonic() + interval

    def start_polling(self, first_in_s: float | None = None) -> None:
        """Let the poll timers fire, the first tick in `first_in_s` (default: one interval)."""
        self.poll = True
        now = time.monotonic()
        for fragment_id, interval in list(self.auto_reruns.items()):
            self._next_tick[fragment_id] = now + (interval if first_in_s is None else first_in_s)

    def stop_polling(self) -> None:
        self.poll = False
        self._next_tick.clear()

    def _on_finished(self, status: int) -> None:
        # The browser ages its message cache once per finished run and forgets what is too
        # old; after a fragment run only that fragment's messages can age out.
        self._run_count += 1
        fragment_run = status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
        self._cache = {
            h: (n, frag)
            for h, (n, frag) in self._cache.items()
            if (fragment_run and frag not in self.auto_reruns) or self._run_count - n <= self._max_age
        }
        with self._changed:
            if self._live_version is not None and status in (
                FINISHED.FINISHED_SUCCESSFULLY,
                FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
            ):
                self.counts.versions_shown.append((time.monotonic(), self._live_version))
                self.shown_version = max(self.shown_version, self._live_version)
            self._live_version = None
            if status == FINISHED.FINISHED_SUCCESSFULLY:
                self.counts.full_runs += 1
                self.counts.full_run_times.append(time.monotonic())
            elif status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
                self.counts.fragment_runs += 1
            elif status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                self.counts.early += 1
            else:
                self.counts.exceptions.append(f"script finished with status {status}")
            self.last_finished_at = time.monotonic()
            self._changed.notify_all()


def open_sessions(
    base_url: str, page: str, queries: Iterable[dict[str, str]], stagger_s: float = 0.0, poll: bool = True
) -> list[Session]:
    """Open one session per query (each waits for its first full run before the next opens)."""
    sessions = []
    for query in queries:
        session = Session(base_url, page, query, poll=poll).open()
        session.wait_for_runs(full=1)
        sessions.append(session)
        if stagger_s:
            time.sleep(stagger_s)
    return sessions
