"""Fetch any parsed source (except ``snapshot``, which is not postings) into a private spool."""

from __future__ import annotations

from services.worker.settings import WorkerSettings
from services.worker.sources import Fetched, SourceSpec
from services.worker.sources.bundled import fetch_bundled
from services.worker.sources.file import fetch_file
from services.worker.sources.http import fetch_url
from services.worker.sources.usajobs import UsajobsConfig, fetch_usajobs

__all__ = ["fetch_source"]


def fetch_source(spec: SourceSpec, settings: WorkerSettings) -> Fetched:
    """The source's bytes (JSON Lines or CSV postings); :class:`SourceError` when it cannot be used."""
    if spec.kind == "file":
        return fetch_file(
            spec.location, settings.file_roots, settings.source_max_bytes, settings.source_timeout
        )
    if spec.kind == "bundled":
        return fetch_bundled(spec.location)
    if spec.kind == "usajobs":
        return fetch_usajobs(spec.location, UsajobsConfig.from_settings(settings))
    return fetch_url(
        spec.location,
        max_bytes=settings.source_max_bytes,
        timeout=settings.source_timeout,
        connect_timeout=settings.source_connect_timeout,
        max_redirects=settings.source_max_redirects,
        allow=settings.allow_networks,
    )
