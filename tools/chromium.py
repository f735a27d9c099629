"""Debian's Chromium as every careerpath tool and browser test launches it (never a downloaded browser)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["ARGS", "CHROMIUM"]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
