"""Recommender settings (environment variables ``CAREERPATH_*`` and ``REDIS_URL``)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from shared.settings import BaseSettings, Port, Seconds

__all__ = ["RecommenderSettings"]


class RecommenderSettings(BaseSettings, kw_only=True, frozen=True):
    port: Port = 8002
    redis_url: Annotated[str, msgspec.Meta(pattern=r"^rediss?://")] = "redis://127.0.0.1:6379/0"
    redis_timeout: Seconds = 0.25
    model_dir: str = ""
    max_body_bytes: Annotated[int, msgspec.Meta(ge=1024, le=50_000_000)] = 1_048_576
