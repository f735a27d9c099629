"""Password hashing off the event loop, in a bounded pool that refuses at once when it is full.

argon2id (64 MiB, t=3) costs ~0.2 s of CPU per hash. Run on the event loop, a handful of log-ins stall
every other request of the service; queued without a bound, a flood of log-ins turns into timeouts for
everyone. Here at most ``workers`` hashes run at a time in threads (argon2-cffi releases the GIL), at most
``queue`` more wait for a thread, none of them longer than ``wait`` seconds; anything beyond is refused
with :class:`HashingBusy`, which the routes answer 503 with ``Retry-After``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["HASHER", "HashingBusy", "PasswordPool"]

T = TypeVar("T")
HASHER = PasswordHasher()  # argon2id with the library's recommended parameters (t=3, 64 MiB, p=4)


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[[], object]) -> None:
    try:
        loop.call_soon_threadsafe(fn)
    except RuntimeError:  # the loop is closed: the service is stopping
        pass


class HashingBusy(Exception):
    """Every hashing thread is busy and the waiting room is full (or the wait ran out)."""


class PasswordPool:
    """Hash and verify passwords in at most ``workers`` threads, refusing beyond ``workers + queue``."""

    def __init__(self, workers: int, queue: int, wait: float, hasher: PasswordHasher = HASHER) -> None:
        self.hasher = hasher
        self.workers = workers
        self.wait = wait
        self._limit = workers + queue
        self._admitted = 0
        self._slots = asyncio.Semaphore(workers)
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")

    @property
    def admitted(self) -> int:
        """Hashes running or waiting now."""
        return self._admitted

    async def _run(self, fn: Callable[..., T], *args: str) -> T:
        if self._admitted >= self._limit:
            raise HashingBusy(f"{self._admitted} password checks running or waiting")
        self._admitted += 1
        try:
            try:
                await asyncio.wait_for(self._slots.acquire(), self.wait)
            except TimeoutError:
                raise HashingBusy(f"no hashing thread free within {self.wait:g} s") from None
            loop = asyncio.get_running_loop()
            # The slot is given back when the thread is done, not when the caller stops waiting, so a
            # cancelled request cannot let more hashes run at once than there are slots.
            job: Future[T] = self._executor.submit(fn, *args)
            job.add_done_callback(lambda _: _call_soon(loop, self._slots.release))
            return await asyncio.wrap_future(job)
        finally:
            self._admitted -= 1

    async def hash(self, password: str) -> str:
        return await self._run(self.hasher.hash, password)

    async def verify(self, stored: str, password: str) -> bool:
        """Whether ``password`` matches ``stored`` (a malformed stored hash never matches)."""

        def check(stored: str, password: str) -> bool:
            try:
                return self.hasher.verify(stored, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
