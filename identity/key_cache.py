"""`KeyCache`: the API's memory of the keys it has just checked (under load the key lookup was
the largest SQLAlchemy cost of a call).

A key found valid is trusted for `ttl` without asking the database again. Its expiry is still
checked at every use, and a revocation made through this process forgets the key at once; a
revocation made elsewhere (`manage.py revoke-api-key`, another API process) takes effect within
`ttl`. An unknown key is never remembered, so a key issued a moment ago works at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from identity.keys import Principal, hash_key

Clock = Callable[[], datetime]

#: Keys remembered at most (the least recently used go first).
CAPACITY = 10_000


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None
    checked_at: datetime


class KeyCache:
    def __init__(self, ttl: timedelta, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self._ttl, self._clock = ttl, clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def recall(self, key: str) -> Principal | None:
        """The person behind `key` if it was found valid within `ttl` and has not expired;
        None: ask the database (and `remember` what it says)."""
        digest, now = hash_key(key), self._clock()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None or now - entry.checked_at >= self._ttl:
                return None
            self._entries.move_to_end(digest)
        return None if _expired(entry.expires_at, now) else entry.principal

    def remember(self, key: str, found: tuple[Principal, datetime | None] | None) -> None:
        """What the database said of `key`: a valid key (and its expiry), or None."""
        digest = hash_key(key)
        with self._lock:
            if found is None or self._ttl <= timedelta(0):
                self._entries.pop(digest, None)
                return
            self._entries[digest] = _Entry(found[0], found[1], self._clock())
            self._entries.move_to_end(digest)
            while len(self._entries) > CAPACITY:
                self._entries.popitem(last=False)

    def forget(self, key_id: int) -> None:
        """The key `key_id` was revoked here: stop trusting it now."""
        with self._lock:
            for digest in [d for d, e in self._entries.items() if e.principal.key_id == key_id]:
                del self._entries[digest]


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now
