"""The benchmark's figures: percentile math, rows, targets, the table and the README section (no timings)."""

from __future__ import annotations

import math

import pytest

from tools.bench.report import (
    MB,
    Machine,
    Report,
    Row,
    WrkFigures,
    check_targets,
    percentile,
    render,
    replace_section,
    summarise,
)
from tools.bench.wrk import lua_script, parse_output


def test_percentile_interpolates_between_closest_ranks_like_numpy() -> None:
    values = [15.0, 20.0, 35.0, 40.0, 50.0]
    assert percentile(values, 0) == 15.0
    assert percentile(values, 100) == 50.0
    assert percentile(values, 50) == 35.0
    assert percentile(values, 40) == pytest.approx(29.0)  # rank 1.6: 20 + 0.6 * 15
    assert percentile(list(reversed(values)), 40) == pytest.approx(29.0)  # order does not matter
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))


def test_percentile_refuses_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summarise_turns_seconds_into_milliseconds_and_counts_throughput() -> None:
    row = summarise("recommend", "POST /x", 32, [0.010] * 99 + [0.100], errors=2, seconds=10.0)
    assert row.requests == 100 and row.errors == 2
    assert row.throughput == pytest.approx(10.0)
    assert row.p50 == pytest.approx(10.0) and row.p99 == pytest.approx(10.9)
    batch = summarise("batch", "POST /b", 4, [0.05] * 20, 0, 2.0, items=1000, item_unit="candidates")
    assert batch.throughput == pytest.approx(10.0) and batch.item_rate == pytest.approx(10_000)


def _row(name: str, requests: int, seconds: float, p99: float = 10.0, errors: int = 0, items: int = 1) -> Row:
    return Row(
        name=name,
        endpoint="/",
        connections=32,
        requests=requests,
        errors=errors,
        seconds=seconds,
        p50=p99 / 2,
        p95=p99,
        p99=p99,
        items=items,
    )


def _verdicts(targets: list) -> dict[str, bool | None]:
    return {t.what: t.met for t in targets}


def test_targets_met_and_missed() -> None:
    rows = [
        _row("hello world", 40_000, 10.0),
        _row("recommend", 8_000, 10.0, p99=30.0),  # 0.20x exactly, p99 at the limit
        _row("recommend (user)", 7_900, 10.0, p99=12.0),  # just under 0.20x
        _row("profile read", 12_000, 10.0),  # 0.30x
        _row("batch", 500, 10.0, items=1000),  # 50,000 candidates/s
        _row("refresh", 1, 19.5, p99=19_500.0, items=100_000),
    ]
    rows[5].p50 = 19_500.0
    verdicts = _verdicts(check_targets(rows, {"gateway": 120 * MB, "worker": 250 * MB}))
    assert verdicts["recommend >= 0.20x hello world"] is True
    assert verdicts["recommend p99 <= 30 ms at 32 connections"] is True
    assert verdicts["recommend (user) >= 0.20x hello world"] is False
    assert verdicts["recommend (user) p99 <= 30 ms at 32 connections"] is True
    assert verdicts["profile read >= 0.30x hello world"] is True
    assert verdicts["batch >= 50,000 candidates/s"] is True
    assert verdicts["100,000-posting refresh < 20 s"] is True
    assert verdicts["gateway resident memory < 200 MB"] is True
    assert verdicts["worker resident memory < 200 MB"] is False


def test_ratio_targets_say_wrks_ratio_too() -> None:
    rows = [_row("hello world", 10_000, 1.0), _row("recommend", 3_000, 1.0)]
    rows[0].wrk = WrkFigures(requests=12_000, seconds=1.0, p50=1.0, p99=3.0, errors=0, non_2xx=0)
    rows[1].wrk = WrkFigures(requests=3_100, seconds=1.0, p50=9.0, p99=20.0, errors=0, non_2xx=100)
    target = next(t for t in check_targets(rows, {}) if t.what == "recommend >= 0.20x hello world")
    assert target.measured == "0.30x (3,000 vs 10,000 req/s); wrk 0.25x" and target.met is True


def test_targets_name_the_two_hop_floor_beside_the_figure_without_judging_by_it() -> None:
    rows = [
        _row("hello world", 10_000, 1.0),
        _row("two-hop floor", 2_500, 1.0, p99=25.0),
        _row("recommend", 1_000, 1.0, p99=80.0),
    ]
    targets = {t.what: t for t in check_targets(rows, {})}
    ratio = targets["recommend >= 0.20x hello world"]
    assert ratio.measured == "0.10x (1,000 vs 10,000 req/s); the two-hop floor, no work: 0.25x"
    assert ratio.met is False
    p99 = targets["recommend p99 <= 30 ms at 32 connections"]
    assert p99.measured == "80.0 ms at 32 connections; the two-hop floor, no work: 25.0 ms"
    assert p99.met is False
    assert "two-hop floor" not in " ".join(t.what for t in targets.values())  # the floor has no target


def test_targets_not_measured_are_not_claimed_and_errors_fail_a_target() -> None:
    verdicts = _verdicts(check_targets([_row("hello world", 100, 1.0)], {}))
    assert set(verdicts.values()) == {None}
    rows = [_row("hello world", 100, 1.0), _row("recommend", 100, 1.0, p99=1.0, errors=3)]
    verdicts = _verdicts(check_targets(rows, {}))
    assert verdicts["recommend >= 0.20x hello world"] is False
    slow = [_row("hello world", 100, 1.0), _row("recommend", 100, 1.0, p99=30.1)]
    assert _verdicts(check_targets(slow, {}))["recommend p99 <= 30 ms at 32 connections"] is False
    fewer = [_row("hello world", 100, 1.0), _row("recommend", 100, 1.0, p99=5.0)]
    fewer[1].connections = 8  # fast, but not at the target's concurrency: no claim either way
    small = _row("refresh", 1, 0.5, p99=500.0, items=5_000)
    verdicts = _verdicts(check_targets([*fewer, small], {}))
    assert verdicts["recommend p99 <= 30 ms at 32 connections"] is None
    assert verdicts["100,000-posting refresh < 20 s"] is None


def test_render_has_machine_rows_memory_and_targets() -> None:
    report = Report(
        machine=Machine(
            cpu="Test CPU", cores=2, python="3.11.7", load_before=(0.5, 0, 0), load_after=(1.25, 0, 0)
        ),
        rows=[_row("hello world", 1000, 1.0), _row("batch", 10, 1.0, items=1000)],
        memory={"gateway": 100 * MB},
    )
    report.rows[1].item_unit = "candidates"
    report.targets = check_targets(report.rows, report.memory)
    text = render(report)
    assert "Test CPU, 2 cores, Python 3.11.7" in text and "0.50 before, 1.25 after" in text
    assert "| hello world | `/` | 32 | 1,000 | 0 | 1,000 | 5.0 | 10.0 | 10.0 | 1.00 |" in text
    assert "10.0 (10,000 candidates/s)" in text
    assert "gateway 100 MB" in text
    assert "| batch >= 50,000 candidates/s | 10,000 candidates/s | **no** |" in text
    assert "wrk" not in text  # no wrk figures, no wrk table


def test_replace_section_replaces_only_that_section() -> None:
    readme = "# App\n\nintro\n\n## Benchmark\n\nold figures\n\n## Data\n\nkeep me\n"
    out = replace_section(readme, "Benchmark", "new figures")
    assert out == (
        "# App\n\nintro\n\n## Benchmark\n\n<!-- bench:start -->\nnew figures\n<!-- bench:end -->\n\n"
        "## Data\n\nkeep me\n"
    )
    assert replace_section(out, "Benchmark", "new figures") == out  # idempotent


def test_replace_section_keeps_prose_around_the_markers() -> None:
    readme = "## Benchmark\n\nHow to run.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nWhy.\n"
    out = replace_section(readme, "Benchmark", "new\n")
    assert out == "## Benchmark\n\nHow to run.\n\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n\nWhy.\n"


def test_replace_section_appends_when_missing_and_ignores_headings_in_code() -> None:
    readme = "# App\n\n```sh\n## Benchmark\n```\n"
    out = replace_section(readme, "Benchmark", "figures")
    assert out == readme + "\n## Benchmark\n\n<!-- bench:start -->\nfigures\n<!-- bench:end -->\n"
    last = replace_section("# App\n\n## Benchmark\n\nold\n", "Benchmark", "new")
    assert last == "# App\n\n## Benchmark\n\n<!-- bench:start -->\nnew\n<!-- bench:end -->\n"


def test_render_cpu_table_in_a_fixed_process_order() -> None:
    rows = [_row("healthz", 10, 1.0), _row("recommend", 10, 1.0)]
    rows[0].cpu = {"load generator": 0.05, "gateway": 0.15}
    rows[1].cpu = {"recommender": 1.25, "gateway": 0.75, "redis": 0.1}
    report = Report(
        machine=Machine(cpu="c", cores=2, python="3", load_before=(0, 0, 0), load_after=(0, 0, 0)), rows=rows
    )
    text = render(report)
    assert "| scenario | gateway | recommender | redis | load generator | total |" in text
    assert "| healthz | 0.15 |  |  | 0.05 | 0.20 |" in text
    assert "| recommend | 0.75 | 1.25 | 0.10 |  | 2.10 |" in text


def test_render_wrk_table_beside_the_load_generators() -> None:
    rows = [_row("hello world", 10_000, 1.0), _row("recommend", 2_000, 1.0)]
    rows[0].wrk = WrkFigures(requests=12_000, seconds=1.0, p50=1.25, p99=3.5, errors=0, non_2xx=0)
    rows[1].wrk = WrkFigures(requests=3_000, seconds=1.0, p50=9.0, p99=20.0, errors=2, non_2xx=600)
    report = Report(
        machine=Machine(cpu="c", cores=2, python="3", load_before=(0, 0, 0), load_after=(0, 0, 0)), rows=rows
    )
    text = render(report)
    assert "| hello world | 12,000 | 1.00 | 1.2 | 3.5 | 0 | 0 |" in text
    assert "| recommend | 2,400 | 0.20 | 9.0 | 20.0 | 600 | 2 |" in text


def test_wrk_script_sends_each_request_and_its_figures_are_read() -> None:
    from tools.bench.load import Connection, LoadSpec, Request

    post = Request(method="POST", path="/r", headers={"x-a": 'q"\\'}, body='{"n":"é1"}')
    spec = LoadSpec(
        host="127.0.0.1", port=1, connections=[Connection(requests=[post, Request(method="GET", path="/g")])]
    )
    script = lua_script(spec)
    assert script is not None
    assert (
        'wrk.format("POST", "/r", {["x-a"] = "q\\034\\092"}, "{\\034n\\034:\\034\\195\\1691\\034}")' in script
    )
    assert 'wrk.format("GET", "/g", {}, nil)' in script
    etag = Request(method="PUT", path="/p", headers={"if-match": "{etag}"})
    assert lua_script(LoadSpec(host="127.0.0.1", port=1, connections=[Connection(requests=[etag])])) is None
    figures_json = (
        '{"requests":100,"duration_us":2000000,"p50_us":1500,"p99_us":9000,"errors":1,"non_2xx":10}'
    )
    out = f"noise\nWRK-JSON {figures_json}\n"
    figures = parse_output(out)
    assert (figures.requests, figures.seconds, figures.p50, figures.p99) == (100, 2.0, 1.5, 9.0)
    assert figures.throughput == 45.0 and (figures.errors, figures.non_2xx) == (1, 10)
    with pytest.raises(ValueError):
        parse_output("Running 10s test\n")
