"""What the deploy files say, read the way Docker, Compose and the careerpath command line read them.

Helpers for ``test_deploy_manifests.py``: a Dockerfile reader, Compose variable interpolation, the
``careerpath`` argument parsers (taken from the real entry points, never copied), Kubernetes quantities.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

__all__ = [
    "Stage",
    "cli_parse",
    "dockerfile_stages",
    "interpolate",
    "quantity",
]


@dataclass
class Stage:
    """One ``FROM`` stage: its name and its instructions as (INSTRUCTION, argument text)."""

    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, op: str) -> list[str]:
        return [text for name, text in self.instructions if name == op]

    def env(self) -> dict[str, str]:
        """``ENV`` values of this stage (``KEY=VALUE`` pairs; ``$VAR`` left as written)."""
        values: dict[str, str] = {}
        for text in self.all("ENV"):
            for pair in shlex.split(text):
                key, _, value = pair.partition("=")
                values[key] = value
        return values

    def exec_form(self, op: str) -> list[str]:
        """The last ``ENTRYPOINT``/``CMD`` of this stage, which must be in exec (JSON) form."""
        texts = self.all(op)
        return json.loads(texts[-1]) if texts else []


def dockerfile_stages(path: Path) -> tuple[dict[str, str], list[Stage]]:
    """Global ``ARG`` defaults and the stages, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        op, rest = op.upper(), rest.strip()
        if op == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?$", rest, re.IGNORECASE)
            assert match, f"unreadable FROM line: {line}"
            stages.append(Stage(name=match.group(2) or str(len(stages))))
        elif op == "ARG" and not stages:
            key, _, value = rest.partition("=")
            args[key] = value
        else:
            assert stages, f"{op} before the first FROM"
            stages[-1].instructions.append((op, rest))
            if op == "ARG" and "=" in rest:
                key, _, value = rest.partition("=")
                args.setdefault(key, value)
    return args, stages


_VAR = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: str, env: Mapping[str, str], used: set[str] | None = None) -> str:
    """Compose interpolation: ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``, ``$$``."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        op, arg = match.group(2), match.group(3) or ""
        if used is not None:
            used.add(name)
        current = env.get(name)
        empty = current is None or (current == "" and op is not None and op.startswith(":"))
        if op and op.endswith("-") and empty:
            return arg
        if op and op.endswith("?") and empty:
            raise KeyError(f"{name} is required: {arg}")
        return current or ""

    return _VAR.sub(substitute, value)


class _Captured(Exception):
    pass


def _capture_parser(entry: Callable[[list[str]], Any], argv: list[str]) -> argparse.ArgumentParser:
    """The ArgumentParser an entry point builds, taken at its first parse call (nothing else runs)."""
    captured: list[argparse.ArgumentParser] = []

    def grab(self: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> Any:
        captured.append(self)
        raise _Captured

    with mock.patch.object(argparse.ArgumentParser, "parse_known_args", grab):
        try:
            entry(argv)
        except _Captured:
            pass
    assert captured, f"{entry.__module__}.{entry.__name__} parsed no arguments"
    return captured[0]


def _strict_parse(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    try:
        return parser.parse_known_args(argv)
    except SystemExit as exc:
        raise AssertionError(f"`{parser.prog} {shlex.join(argv)}` is refused by the parser") from exc


def cli_parse(argv: list[str]) -> argparse.Namespace:
    """Parse ``careerpath ARGV`` with the real parsers; AssertionError when any part would be refused.

    ``train`` and ``evaluate`` hand their remaining arguments to their own parsers, which check them too.
    """
    from tools import cli

    namespace, rest = _strict_parse(_capture_parser(cli.main, argv), argv)
    delegates = {
        "train": "services.recommender.model.training",
        "evaluate": "services.recommender.model.evaluate",
    }
    if namespace.command in delegates:
        import importlib

        entry = importlib.import_module(delegates[namespace.command]).main
        _strict_parse(_capture_parser(entry, rest), rest)
        namespace.delegated = rest
    else:
        assert not rest, f"`careerpath {shlex.join(argv)}`: unknown arguments {rest}"
    return namespace


_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity ("250m", "1", "192Mi") as a number."""
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match and match.group(2) in _UNITS, f"unreadable quantity {value!r}"
    return float(match.group(1)) * _UNITS[match.group(2)]
