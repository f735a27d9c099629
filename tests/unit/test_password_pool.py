"""The password-hashing pool: off the event loop, bounded, refusing at once when full."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from argon2 import PasswordHasher

from services.profile.accounts.passwords import HashingBusy, PasswordPool
from services.profile.settings import ProfileSettings
from shared.settings import SettingsError, load_settings

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class SlowHasher(PasswordHasher):
    """Each hash blocks its thread until released, and counts how many run at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.gate = threading.Event()
        self.running = 0
        self.most = 0
        self.lock = threading.Lock()

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.gate.wait(5)
        with self.lock:
            self.running -= 1
        return super().hash(password)


async def test_hash_and_verify_round_trip() -> None:
    pool = PasswordPool(workers=1, queue=0, wait=1.0, hasher=CHEAP)
    stored = await pool.hash("correct horse")
    assert await pool.verify(stored, "correct horse")
    assert not await pool.verify(stored, "wrong horse")
    assert not await pool.verify("not a hash", "correct horse")
    pool.close()


async def test_the_loop_keeps_running_while_hashes_do_and_extra_ones_are_refused_at_once() -> None:
    hasher = SlowHasher()
    pool = PasswordPool(workers=2, queue=1, wait=5.0, hasher=hasher)
    jobs = [asyncio.create_task(pool.hash(f"password {i}")) for i in range(3)]
    await asyncio.sleep(0.05)
    # two run, one waits; the event loop is free: a timer fires on time
    started = time.perf_counter()
    await asyncio.sleep(0.01)
    assert time.perf_counter() - started < 0.5
    assert pool.admitted == 3
    started = time.perf_counter()
    with pytest.raises(HashingBusy, match="running or waiting"):
        await pool.hash("one too many")
    assert time.perf_counter() - started < 0.5  # refused without waiting
    hasher.gate.set()
    assert len(await asyncio.gather(*jobs)) == 3
    assert hasher.most == 2
    assert pool.admitted == 0
    pool.close()


async def test_a_wait_for_a_thread_is_bounded() -> None:
    hasher = SlowHasher()
    pool = PasswordPool(workers=1, queue=5, wait=0.2, hasher=hasher)
    running = asyncio.create_task(pool.hash("first"))
    await asyncio.sleep(0.05)
    with pytest.raises(HashingBusy, match="no hashing thread free within 0.2 s"):
        await pool.hash("second")
    hasher.gate.set()
    await running
    pool.close()


async def test_a_cancelled_caller_does_not_free_a_thread_that_is_still_hashing() -> None:
    hasher = SlowHasher()
    pool = PasswordPool(workers=1, queue=5, wait=0.2, hasher=hasher)
    first = asyncio.create_task(pool.hash("first"))
    await asyncio.sleep(0.05)
    first.cancel()
    await asyncio.sleep(0.05)
    with pytest.raises(HashingBusy):  # the thread is still busy with the cancelled hash
        await pool.hash("second")
    hasher.gate.set()
    await asyncio.sleep(0.1)
    assert await pool.verify(await pool.hash("third"), "third")
    assert hasher.most == 1
    pool.close()


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CAREERPATH_HASH_WORKERS", "0"), ("CAREERPATH_HASH_QUEUE", "-1"), ("CAREERPATH_HASH_WAIT", "0")],
)
def test_pool_settings_are_checked_at_start_up(variable: str, value: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(ProfileSettings, {variable: value})
    defaults = load_settings(ProfileSettings, {})
    assert (defaults.hash_workers, defaults.hash_queue, defaults.hash_wait) == (2, 8, 1.0)
