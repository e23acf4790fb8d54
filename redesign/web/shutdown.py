"""Hearing that the server is asked to stop, so the open event streams can end.

uvicorn stops gracefully: on SIGTERM or SIGINT it stops accepting connections, then waits for every
open response to finish before it runs the app's shutdown. An event stream (one per open workshop
page) never finishes by itself, so a server with pages open waited until it was killed: a container
stop waited for its SIGKILL, Ctrl+C had to be pressed twice. The app cannot see uvicorn's own flag,
but it can hear the same signals: the handler in force when the app starts (uvicorn's) is wrapped,
told first, then called as before.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

Handler = Callable[[int, FrameType | None], object] | int | None


def on_stop_signal(hear: Callable[[], None]) -> Callable[[], None]:
    """Call `hear` when SIGINT or SIGTERM arrives, then the handler that was there; returns the undo.

    `hear` runs inside the signal handler: it must only hand over (e.g. `loop.call_soon_threadsafe`).
    Signal handlers can only be set from the main thread; elsewhere (a server run in a thread, as in
    tests) nothing is wrapped and the undo does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    wrapped: dict[int, tuple[Handler, Callable[[int, FrameType | None], None]]] = {}
    for number in STOP_SIGNALS:
        before = signal.getsignal(number)
        wrapper = _wrapper(hear, before)
        signal.signal(number, wrapper)
        wrapped[number] = (before, wrapper)

    def undo() -> None:
        for number, (before, wrapper) in wrapped.items():
            if signal.getsignal(number) is wrapper:  # uvicorn may already have put its predecessor back
                signal.signal(number, before)

    return undo


def _wrapper(hear: Callable[[], None], before: Handler) -> Callable[[int, FrameType | None], None]:
    def handler(number: int, frame: FrameType | None) -> None:
        hear()
        if callable(before):
            before(number, frame)
        elif before == signal.SIG_DFL:  # what the signal would have done without us
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)

    return handler
