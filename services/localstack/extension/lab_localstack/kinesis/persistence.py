"""Kinesis streams, shards and records kept across restarts.

LocalStack 4.14 runs one kinesis-mock process per account and turns on kinesis-mock's own
persistence (`SHOULD_PERSIST_DATA`, `PERSIST_PATH`, `PERSIST_FILE_NAME=<account>.json`,
`PERSIST_INTERVAL` from `KINESIS_MOCK_PERSIST_INTERVAL`, default 5s) whenever
`KINESIS_PERSISTENCE` is not false, which is its default
(localstack/services/kinesis/kinesis_mock_server.py). But the path it passes is
`config.dirs.data/kinesis`, and without Pro's `PERSISTENCE=1` that directory is
`<FILESYSTEM_ROOT>/tmp/state/kinesis`, inside the temporary folder LocalStack empties at
every start (`CLEAR_TMP_FOLDER`): the state was written and then wiped.

The lab's server manager gives kinesis-mock `LOCALSTACK_VOLUME_DIR/lab-kinesis` instead.
kinesis-mock loads `<account>.json` when it starts (streams, shards with their hash
ranges and sequence numbers, records within the retention period) and rewrites it every
`PERSIST_INTERVAL`: records put in the last interval before a crash may be lost
(kinesis-mock's limit), which is why the lab sets a 1 s interval (labctl's
localstack_native.py). kinesis-mock does not write its state when it is stopped: `make
down` stops the agent first and waits for one more write before it stops LocalStack
(labctl/native.py).
"""
from __future__ import annotations

from pathlib import Path

from localstack import config
from localstack.services.kinesis.kinesis_mock_server import KinesisMockServer, KinesisServerManager


def data_dir() -> Path | None:
    return Path(config.VOLUME_DIR) / "lab-kinesis" if config.VOLUME_DIR else None


class LabKinesisServerManager(KinesisServerManager):
    def _create_kinesis_mock_server(self, account_id: str) -> KinesisMockServer:
        server = super()._create_kinesis_mock_server(account_id)
        directory = data_dir()
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            server._data_dir = str(directory)
        return server

