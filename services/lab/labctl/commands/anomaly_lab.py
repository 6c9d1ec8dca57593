"""`make anomaly-lab`: the anomaly sibling lab end to end in the running lab's LocalStack
(labctl.labs.anomaly.lab): the Glue streaming job, two KDGs, the crawler, and the workshop's
Athena query, printed; exit status 0 when the abnormal client ranks first."""
from __future__ import annotations

import argparse

from labctl import aws_clients
from labctl import settings as lab
from labctl.data_lake import render_table
from labctl.labs.anomaly import lab as anomaly_lab


def run(settings: lab.LabSettings, args: argparse.Namespace) -> int:
    endpoint = args.endpoint or settings.localstack_url
    aws_clients.connect(endpoint)
    outcome = anomaly_lab.run(endpoint, args.bucket, args.duration, args.rate, args.keep_running)
    print(render_table(outcome.rows[:11]))
    verdict = "ranks first" if outcome.abnormal_first else "does NOT rank first"
    print(f"\n{anomaly_lab.ABNORMAL_IP} {verdict}: its KDG sent {outcome.abnormal_sent} records "
          f"(the normal KDG {outcome.normal_sent}).")
    return 0 if outcome.abnormal_first else 1
