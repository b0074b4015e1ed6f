"""A pytest plugin loaded with `-p tests.isolation` (see pyproject), before pytest-django reads
the settings: each test run gets its own Celery queue and cache prefix, so a developer's running
worker, or a parallel test run, never consumes this run's tasks or reads its cache."""

import os
import uuid

os.environ.setdefault("CELERY_QUEUE", f"attest-test-{uuid.uuid4().hex[:8]}")
os.environ.setdefault("ATTEST_CACHE_PREFIX", os.environ["CELERY_QUEUE"])
