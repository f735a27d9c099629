"""Profiles and their assessment history: the routes under ``/profiles`` and the repository."""
