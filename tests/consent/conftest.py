"""The consent tests use the whole installation (`env`) and, for uploads, the fake platforms."""

from tests.test_platform_failures import accounts  # noqa: F401  (balise pointed at fake Facebook and X)
