"""Fixed-window rate limits counted atomically in Redis, so every gateway worker shares one count."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError, RedisError

from services.gateway.redis_scripts import ScriptRunner

__all__ = ["AccountLock", "KeyLookup", "Limit", "RateLimiter", "SessionLookup"]

log = logging.getLogger("careerpath.gateway.ratelimit")

# INCR and the first PEXPIRE happen in one script: atomic across all gateway processes.
_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
"""


# A partner key's whole Redis exchange in one script: the cached key (and, when it is not cached or was
# refused, the failed-key count of the caller's IP); for a cached valid key, its partner's rate-limit
# count (INCR, first PEXPIRE), the key's use count and the partner's count today by endpoint class.
# KEYS: the key cache, the failed-key bucket. ARGV: the Redis prefix, the rate-limit key's prefix and
# window suffix, the window (ms), the day hash's suffix, the endpoint class, the day hash's TTL (s).
_KEY_SCRIPT = """
local cached = redis.call('GET', KEYS[1])
if (not cached) or cached == '-' then
  return {cached, redis.call('GET', KEYS[2])}
end
local key = cjson.decode(cached)
local partner = key['family_id']
if partner == nil or partner == cjson.null then partner = key['id'] end
local bucket = ARGV[2] .. partner .. ARGV[3]
local count = redis.call('INCR', bucket)
if count == 1 then redis.call('PEXPIRE', bucket, ARGV[4]) end
redis.call('HINCRBY', ARGV[1] .. 'keyusage', key['id'], 1)
local day = ARGV[1] .. 'partnerday:' .. partner .. ARGV[5]
redis.call('HINCRBY', day, ARGV[6], 1)
redis.call('EXPIRE', day, ARGV[7])
return {cached, false, count, redis.call('PTTL', bucket)}
"""

# A session cookie's whole Redis exchange in one script: the session, and the request counted against
# its user's rate limit (INCR, first PEXPIRE), or against the caller's IP when there is no such session.
# KEYS: the session, the IP's rate-limit key. ARGV: the user rate-limit key's prefix and window suffix,
# the window (ms).
_SESSION_SCRIPT = """
local session = redis.call('GET', KEYS[1])
local bucket = KEYS[2]
if session then bucket = ARGV[1] .. cjson.decode(session)['user_id'] .. ARGV[2] end
local count = redis.call('INCR', bucket)
if count == 1 then redis.call('PEXPIRE', bucket, ARGV[3]) end
return {session, count, redis.call('PTTL', bucket)}
"""


@dataclass(frozen=True)
class KeyLookup:
    """What one exchange says about a presented key: its cached JSON (None: not cached; b"-": refused),
    the caller's failed-key count when the key was not a cached valid one, and the partner's rate-limit
    count and its time to live (ms) when it was (that request is counted then)."""

    cached: bytes | None
    failures: int | None
    count: int | None = None
    ttl_ms: int | None = None


@dataclass(frozen=True)
class SessionLookup:
    """What one exchange says about a session cookie: the stored session (None: no such session), and
    the count and time to live (ms) of the bucket this request was counted in: its user's, or, without a
    session, the caller's IP's."""

    session: bytes | None
    count: int
    ttl_ms: int


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
    """Counts in Redis. With a ``runner`` (:mod:`services.gateway.redis_scripts`) the per-request scripts
    go through it; without one, through redis-py (the same scripts, the same answers)."""

    def __init__(
        self,
        client: aioredis.Redis,
        prefix: str,
        window_seconds: int = 60,
        runner: ScriptRunner | None = None,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.window = window_seconds
        self.runner = runner
        self.script = client.register_script(_SCRIPT)
        self.key_script = client.register_script(_KEY_SCRIPT)
        self.session_script = client.register_script(_SESSION_SCRIPT)

    async def _run(self, script: AsyncScript, keys: list[str], args: list[str | int]) -> Any:
        if self.runner is not None:
            return await self.runner.run(script, keys, args)
        return await script(keys=keys, args=args)

    def key(self, bucket: str) -> str:
        """The Redis key counting ``bucket`` in the current window (read it with GET/MGET to peek)."""
        head, window = self._key_parts(bucket)
        return head + window

    def _key_parts(self, bucket: str) -> tuple[str, str]:
        """A bucket's key before and after the part a script fills in (a partner or user id appended to
        ``bucket``), the current window being the second."""
        return f"{self.prefix}rl:{bucket}", f":{int(time.time() // self.window)}"

    def seconds_left(self) -> int:
        """Seconds until the current window ends (and every count in it expires)."""
        return max(1, int(self.window - time.time() % self.window + 0.999))

    def refused(self, limit: int) -> Limit:
        """The answer for a bucket already at ``limit``, without counting this request."""
        return Limit(allowed=False, limit=limit, remaining=0, reset_seconds=self.seconds_left())

    async def hit(
        self,
        bucket: str,
        limit: int,
        count_use: tuple[str, str] | None = None,
        count_day: tuple[str, str, int] | None = None,
    ) -> Limit:
        """Count one request in ``bucket``; ``count_use`` (hash, field) is also incremented, in the same
        round trip (a partner key's use count: one Redis exchange per request instead of two), and so is
        ``count_day`` (hash, field, seconds the hash is kept: a partner's requests today by class)."""
        key = self.key(bucket)
        if count_use is None and count_day is None:
            count, ttl_ms = await self._run(self.script, [key], [self.window * 1000])
        else:
            count, ttl_ms = await self._hit_and_count(key, count_use, count_day)
        return self.counted(int(count), int(ttl_ms), limit)

    def counted(self, count: int, ttl_ms: int, limit: int) -> Limit:
        """The outcome of a bucket counted at ``count`` with ``ttl_ms`` left in its window."""
        reset = max(1, int((ttl_ms + 999) // 1000)) if ttl_ms > 0 else self.window
        return Limit(
            allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_seconds=reset
        )

    async def look_up_key(
        self,
        cache_key: str,
        failed_bucket: str,
        prefix: str,
        partner_bucket: str,
        day: tuple[str, str, int],
    ) -> KeyLookup:
        """One exchange for a presented key (see ``_KEY_SCRIPT``): its cached JSON and, when it is a cached
        valid key, this request counted against ``partner_bucket`` + its partner id (the rate limit, as
        :meth:`hit` counts it), the key's uses (``keyusage``) and the partner's day (``partnerday``):
        ``day`` is (the date, the endpoint class, seconds the day's hash is kept)."""
        head, window = self._key_parts(partner_bucket)
        date, endpoint, keep = day
        args: list[str | int] = [prefix, head, window, self.window * 1000]
        args += [f":{date}", endpoint, keep]
        answer = await self._run(self.key_script, [cache_key, self.key(failed_bucket)], args)
        cached, failures = answer[0], answer[1]
        if len(answer) < 4:
            return KeyLookup(cached=cached, failures=None if failures is None else int(failures))
        return KeyLookup(cached=cached, failures=None, count=int(answer[2]), ttl_ms=int(answer[3]))

    async def look_up_session(
        self, session_key: str, user_bucket: str, anonymous_bucket: str
    ) -> SessionLookup:
        """One exchange for a session cookie (see ``_SESSION_SCRIPT``): the session stored at
        ``session_key`` and this request counted against ``user_bucket`` + its user id (as :meth:`hit`
        counts it), or against ``anonymous_bucket`` when there is no such session."""
        keys = [session_key, self.key(anonymous_bucket)]
        head, window = self._key_parts(user_bucket)
        answer = await self._run(self.session_script, keys, [head, window, self.window * 1000])
        return SessionLookup(session=answer[0], count=int(answer[1]), ttl_ms=int(answer[2]))

    async def _hit_and_count(
        self, key: str, count_use: tuple[str, str] | None, count_day: tuple[str, str, int] | None
    ) -> tuple[int, int]:
        async with self.client.pipeline(transaction=False) as pipe:
            if count_use is not None:
                pipe.hincrby(count_use[0], count_use[1], 1)
            if count_day is not None:
                pipe.hincrby(count_day[0], count_day[1], 1)
                pipe.expire(count_day[0], count_day[2])
            pipe.evalsha(self.script.sha, 1, key, self.window * 1000)  # not pipe-registered: no SCRIPT EXISTS
            answer = (await pipe.execute(raise_on_error=False))[-1]
        if isinstance(answer, NoScriptError):  # a restarted Redis forgot the script: load it again
            answer = await self.script(keys=[key], args=[self.window * 1000])
        elif isinstance(answer, Exception):
            raise answer
        return int(answer[0]), int(answer[1])


class AccountLock:
    """Failed log-ins counted per account, so guessing one password from many IPs is limited too.

    The bucket is an HMAC of the normalised e-mail (NFKC, case-folded) under the gateway's secret key:
    Redis never holds the address. After ``failures`` failed log-ins in a window, log-ins for that
    account answer 429 until the window ends: at most ``window`` seconds, so the owner is never locked
    out for longer, and the count starts again from zero. Failures of unknown addresses count the same
    way, so the answer says nothing about whether an account exists. Redis down: not enforced."""

    def __init__(self, limiter: RateLimiter, secret: str, failures: int, name: str = "login-account") -> None:
        self.limiter = limiter
        self.secret = secret.encode()
        self.failures = failures
        self.name = name

    def bucket(self, email: str) -> str:
        normal = unicodedata.normalize("NFKC", email).strip().casefold()
        return f"{self.name}:" + hmac.new(self.secret, normal.encode(), hashlib.sha256).hexdigest()[:32]

    async def refusal(self, email: str) -> Limit | None:
        """The refusal (429, with Retry-After) when this account has had too many failed log-ins lately."""
        try:
            count = await self.limiter.client.get(self.limiter.key(self.bucket(email)))
        except RedisError:
            log.warning("rate limiter unavailable: per-account log-in limit not checked")
            return None
        if count is not None and int(count) >= self.failures:
            return self.limiter.refused(self.failures)
        return None

    async def failed(self, email: str) -> None:
        """Count one failed log-in for this account."""
        await self.count(email)

    async def count(self, email: str) -> Limit | None:
        """Count one event (a failed log-in, a reset mail asked) for this account: the count's outcome,
        None when Redis is unavailable (not enforced)."""
        try:
            return await self.limiter.hit(self.bucket(email), self.failures)
        except RedisError:
            log.warning("rate limiter unavailable: %s not counted", self.name)
            return None

    async def clear(self, email: str) -> None:
        """Forget this account's count (its password was reset: the owner signs in at once)."""
        try:
            await self.limiter.client.delete(self.limiter.key(self.bucket(email)))
        except RedisError:
            log.warning("rate limiter unavailable: %s count not cleared", self.name)
