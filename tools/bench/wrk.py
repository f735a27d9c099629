"""The outside check: each scenario also run with ``wrk`` (Debian package ``wrk``) when it is installed.

wrk gets the scenario's requests in a generated Lua script (one thread cycles through every connection's
requests: methods, paths, headers, bodies) and runs ``-t1 -c<connections>``; its ``done`` hook prints the
figures as one JSON line, so nothing is scraped from its text output. A scenario whose requests depend on
the previous answer (``{etag}``) is not run with wrk.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import msgspec

from tools.bench.load import LoadSpec, Request
from tools.bench.report import WrkFigures

__all__ = ["WrkFigures", "lua_script", "parse_output", "run_wrk", "wrk_path"]

_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nWRK-JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"errors":%d,"non_2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(text: str) -> str:
    """A Lua string literal for any text (decimal escapes for everything but plain printable ASCII)."""
    out = []
    for byte in text.encode():
        char = chr(byte)
        out.append(char if 32 <= byte < 127 and char not in '"\\' else f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def _entry(request: Request) -> str:
    headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in request.headers.items())
    body = _lua_string(request.body) if request.body else "nil"
    method, path = _lua_string(request.method), _lua_string(request.path)
    return f"    wrk.format({method}, {path}, {{{headers}}}, {body}),"


def lua_script(spec: LoadSpec) -> str | None:
    """The script sending ``spec``'s requests in turn (connection by connection, request by request);
    None when a request needs the previous answer's ETag."""
    requests = [r for conn in spec.connections for r in conn.requests]
    if not requests or any("{etag}" in r.path or "{etag}" in r.headers.values() for r in requests):
        return None
    # built in init: wrk.format takes the Host header from wrk.headers, which is set only by then
    lines = ["local requests = {}", "local i = 0", "init = function(args)", "  requests = {"]
    lines += [*(_entry(r) for r in requests), "  }", "end"]
    lines += [
        "request = function()",
        "  i = i % #requests + 1",
        "  return requests[i]",
        "end",
        _DONE,
    ]
    return "\n".join(lines)


def parse_output(text: str) -> WrkFigures:
    """The figures from wrk's standard output (the ``done`` hook's line)."""
    for line in text.splitlines():
        if line.startswith("WRK-JSON "):
            raw = msgspec.json.decode(line[len("WRK-JSON ") :])
            return WrkFigures(
                requests=raw["requests"],
                seconds=raw["duration_us"] / 1e6,
                p50=raw["p50_us"] / 1000,
                p99=raw["p99_us"] / 1000,
                errors=raw["errors"],
                non_2xx=raw["non_2xx"],
            )
    raise ValueError(f"wrk printed no figures: {text[-500:]!r}")


def run_wrk(spec: LoadSpec, wrk: str) -> WrkFigures | None:
    """Run ``spec`` with wrk (one thread, as many connections, its duration); None if it cannot be."""
    script = lua_script(spec)
    if script is None:
        return None
    with tempfile.TemporaryDirectory(prefix="careerpath-wrk-") as folder:
        path = Path(folder) / "scenario.lua"
        path.write_text(script)
        url = f"http://{spec.host}:{spec.port}"
        done = subprocess.run(
            [wrk, "-t1", f"-c{len(spec.connections)}", f"-d{max(1, round(spec.duration))}s"]
            + ["--timeout", f"{max(1, round(spec.timeout))}s", "-s", str(path), url],
            capture_output=True,
            text=True,
            timeout=spec.duration + spec.timeout + 60,
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr[-2000:]}")
    return parse_output(done.stdout)
