"""A Kinesis-Agent-compatible log tailing agent (see agent/README.md).

Modules, in the order data flows through them: config (agent.json), tailer
(files, rotation) with fingerprint, records (lines -> records), processing
(dataProcessingOptions), flow (batches, commits), sender (PutRecordBatch /
PutRecords with retries), checkpoints (SQLite), stats, runner (main loop),
aws (clients, endpoint safety), __main__ (CLI).
"""
