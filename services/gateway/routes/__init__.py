"""The gateway's public ``/api/v1`` routes."""
