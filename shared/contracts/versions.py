"""What a caller can rely on: the public API's version, the model's, and the market-data versions.

``API_VERSION`` is defined here once: the gateway sends it on every ``/api/v1`` answer
(``Careerpath-Api-Version``), names it as its OpenAPI document's ``info.version`` and in
``GET /api/v1/versions``; ``CHANGELOG.md`` says what each version changed. A caller pins the market data
an answer is computed from with ``Careerpath-Market-Version`` (gateway -> recommender as well).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

import msgspec

from shared.contracts.common import described

__all__ = [
    "API_VERSION",
    "API_VERSION_HEADER",
    "MARKET_VERSION_HEADER",
    "MARKET_VERSION_PATTERN",
    "MarketVersionInfo",
    "ModelInfo",
    "ServiceVersions",
    "Versions",
    "parse_market_version",
]

API_VERSION = "1.3.0"
API_VERSION_HEADER = "Careerpath-Api-Version"
MARKET_VERSION_HEADER = "Careerpath-Market-Version"
MARKET_VERSION_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"  # the ids shared.market gives (and rollback accepts)
_MARKET_VERSION = re.compile(MARKET_VERSION_PATTERN)


def parse_market_version(value: str | None) -> str | None:
    """The market version a request pins (``None``: the live one); ValueError saying why it is not one."""
    if value is None:
        return None
    value = value.strip()
    if not _MARKET_VERSION.match(value):
        raise ValueError(
            f"{MARKET_VERSION_HEADER} must be a market-data version id (letters, digits and . _ : -, "
            "at most 128), as GET /api/v1/versions lists them"
        )
    return value


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ModelInfo(msgspec.Struct, kw_only=True, frozen=True):
    """The trained role-fit model that answers."""

    version: Annotated[str, _doc("The model's id, as `model_version` in every recommendation answer.")]
    trained_at: Annotated[
        datetime, described("When it was trained (ISO 8601 date-time, UTC).", "2026-05-04T09:30:00Z")
    ]
    data_version: Annotated[str, _doc("A hash naming exactly the profiles and catalogue it learned from.")]
    data: Annotated[str, _doc("What it learned from, in words.")]
    metrics: Annotated[dict[str, float], _doc("Its figures on held-out survey profiles.")] = {}


class MarketVersionInfo(msgspec.Struct, kw_only=True, frozen=True):
    """One market-data version still kept: it can be pinned with `Careerpath-Market-Version`."""

    version: Annotated[
        str,
        described("The version's id; send it as `Careerpath-Market-Version` to pin it.", "bundled-2024.05-2"),
    ]
    live: Annotated[bool, _doc("Answers without a pinned version use this one.")] = False
    as_of: Annotated[str, _doc("The date the figures describe (ISO 8601).")]
    published_at: Annotated[
        datetime | None,
        described(
            "When it was published here (ISO 8601 date-time, UTC); null when not recorded.",
            "2026-05-04T09:30:00Z",
        ),
    ] = None
    source: Annotated[
        str, described("Where its figures come from, in words.", "bundled: O*NET 29.2, BLS OEWS May 2024")
    ]
    synthetic: Annotated[bool, _doc("Generated test data, never market truth.")] = False
    attribution: Annotated[
        list[str], described("The credits its sources require: show them with figures from it.")
    ] = []


class ServiceVersions(msgspec.Struct, kw_only=True, frozen=True):
    """Recommender -> gateway: the model and the kept market versions (internal, lenient)."""

    model: ModelInfo
    market_live: str | None
    market_versions: list[MarketVersionInfo]


class Versions(msgspec.Struct, kw_only=True, frozen=True):
    """What `GET /api/v1/versions` answers: everything an integration can pin or check."""

    api_version: Annotated[
        str, _doc("The public API's version (semantic versioning; CHANGELOG.md says what each changed).")
    ]
    model: Annotated[ModelInfo, described("The model that answers recommendations.")]
    market_live: Annotated[str | None, _doc("The market-data version answers use unless pinned.")]
    market_versions: Annotated[
        list[MarketVersionInfo],
        _doc(
            "Market-data versions still kept, newest first; pinning one that is no longer kept is answered "
            "410 Gone."
        ),
    ]
