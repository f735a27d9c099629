"""Append security-relevant events to the audit log kept by the profile service."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request

from shared.clients.profile import ProfileClient
from shared.contracts.accounts import AuditEvent

__all__ = ["audit", "client_ip"]

log = logging.getLogger("careerpath.gateway.audit")


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    return request.client.host if request.client else None


async def audit(
    profiles: ProfileClient,
    request: Request[Any, Any, Any],
    actor: str,
    action: str,
    target: str | None = None,
    **detail: str | int | float | bool | None,
) -> None:
    """Record one event; a failure to record is logged loudly but does not undo the action."""
    event = AuditEvent(actor=actor, action=action, target=target, ip=client_ip(request), detail=detail)
    try:
        await profiles.audit(event)
    except Exception:  # noqa: BLE001
        log.exception("could not write audit event %s by %s", action, actor)
