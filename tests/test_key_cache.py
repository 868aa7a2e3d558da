"""The API's memory of checked keys: trusted for its time to live, never past the key's expiry,
forgotten at once on a revocation made here, and never remembering a key that was not valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity import key_cache
from identity.key_cache import KeyCache
from identity.keys import Principal
from models.lifecycle import Role

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
TTL = timedelta(seconds=5)
E001 = Principal(7, Role.ENGINEER, "张伟", engineer_id="E001")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_a_checked_key_is_trusted_for_its_time_to_live_only():
    clock = Clock()
    cache = KeyCache(TTL, clock)
    assert cache.recall("as_engineer_x") is None  # never seen: ask the database
    cache.remember("as_engineer_x", (E001, None))
    clock.now = NOW + TTL - timedelta(microseconds=1)
    assert cache.recall("as_engineer_x") == E001
    clock.now = NOW + TTL
    assert cache.recall("as_engineer_x") is None  # stale: the database is asked again


def test_a_key_that_expires_while_remembered_is_refused_at_its_expiry():
    clock = Clock()
    cache = KeyCache(TTL, clock)
    cache.remember("k", (E001, NOW + timedelta(seconds=2)))
    clock.now = NOW + timedelta(seconds=2)
    assert cache.recall("k") is None


def test_a_revocation_made_here_is_forgotten_at_once():
    cache = KeyCache(TTL, Clock())
    cache.remember("k", (E001, None))
    cache.remember("other", (Principal(8, Role.SUPPORT, "x"), None))
    cache.forget(E001.key_id)
    assert cache.recall("k") is None
    assert cache.recall("other") is not None


def test_an_invalid_key_is_not_remembered_and_replaces_a_valid_answer():
    cache = KeyCache(TTL, Clock())
    cache.remember("k", (E001, None))
    cache.remember("k", None)  # the database says it is no longer valid
    assert cache.recall("k") is None


def test_no_time_to_live_asks_the_database_every_time():
    cache = KeyCache(timedelta(0), Clock())
    cache.remember("k", (E001, None))
    assert cache.recall("k") is None


def test_the_least_recently_used_keys_go_first(monkeypatch):
    monkeypatch.setattr(key_cache, "CAPACITY", 2)
    cache = KeyCache(TTL, Clock())
    cache.remember("a", (E001, None))
    cache.remember("b", (E001, None))
    assert cache.recall("a") == E001  # a is now the most recent
    cache.remember("c", (E001, None))
    assert cache.recall("b") is None and cache.recall("a") == E001 and cache.recall("c") == E001
