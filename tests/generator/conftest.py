"""Fixtures: the host Apache of tests/apache, for the url-mode tests."""

from tests.apache.conftest import apache  # noqa: F401  (re-exported fixture)
