"""Job-market refresh runs: the routes the gateway and the worker call, and the repository."""
