"""Fake Facebook and X servers for tests and benchmarks: real HTTP on 127.0.0.1.

Fixtures: `from tests.fakes.fixtures import *  # noqa: F403` in a conftest.py. Standalone, for a
demo: `python -m tests.fakes.facebook_server --port 9001` (or `x_server`), which prints the
settings that point balise at it.
"""
