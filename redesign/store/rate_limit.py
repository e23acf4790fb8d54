"""A sliding-window limit on failed attempts (join codes, facilitator keys), per process.

Per process, not per client: the service never sees IP addresses. Behind several
replicas the effective limit is replicas x limit, still far too slow to enumerate
49-bit codes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class FailureLimiter:
    def __init__(self, limit: int = 20, window_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def _trim(self, now: float) -> None:
        while self._failures and now - self._failures[0] >= self.window:
            self._failures.popleft()

    def blocked(self) -> bool:
        """True while `limit` failures happened within the window."""
        with self._lock:
            self._trim(self._clock())
            return len(self._failures) >= self.limit

    def record_failure(self) -> None:
        with self._lock:
            now = self._clock()
            self._trim(now)
            self._failures.append(now)
