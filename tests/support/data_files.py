"""Where the third-party test data lives: `tests/data/` inside the repository.

Everything the tests and benchmarks read from outside the project was copied there
with its source and licence (tests/data/README.md), so that a plain clone runs
`make test` with nothing beside it.
"""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
ELASTIC_LOG = DATA_DIR / "logs" / "elastic_examples_apache_logs.log"
PEER_CASES_DIR = DATA_DIR / "peer_cases"
SAMPLE_EVENTS_DIR = DATA_DIR / "events"
WORKSHOP_DASHBOARD_EXPORT = DATA_DIR / "dashboards" / "clickstream_kibana.json"
ATHENA_DIR = DATA_DIR / "athena"
