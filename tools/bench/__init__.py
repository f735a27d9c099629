"""``careerpath bench``: load the running system from a separate process and report against the targets.

``run`` starts (or reaches) the system and drives the scenarios; ``load`` is the load generator that runs
in its own process; ``scenarios`` says what is sent; ``report`` turns results into the table.
``clients`` compares the gateway's HTTP client (``shared.http``) with aiohttp's against ``upstream``;
``child`` runs a measured client in a process of its own.
"""
