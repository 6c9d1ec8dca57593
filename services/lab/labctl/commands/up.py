"""`make up`: choose a runtime (compose when a Docker engine answers, else native), start
the lab, provision it and say where everything is."""
from __future__ import annotations

import argparse
import sys
import time

from labctl import agent_flow_start, readiness, runtimes, started_settings
from labctl import settings as lab
from labctl.errors import LabError


def run(settings: lab.LabSettings, _args: argparse.Namespace) -> int:
    changed = started_settings.changes(settings) if runtimes.running(settings) else []
    if changed:   # never a setting silently ignored by a running lab
        print("make up: the lab is running, and these settings need its services started again:",
              file=sys.stderr)
        for line in changed:
            print(f"  {line}", file=sys.stderr)
        print("make up: stop the lab first: make down (then make up)", file=sys.stderr)
        return 1
    runtime, why = runtimes.choose(settings)
    print(f"make up: using the {runtime.name} runtime ({why})")
    runtimes.record(settings, runtime)
    started = time.monotonic()
    try:
        rc = runtime.up()
    except LabError as error:
        print(f"make up: {error}", file=sys.stderr)
        print("make up: stopping what started (make down)", file=sys.stderr)
        runtime.down()
        runtimes.record(settings, None)
        started_settings.forget(settings)
        return 1
    if rc:
        return rc
    started_settings.record(settings)
    start = runtime.flow_start()
    if start.accounted_before is None:   # the lab's flow began at this make up: count from here
        agent_flow_start.settle(settings, readiness.accounting_at(
            settings.localstack_url, settings.opensearch_url, None, start.access_log_format).accounted)
    print(f"\nThe lab is up ({time.monotonic() - started:.0f}s):")
    print(f"  unicorn shop        {settings.apache_url}/")
    if settings.empty:
        print(f"  LocalStack          {settings.localstack_url}  (empty: make the Lambda, Firehose, ... by hand)")
        print(f"  OpenSearch API      {settings.opensearch_url}  (no index yet)")
    else:
        print(f"  LocalStack          {settings.localstack_url}  (Firehose {lab.DELIVERY_STREAM}, Lambda {lab.LAMBDA_NAME})")
        print(f"  OpenSearch API      {settings.opensearch_url}  (index {lab.INDEX_NAME})")
    if runtime.dashboards_ui:
        print(f"  Dashboards          {settings.dashboards_url}/app/dashboards")
    else:
        print(f"  Dashboards API      {settings.dashboards_url}/api/saved_objects/_find  "
              "(no pages natively yet: `make report` renders the panels)")
    if settings.empty:
        print("An empty lab: no agent runs. `make shell` for the AWS CLI, then the workshop's steps by hand.")
    else:
        print("Next: `make generate`, then `make status`.")
    return 0
