"""Fixtures: a real host Apache with the shop's configuration."""

from __future__ import annotations

import pytest

from tests.apache.server import running_apache


@pytest.fixture(scope="module")
def apache(tmp_path_factory):
    """A host Apache serving the shop for the module's tests (config, url, access_log)."""
    with running_apache(tmp_path_factory.mktemp("apache")) as cfg:
        yield cfg
