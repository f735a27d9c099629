"""The gateway's per-request scripts through its own pipelined connection (services/gateway/redis_scripts.py)
against the same scripts through redis-py, in real Redis: the same answers, the same counts, and the
failures redis-py gave (timeouts, refused connections, error replies, a flushed script cache)."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from services.gateway.ratelimit import RateLimiter
from services.gateway.redis_scripts import ScriptRunner, script_runner
from services.gateway.sessions import SessionStore

KEY_JSON = b'{"id":"k-1","family_id":"k-0","scopes":["recommendations:write"]}'


@pytest.fixture
async def client(redis_server: str) -> AsyncIterator[aioredis.Redis]:
    redis = aioredis.Redis.from_url(redis_server, socket_timeout=2)
    yield redis
    await redis.aclose()


@pytest.fixture
async def runner(client: aioredis.Redis) -> AsyncIterator[ScriptRunner]:
    made = script_runner(client, timeout=2.0)
    assert made is not None
    yield made
    await made.aclose()


def _prefix() -> str:
    return f"cp-scripts-{secrets.token_hex(4)}:"


def _same(a: Any, b: Any) -> bool:
    """Equal answers, a time to live (ms, within a 60 s window) allowed to differ by the time between."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int) and isinstance(b, int) and a > 1000 and b > 1000:
        return abs(a - b) < 1000
    return type(a) is type(b) and a == b


async def _both(
    client: aioredis.Redis, runner: ScriptRunner, source: str, keys: list[str], args: list[str | int]
) -> tuple[Any, Any]:
    """The script's answer through redis-py on ``keys``, and through the runner on the same keys under
    another prefix (the state each starts from is copied first)."""
    script = client.register_script(source)
    other = [f"twin:{key}" for key in keys]
    for key, twin in zip(keys, other, strict=True):
        dumped = await client.dump(key)
        await client.delete(twin)
        if dumped is not None:
            await client.restore(twin, max(0, await client.pttl(key)), dumped)
    twin_args = [f"twin:{a}" if isinstance(a, str) and a.startswith("cp-scripts-") else a for a in args]
    return await script(keys=keys, args=args), await runner.run(script, other, twin_args)


async def test_every_script_answers_as_through_redis_py(client: aioredis.Redis, runner: ScriptRunner) -> None:
    from services.gateway import ratelimit

    prefix = _prefix()
    window = f":{int(time.time() // 60)}"
    cache, failed, session = f"{prefix}apikey:abc", f"{prefix}rl:badkey:1.2.3.4{window}", f"{prefix}session:d"
    day = [f":{time.strftime('%Y-%m-%d')}", "recommendations", 172800]
    key_args: list[str | int] = [prefix, f"{prefix}rl:key:", window, 60000, *day]
    session_args: list[str | int] = [f"{prefix}rl:user:", window, 60000]
    cases: list[tuple[str, list[str], list[str | int]]] = []
    for _ in range(3):  # a new bucket, then counted again
        cases.append((ratelimit._SCRIPT, [f"{prefix}rl:ip:1.2.3.4{window}"], [60000]))
    cases.append((ratelimit._KEY_SCRIPT, [cache, failed], key_args))  # not cached, no failures
    await client.set(failed, 3)
    cases.append((ratelimit._KEY_SCRIPT, [cache, failed], key_args))  # not cached, failures counted
    await client.set(cache, b"-")
    cases.append((ratelimit._KEY_SCRIPT, [cache, failed], key_args))  # refused
    await client.set(cache, KEY_JSON)
    cases += [(ratelimit._KEY_SCRIPT, [cache, failed], key_args)] * 2  # cached: counted
    ip = f"{prefix}rl:ip:5.6.7.8{window}"
    cases.append((ratelimit._SESSION_SCRIPT, [session, ip], session_args))  # no session: the IP counted
    await client.set(session, b'{"user_id":"u-1","email":"a@example.com","role":"user","csrf":"t"}')
    cases += [(ratelimit._SESSION_SCRIPT, [session, ip], session_args)] * 2  # the user counted
    for source, keys, args in cases:
        through_redis_py, through_runner = await _both(client, runner, source, keys, args)
        assert _same(through_redis_py, through_runner), (source, through_redis_py, through_runner)
        await _counted_alike(client, keys)


async def _counted_alike(client: aioredis.Redis, keys: list[str]) -> None:
    """After each case the runner's keys hold what redis-py's hold."""
    for key in keys:
        assert await client.get(key) == await client.get(f"twin:{key}") or await client.type(key) != b"string"


async def test_the_limiter_counts_a_session_or_its_ip(client: aioredis.Redis, runner: ScriptRunner) -> None:
    prefix = _prefix()
    limiter = RateLimiter(client, prefix, runner=runner)
    store = SessionStore(client, prefix, 600, "s" * 32)
    session_id, session = await store.create("user-7", "u7@example.com", "user")

    found = await limiter.look_up_session(store.key(session_id), "user:", "ip:9.9.9.9")
    assert found.session is not None and store.decode(found.session) == session
    assert (found.count, await client.get(limiter.key("user:user-7"))) == (1, b"1")
    assert 0 < found.ttl_ms <= 60_000

    missing = await limiter.look_up_session(store.key("no-such-session"), "user:", "ip:9.9.9.9")
    assert (missing.session, missing.count) == (None, 1)
    assert await client.get(limiter.key("ip:9.9.9.9")) == b"1"
    assert await client.get(limiter.key("user:user-7")) == b"1"  # not counted again


async def test_many_callers_at_once_each_get_their_own_answer(
    client: aioredis.Redis, runner: ScriptRunner
) -> None:
    prefix = _prefix()
    limiter = RateLimiter(client, prefix, runner=runner)
    hits = await asyncio.gather(*(limiter.hit(f"b{i % 7}", 100) for i in range(210)))
    assert sorted(h.remaining for h in hits) == sorted(100 - n for _ in range(7) for n in range(1, 31))
    assert [await client.get(limiter.key(f"b{i}")) for i in range(7)] == [b"30"] * 7


async def test_a_flushed_script_cache_is_loaded_again(client: aioredis.Redis, runner: ScriptRunner) -> None:
    limiter = RateLimiter(client, _prefix(), runner=runner)
    assert (await limiter.hit("x", 5)).remaining == 4
    await client.script_flush()  # as after a restart of Redis
    assert (await limiter.hit("x", 5)).remaining == 3


async def test_an_error_reply_is_a_response_error(client: aioredis.Redis, runner: ScriptRunner) -> None:
    key = f"{_prefix()}hash"
    await client.hset(key, "a", 1)
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await runner.run(client.register_script("return redis.call('INCR', KEYS[1])"), [key], [])
    assert await runner.run(client.register_script("return 7"), [], []) == 7  # the connection goes on


async def test_a_closed_connection_is_made_again(client: aioredis.Redis, runner: ScriptRunner) -> None:
    limiter = RateLimiter(client, _prefix(), runner=runner)
    await limiter.hit("y", 5)
    pipe = runner._pipe
    assert pipe is not None and pipe.transport is not None
    host, port = pipe.transport.get_extra_info("sockname")[:2]
    assert await client.client_kill_filter(_id=None, addr=f"{host}:{port}") == 1  # as a Redis restart would
    assert (await limiter.hit("y", 5)).remaining == 3  # the close seen or not: answered on a new one
    assert runner._pipe is not pipe


async def test_no_redis_is_a_connection_error() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens there now
    runner = ScriptRunner("127.0.0.1", port, timeout=0.5, connect_timeout=0.5)
    script = aioredis.Redis().register_script("return 1")
    with pytest.raises(RedisConnectionError):
        await runner.run(script, [], [])


async def test_a_stalled_redis_is_a_timeout_within_the_bound() -> None:
    stalled: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        stalled.append(writer)  # reads nothing, answers nothing

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    runner = ScriptRunner("127.0.0.1", server.sockets[0].getsockname()[1], timeout=0.3, connect_timeout=0.3)
    script = aioredis.Redis().register_script("return 1")
    try:
        started = time.monotonic()
        calls = (runner.run(script, [], []) for _ in range(5))
        results = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(r, RedisTimeoutError) and isinstance(r, RedisError) for r in results)
        assert time.monotonic() - started < 1.0
    finally:
        await runner.aclose()
        for writer in stalled:
            writer.close()
        server.close()
        await server.wait_closed()


def test_tls_and_unix_sockets_are_left_to_redis_py() -> None:
    assert script_runner(aioredis.Redis.from_url("rediss://127.0.0.1:6380/0"), 0.5) is None
    assert script_runner(aioredis.Redis.from_url("unix:///tmp/redis.sock"), 0.5) is None
    made = script_runner(aioredis.Redis.from_url("redis://:pw@127.0.0.1:6390/3"), 0.5)
    assert made is not None and (made.port, made.db, made.password) == (6390, 3, "pw")
