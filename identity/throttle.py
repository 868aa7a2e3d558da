"""Failed sign-ins slowed down (登录限流): a client or a login with too many recent failures
is told to wait, before any key or password is checked. In the API process's memory: each
process counts its own, which bounds guessing per process and keeps scrypt's cost off the
thread pool."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

#: Failures allowed per client address, and per login, within `WINDOW_SECONDS`.
FAILURES = 10
WINDOW_SECONDS = 300.0
#: Addresses and logins remembered at most; the oldest are forgotten first.
REMEMBERED = 10_000


class Throttle:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def wait_seconds(self, *who: str) -> float:
        """0 if each of `who` may try now, else how long until the first of them may."""
        now = self._clock()
        waits = [0.0]
        for name in who:
            recent = self._recent(name, now)
            if recent is not None and len(recent) >= FAILURES:
                waits.append(recent[0] + WINDOW_SECONDS - now)
        return max(waits)

    def failed(self, *who: str) -> None:
        now = self._clock()
        for name in who:
            if name not in self._failures and len(self._failures) >= REMEMBERED:
                self._failures.pop(next(iter(self._failures)))
            self._failures.setdefault(name, deque()).append(now)

    def _recent(self, name: str, now: float) -> deque[float] | None:
        recent = self._failures.get(name)
        while recent and recent[0] <= now - WINDOW_SECONDS:
            recent.popleft()
        return recent
