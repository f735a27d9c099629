"""Fixed-window rate limits counted atomically in Redis, so every gateway worker shares one count."""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError

__all__ = ["Limit", "RateLimiter"]

# INCR and the first PEXPIRE happen in one script: atomic across all gateway processes.
_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True)
class Limit:
    """The outcome of one hit: allowed or not, and what the RateLimit-* headers say."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        out = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.reset_seconds)
        return out


class RateLimiter:
    def __init__(self, client: aioredis.Redis, prefix: str, window_seconds: int = 60) -> None:
        self.client = client
        self.prefix = prefix
        self.window = window_seconds
        self.script = client.register_script(_SCRIPT)

    async def hit(self, bucket: str, limit: int, count_use: tuple[str, str] | None = None) -> Limit:
        """Count one request in ``bucket``; ``count_use`` (hash, field) is also incremented, in the same
        round trip (a partner key's use count: one Redis exchange per request instead of two)."""
        window_index = int(time.time() // self.window)
        key = f"{self.prefix}rl:{bucket}:{window_index}"
        if count_use is None:
            count, ttl_ms = await self.script(keys=[key], args=[self.window * 1000])
        else:
            count, ttl_ms = await self._hit_and_count(key, count_use)
        reset = max(1, int((int(ttl_ms) + 999) // 1000)) if int(ttl_ms) > 0 else self.window
        return Limit(
            allowed=int(count) <= limit,
            limit=limit,
            remaining=max(0, limit - int(count)),
            reset_seconds=reset,
        )

    async def _hit_and_count(self, key: str, count_use: tuple[str, str]) -> tuple[int, int]:
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.hincrby(count_use[0], count_use[1], 1)
            pipe.evalsha(self.script.sha, 1, key, self.window * 1000)  # not pipe-registered: no SCRIPT EXISTS
            _, answer = await pipe.execute(raise_on_error=False)
        if isinstance(answer, NoScriptError):  # a restarted Redis forgot the script: load it again
            answer = await self.script(keys=[key], args=[self.window * 1000])
        elif isinstance(answer, Exception):
            raise answer
        return int(answer[0]), int(answer[1])
