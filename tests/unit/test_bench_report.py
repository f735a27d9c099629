"""The benchmark's figures: percentile math, rows, targets, the table and the README section (no timings)."""

from __future__ import annotations

import math

import pytest

from tools.bench.report import (
    MB,
    Machine,
    Report,
    Row,
    check_targets,
    percentile,
    render,
    replace_section,
    summarise,
)


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
        _row("baseline", 40_000, 10.0),
        _row("recommend", 20_000, 10.0, p99=49.9),  # 0.5x exactly
        _row("batch", 250, 10.0, items=1000),  # 25,000 candidates/s
        _row("refresh", 1, 19.5, p99=19_500.0, items=100_000),
    ]
    rows[3].p50 = 19_500.0
    verdicts = _verdicts(check_targets(rows, {"gateway": 120 * MB, "worker": 250 * MB}))
    assert verdicts["recommendation throughput >= 0.5x baseline"] is True
    assert verdicts["recommendation p99 < 50 ms at 32 connections"] is True
    assert verdicts["batch scoring >= 20,000 candidates/s"] is True
    assert verdicts["100,000-posting refresh < 20 s"] is True
    assert verdicts["gateway resident memory < 200 MB"] is True
    assert verdicts["worker resident memory < 200 MB"] is False


def test_targets_not_measured_are_not_claimed_and_errors_fail_a_target() -> None:
    verdicts = _verdicts(check_targets([_row("baseline", 100, 1.0)], {}))
    assert set(verdicts.values()) == {None}
    rows = [_row("baseline", 100, 1.0), _row("recommend", 100, 1.0, p99=1.0, errors=3)]
    verdicts = _verdicts(check_targets(rows, {}))
    assert verdicts["recommendation throughput >= 0.5x baseline"] is False
    slow = [_row("baseline", 100, 1.0), _row("recommend", 100, 1.0, p99=50.0)]
    assert _verdicts(check_targets(slow, {}))["recommendation p99 < 50 ms at 32 connections"] is False
    fewer = [_row("baseline", 100, 1.0), _row("recommend", 100, 1.0, p99=5.0)]
    fewer[1].connections = 8  # fast, but not at the target's concurrency: no claim either way
    small = _row("refresh", 1, 0.5, p99=500.0, items=5_000)
    verdicts = _verdicts(check_targets([*fewer, small], {}))
    assert verdicts["recommendation p99 < 50 ms at 32 connections"] is None
    assert verdicts["100,000-posting refresh < 20 s"] is None


def test_render_has_machine_rows_memory_and_targets() -> None:
    report = Report(
        machine=Machine(
            cpu="Test CPU", cores=2, python="3.11.7", load_before=(0.5, 0, 0), load_after=(1.25, 0, 0)
        ),
        rows=[_row("baseline", 1000, 1.0), _row("batch", 10, 1.0, items=1000)],
        memory={"gateway": 100 * MB},
    )
    report.rows[1].item_unit = "candidates"
    report.targets = check_targets(report.rows, report.memory)
    text = render(report)
    assert "Test CPU, 2 cores, Python 3.11.7" in text and "0.50 before, 1.25 after" in text
    assert "| baseline | `/` | 32 | 1,000 | 0 | 1,000 | 5.0 | 10.0 | 10.0 | 1.00 |" in text
    assert "10.0 (10,000 candidates/s)" in text
    assert "gateway 100 MB" in text
    assert "| batch scoring >= 20,000 candidates/s | 10,000 candidates/s | **no** |" in text


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
    rows = [_row("baseline", 10, 1.0), _row("recommend", 10, 1.0)]
    rows[0].cpu = {"load generator": 0.05, "gateway": 0.15}
    rows[1].cpu = {"recommender": 1.25, "gateway": 0.75, "redis": 0.1}
    report = Report(
        machine=Machine(cpu="c", cores=2, python="3", load_before=(0, 0, 0), load_after=(0, 0, 0)), rows=rows
    )
    text = render(report)
    assert "| scenario | gateway | recommender | redis | load generator | total |" in text
    assert "| baseline | 0.15 |  |  | 0.05 | 0.20 |" in text
    assert "| recommend | 0.75 | 1.25 | 0.10 |  | 2.10 |" in text
