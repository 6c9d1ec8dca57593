"""The native lab's Dashboards: lab_dashboards (services/dashboards/lab_dashboards), OpenSearch
Dashboards' saved objects API on LAB_DASHBOARDS_PORT, run by supervisord beside OpenSearch with
its saved objects in OpenSearch's `.kibana` index; and the lab's saved objects loaded into it, as
the compose `setup` service loads them into OpenSearch Dashboards (`python -m kibana_dashboards
load`, the same objects for both runtimes). It serves no pages yet: `make report` renders the
panels natively (issue 37)."""
from __future__ import annotations

from pathlib import Path

import requests

from labctl.settings import LabSettings
from labctl.supervisord_blocks import program_block

PROGRAM = "dashboards"


def program(settings: LabSettings, logs: Path) -> str:
    """supervisord's block for the Dashboards server."""
    # Imported here: labctl also runs in the compose runtime's image, which has no lab_dashboards
    from lab_dashboards.__main__ import command

    argv = command(settings.dashboards_port, settings.opensearch_url, settings.bind_address)
    # run in the state dir: the lab's processes are the ones whose command line or folder is in it
    return program_block(PROGRAM, argv, settings.state_dir, {}, True, logs)


def ready(settings: LabSettings) -> bool:
    """Dashboards answers its status green (it reaches OpenSearch)."""
    try:
        return requests.get(settings.dashboards_url + "/api/status", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def load_saved_objects(settings: LabSettings, wait: float = 60.0) -> int:
    """Import the lab's saved objects (overwriting the lab's own ids only) and make its index
    pattern the default one; the number imported."""
    from kibana_dashboards.loader import import_objects, set_default_index_pattern
    from kibana_dashboards.saved_objects import build_objects

    result = import_objects(settings.dashboards_url, build_objects(), wait=wait)
    set_default_index_pattern(settings.dashboards_url, wait=wait)
    return result.success_count
