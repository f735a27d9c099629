"""Start and stop careerpath's processes on one machine: ``stack`` (one service, a Celery process, the whole
stack) and ``run_all`` (``careerpath run``: embedded servers when needed, then the stack, until Ctrl-C)."""
