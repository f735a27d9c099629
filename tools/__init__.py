"""Tools around the services, not part of them: the ``careerpath`` command line (``cli``), the process
supervisor behind ``careerpath run`` and the tests (``supervisor``), the embedded PostgreSQL and Redis for a
machine without them (``embedded``), the benchmark (``bench``) and the offline build of the catalogue's
derived data from the public sources (``build_data``). Nothing under ``services/`` or ``shared/`` imports
from here.
"""
