"""The web plumbing every careerpath Litestar app shares, one concern per module.

- ``errors``: RFC 9457 problem details (``error_response``, codes from ``shared.contracts.problems``),
  how a validation failure names its fields, and the exception handlers that turn every error into one.
- ``fields``: every invalid field of a JSON body (``invalid_fields``), not only msgspec's first.
- ``middleware``: request ids and ``Server-Timing`` around the whole app (``with_request_ids``), the
  internal service credential (``ServiceTokenMiddleware``), their header names and the paths open
  without a credential.
- ``health``: ``/healthz`` and ``/readyz`` (``health_route``) and their ``Health`` body.
- ``internal``: ``internal_app``, the Litestar app factory the internal services (profile, recommender) share.
- ``openapi``: the OpenAPI configuration, Swagger UI served from our own files (``docs_assets_route``),
  and ``document_errors``, which declares each operation's error answers and refines the document.
"""
