"""The README's test command never touches a developer's own Redis: without BALISE_TEST_REDIS the
tests run on an embedded one, whatever listens on 127.0.0.1:6379."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
import redis

from tests.conftest import ROOT, TEST_REDIS


@pytest.mark.skipif(not TEST_REDIS, reason="needs a Redis server to stand for a developer's own (BALISE_TEST_REDIS)")
def test_a_test_run_without_the_variable_leaves_a_listening_redis_alone() -> None:
    own = [redis.Redis.from_url(f"{TEST_REDIS}/{db}") for db in range(16)]
    marker = f"a-developer's-data:{uuid.uuid4().hex}"
    for server in own:
        server.set(marker, "keep me")
    claims = set(own[0].keys("balise-tests:claim:*"))
    environment = {k: v for k, v in os.environ.items() if k not in ("BALISE_TEST_REDIS", "BALISE_TEST_POSTGRES")}
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/test_pipeline.py::test_a_compliance_job_run_twice_stores_one_verdict"],
            env=environment, cwd=ROOT, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout[-2000:]
        assert "1 passed" in run.stdout  # SQLite only: no PostgreSQL named
        in_use = {int(key.rsplit(b":", 1)[1]) for key in claims}  # by another test run, which flushes its own
        assert all(server.get(marker) == b"keep me" for db, server in enumerate(own) if db not in in_use)
        assert set(own[0].keys("balise-tests:claim:*")) <= claims  # nor even claimed
    finally:
        for server in own:
            server.delete(marker)
