"""Measure the results page of a user with N saved assessments, in Debian's Chromium (issue 16, item 4).

    .venv/bin/python -m tools.measure_page [--url http://127.0.0.1:8000] [--assessments 20]

Without ``--url`` it starts the system in a temporary folder (as ``careerpath bench`` does) and stops it
afterwards. It creates a user through the API (cookies, not the sign-in form), saves N assessments that
differ (each rates one more skill, so none scores like another), then opens ``/#/results`` in a fresh
browser context (empty cache) at 1280x900 (desktop) and 390x844 (phone, 3x, touch), once unthrottled and
once on DevTools' "Fast 3G" preset (CDP ``Network.emulateNetworkConditions``: 1.6 Mbps x 0.9 down,
750 kbps x 0.9 up, 562.5 ms round trip added to every request; no CPU throttling), each ``--runs``
times; with ``--repeat`` it measures a reload after one unmeasured visit instead (what the browser kept
is used or revalidated). Per run, and then the median of the runs, it prints:

- requests: every request the page made (CDP ``Network.requestWillBeSent``; not ``/favicon.ico``, which
  Chromium asks for or not depending on timing);
- transferred: bytes received for them, headers included (``Network.loadingFinished.encodedDataLength``);
  decoded: their bodies after decompression (the sum of ``Network.dataReceived.dataLength``);
- chart: milliseconds from navigation start until the progress chart holds a point per assessment
  (a MutationObserver installed before the page's own scripts, ``performance.now()``);
- CLS as web-vitals defines it (``layout-shift`` entries without recent input, grouped into session
  windows of at most 5 s with gaps under 1 s, the largest window's sum) and the plain sum of every shift,
  both read once the chart is drawn and the network is idle.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from tools.chromium import ARGS, CHROMIUM

__all__ = ["FAST_3G", "VIEWPORTS", "Measurement", "cls_windows", "measure", "seed_user"]

PASSWORD = "correct horse battery staple"
FAST_3G = {  # Chrome DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts), bytes per second
    "offline": False,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
    "latency": 150 * 3.75,
}
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop 1280x900": {"viewport": {"width": 1280, "height": 900}},
    "phone 390x844": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}
DOT = "#r-history-chart .chart-dot"

# Installed before the page's scripts: layout shifts (buffered) and the moment the chart has its points.
_PROBE = """
(selector, expected) => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) window.__shifts.push({ value: e.value, start: e.startTime });
    }
  }).observe({ type: "layout-shift", buffered: true });
  window.__chartAt = null;
  const check = () => {
    if (window.__chartAt === null && document.querySelectorAll(selector).length >= expected) {
      window.__chartAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}
"""


def cls_windows(shifts: list[dict[str, float]]) -> float:
    """CLS as web-vitals computes it: the largest session window (gaps < 1 s, at most 5 s long)."""
    best = current = 0.0
    first = last = None
    for shift in sorted(shifts, key=lambda s: s["start"]):
        start = shift["start"]
        if first is None or last is None or start - last >= 1000 or start - first >= 5000:
            first, current = start, 0.0
        current += shift["value"]
        last = start
        best = max(best, current)
    return best


@dataclass
class Measurement:
    """One load of the results page."""

    viewport: str
    network: str
    requests: int = 0
    transferred: int = 0
    decoded: int = 0
    chart_ms: float | None = None
    cls: float = 0.0
    cls_sum: float = 0.0
    points: int = 0
    urls: list[str] = field(default_factory=list)

    def row(self) -> str:
        chart = f"{self.chart_ms / 1000:6.2f} s" if self.chart_ms is not None else "   never"
        return (
            f"{self.viewport:<17} {self.network:<20} {self.requests:>8} {self.transferred / 1000:>9.1f} kB"
            f" {self.decoded / 1000:>9.1f} kB {chart} {self.cls:>7.3f} {self.cls_sum:>8.3f} {self.points:>6}"
        )


HEADER = (
    f"{'viewport':<17} {'network':<20} {'requests':>8} {'transferred':>12} {'decoded':>12} {'chart':>8}"
    f" {'CLS':>7} {'CLS sum':>8} {'points':>6}"
)


def _levels(skill_ids: list[str], n: int) -> Iterator[dict[str, int]]:
    """N skill vectors, each one more skill than the last, levels rising: no two score alike."""
    for i in range(n):
        yield {sid: 1 + (i + k) % 4 for k, sid in enumerate(skill_ids[: 3 + i])}


def seed_user(base_url: str, assessments: int) -> httpx.Client:
    """A new user signed in through the API, with ``assessments`` saved assessments."""
    client = httpx.Client(base_url=base_url, timeout=30.0)
    email = f"measure-{secrets.token_hex(5)}@example.com"
    answer = client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
    answer.raise_for_status()
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    skill_ids = [s["id"] for s in client.get("/api/v1/skills").raise_for_status().json()]
    etag: str | None = None
    for skills in _levels(skill_ids, assessments):
        body = {"display_name": "Measure", "skills": skills, "years_experience": 2}
        headers = {"If-Match": etag} if etag else {}
        saved = client.put("/api/v1/me/profile", json=body, headers=headers).raise_for_status()
        etag = saved.headers["ETag"]
    return client


def measure(
    browser: Browser,
    base_url: str,
    cookies: httpx.Cookies,
    viewport: str,
    throttled: bool,
    points: int,
    repeat: bool = False,
) -> Measurement:
    """Open the results page in a fresh context and measure it: the first visit (empty cache), or with
    ``repeat`` a reload after one unmeasured visit (the browser's cache as that visit left it)."""
    network = "Fast 3G" if throttled else "unthrottled"
    result = Measurement(viewport, network + (", repeat" if repeat else ""))
    context = browser.new_context(**VIEWPORTS[viewport])
    context.add_cookies([{"name": c.name, "value": c.value or "", "url": base_url} for c in cookies.jar])
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": not repeat})
    if throttled:
        cdp.send("Network.emulateNetworkConditions", FAST_3G)
    page.add_init_script(f"({_PROBE})({json.dumps(DOT)}, {points})")
    timeout = 120_000 if throttled else 30_000
    if repeat:
        _load(page, base_url, timeout)
    decoded: dict[str, int] = {}

    mine: set[str] = set()  # the page's requests: not the favicon, which Chromium asks for when it likes

    def sent(event: dict[str, Any]) -> None:
        if httpx.URL(event["request"]["url"]).path == "/favicon.ico":
            return
        mine.add(event["requestId"])
        result.requests += 1
        result.urls.append(event["request"]["method"] + " " + event["request"]["url"])

    def received(event: dict[str, Any]) -> None:
        if event["requestId"] in mine:
            decoded[event["requestId"]] = decoded.get(event["requestId"], 0) + int(event["dataLength"])

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in mine:
            result.transferred += int(event["encodedDataLength"])

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.dataReceived", received)
    cdp.on("Network.loadingFinished", finished)
    _load(page, base_url, timeout, reload=repeat)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    probe = page.evaluate("() => ({ chart: window.__chartAt, shifts: window.__shifts })")
    result.chart_ms = probe["chart"]
    result.cls = cls_windows(probe["shifts"])
    result.cls_sum = sum(s["value"] for s in probe["shifts"])
    result.points = page.locator(DOT).count()
    result.decoded = sum(decoded.values())
    context.close()
    return result


def _load(page: Page, base_url: str, timeout: float, reload: bool = False) -> None:
    """Open (or reload) the results page and wait until its chart is drawn and the network is idle."""
    if reload:
        page.reload(timeout=timeout)
    else:
        page.goto(base_url.rstrip("/") + "/#/results", timeout=timeout)
    page.wait_for_function("() => window.__chartAt !== null", timeout=timeout, polling=100)
    page.wait_for_load_state("networkidle", timeout=timeout)


def median(runs: list[Measurement]) -> Measurement:
    """Each figure's median over ``runs`` (of one viewport and network)."""

    def mid(values: list[float]) -> float:
        return statistics.median(values)

    charts = [r.chart_ms for r in runs if r.chart_ms is not None]
    return Measurement(
        runs[0].viewport,
        runs[0].network,
        requests=round(mid([r.requests for r in runs])),
        transferred=round(mid([r.transferred for r in runs])),
        decoded=round(mid([r.decoded for r in runs])),
        chart_ms=mid(charts) if len(charts) == len(runs) else None,
        cls=mid([r.cls for r in runs]),
        cls_sum=mid([r.cls_sum for r in runs]),
        points=round(mid([r.points for r in runs])),
    )


@contextmanager
def _system(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    from tools.bench.system import started_system

    with started_system() as system:
        yield system.url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="measure_page", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running careerpath (default: start one in a temporary folder)")
    parser.add_argument("--assessments", type=int, default=20, help="saved assessments (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="loads per viewport and network (default 3)")
    parser.add_argument("--urls", action="store_true", help="also list every request of each run")
    parser.add_argument(
        "--repeat", action="store_true", help="measure a repeat visit (a reload, the cache kept) instead"
    )
    args = parser.parse_args(argv)
    with _system(args.url) as base_url:
        client = seed_user(base_url, args.assessments)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            print(f"results page, {args.assessments} saved assessments, {base_url}")
            print(HEADER)
            medians: list[Measurement] = []
            for viewport in VIEWPORTS:
                for throttled in (False, True):
                    runs = []
                    for _ in range(args.runs):
                        runs.append(
                            measure(
                                browser,
                                base_url,
                                client.cookies,
                                viewport,
                                throttled,
                                args.assessments,
                                args.repeat,
                            )
                        )
                        print(runs[-1].row(), flush=True)
                        if args.urls:
                            print("\n".join("    " + u for u in runs[-1].urls))
                    medians.append(median(runs))
            print(f"\nmedian of {args.runs} runs each")
            print(HEADER)
            for row in medians:
                print(row.row())
            browser.close()
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
