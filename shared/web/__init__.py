"""The web plumbing every careerpath Litestar app shares, one concern per module.

- ``errors``: the JSON error body (``error_response``), how a validation failure names its fields, and
  the exception handlers that turn every error into that body.
- ``middleware``: request ids and ``Server-Timing`` (``RequestIdMiddleware``), the internal service
  credential (``ServiceTokenMiddleware``), their header names and the paths open without a credential.
- ``health``: ``/healthz`` and ``/readyz`` (``health_route``) and their ``Health`` body.
- ``internal``: ``internal_app``, the Litestar app factory the internal services (profile, recommender) share.
- ``openapi``: the OpenAPI configuration, Swagger UI served from our own files (``docs_assets_route``),
  and ``document_errors``, which declares each operation's error answers and refines the document.
"""
