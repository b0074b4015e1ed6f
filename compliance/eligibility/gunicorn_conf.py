"""Gunicorn hooks for web processes that serve the screening API.

Use with ``gunicorn -c python:compliance.eligibility.gunicorn_conf config.wsgi:application``
(command-line options such as ``--workers`` still apply). ``worker_exit`` writes the decision
log buffer when a worker stops cleanly; ``atexit`` covers other servers.
"""


def worker_exit(server, worker):
    from compliance.eligibility.decision_log import flush_at_exit

    flush_at_exit()
